"""Each module's argument handling, check mode, diff and `changed`, with pwsh replaced by canned answers."""
import unittest

from collection import run_module
from ansible_collections.expressha.cluster.plugins.modules import expressha_config, expressha_group, expressha_info, expressha_node

CONN = dict(endpoints=[dict(url='https://198.19.20.11:29003', fingerprint='AB' * 32)], token='0123456789abcdef0123')
DESC = dict(cluster=dict(name='c1'), nodes=[dict(name='n1', address='198.19.20.11'), dict(name='n2', address='198.19.20.12')],
            groups=[dict(name='web', servers=['n1', 'n2'], resources=[dict(name='fip1', type='floatip', ip='198.19.20.100')])])
RUNNING = 'apiVersion: expressha/v1\n# running\n'
DESIRED = 'apiVersion: expressha/v1\n# desired\n'


def config_answer(empty, generation=4, applied=None):
    a = dict(ok=True, errors=[], warnings=[], yaml=DESIRED, running_yaml=RUNNING, running_generation=3,
             diff=dict(added=[] if empty else ['monitors/webw'], removed=[], changed=[], group_restarts=[], needs_suspend=False, empty=empty))
    if applied:
        a.update(generation=generation, applied=True)
    return a


def status(group_state='online', owner='n1', node_state='online'):
    return dict(ok=True, errors=[], warnings=[], endpoint=CONN['endpoints'][0]['url'],
                status=dict(ClusterName='c1', ConfigGeneration=3,
                            Nodes=[dict(Name='n1', State=node_state), dict(Name='n2', State='online')],
                            Groups=[dict(Name='web', State=group_state, Owner=owner, Generation=7)]))


class ConfigModuleTests(unittest.TestCase):
    def test_check_mode_asks_for_the_dry_run_only_and_shows_the_yaml_diff(self):
        result, failed, requests = run_module(expressha_config, dict(DESC, **CONN), [config_answer(empty=False)], check_mode=True, diff=True)
        self.assertFalse(failed, result)
        self.assertTrue(result['changed'])
        self.assertFalse(requests[0]['apply'])
        self.assertEqual(requests[0]['op'], 'config')
        self.assertEqual(result['diff']['before'], RUNNING)
        self.assertEqual(result['diff']['after'], DESIRED)
        self.assertEqual(result['config_diff']['added'], ['monitors/webw'])
        self.assertEqual(result['generation'], 3)

    def test_apply_reports_the_new_generation(self):
        result, failed, requests = run_module(expressha_config, dict(DESC, **CONN), [config_answer(empty=False, applied=True)])
        self.assertTrue(requests[0]['apply'])
        self.assertTrue(result['changed'])
        self.assertEqual(result['generation'], 4)

    def test_same_config_is_not_a_change_and_has_no_diff(self):
        result, failed, _ = run_module(expressha_config, dict(DESC, **CONN), [config_answer(empty=True)], diff=True)
        self.assertFalse(failed)
        self.assertFalse(result['changed'])
        self.assertNotIn('diff', result)

    def test_the_token_goes_in_the_request_never_in_the_result(self):
        result, _, requests = run_module(expressha_config, dict(DESC, **CONN), [config_answer(empty=True)])
        self.assertEqual(requests[0]['token'], CONN['token'])
        self.assertNotIn(CONN['token'], repr(result))

    def test_a_finding_fails_the_task_with_its_path(self):
        bad = dict(ok=False, warnings=[], errors=[dict(id='ExpressHa.UnknownType', path='groups[0].resources[0] (fip1)',
                                                       message="-Type: 'floatipx' is not a resource type")])
        result, failed, _ = run_module(expressha_config, dict(DESC, **CONN), [bad])
        self.assertTrue(failed)
        self.assertEqual(result['msg'], "groups[0].resources[0] (fip1): -Type: 'floatipx' is not a resource type [ExpressHa.UnknownType]")

    def test_bad_description_fails_before_pwsh(self):
        args = dict(DESC, **CONN)
        args['nodes'] = [dict(name='n1')]
        result, failed, requests = run_module(expressha_config, args, [])
        self.assertTrue(failed)
        self.assertTrue(result['msg'].startswith('nodes[0].addresses:'))
        self.assertEqual(requests, [])

    def test_https_without_fingerprint_fails_before_pwsh(self):
        args = dict(DESC, endpoints=[dict(url='https://198.19.20.11:29003')], token=CONN['token'])
        result, failed, requests = run_module(expressha_config, args, [])
        self.assertTrue(failed)
        self.assertIn('endpoints[0].fingerprint', result['msg'])

    def test_rendered_needs_no_connection(self):
        answer = dict(ok=True, errors=[], warnings=[dict(path='cluster.partitionResolution', message='unsafe')], yaml=DESIRED)
        result, failed, requests = run_module(expressha_config, dict(DESC, state='rendered'), [answer])
        self.assertFalse(failed)
        self.assertEqual(requests[0]['op'], 'render')
        self.assertNotIn('endpoints', requests[0])
        self.assertFalse(result['changed'])
        self.assertEqual(result['warnings_found'][0]['path'], 'cluster.partitionResolution')


class GroupModuleTests(unittest.TestCase):
    def test_already_there_is_no_change_and_no_second_call(self):
        result, failed, requests = run_module(expressha_group, dict(CONN, name='web', state='moved', node='n1'), [status()])
        self.assertFalse(failed)
        self.assertFalse(result['changed'])
        self.assertEqual(len(requests), 1)

    def test_check_mode_reports_the_move_without_doing_it(self):
        result, failed, requests = run_module(expressha_group, dict(CONN, name='web', state='moved', node='n2'), [status()], check_mode=True, diff=True)
        self.assertTrue(result['changed'])
        self.assertEqual(result['action'], 'move')
        self.assertEqual(len(requests), 1)
        self.assertEqual(result['diff'], dict(before='online on n1\n', after='online on n2\n'))

    def test_move_waits_and_reports_the_new_owner_and_time(self):
        moved = status(owner='n2')
        moved['elapsed_ms'] = 1234
        result, failed, requests = run_module(expressha_group, dict(CONN, name='web', state='moved', node='n2', wait_timeout=30), [status(), moved])
        self.assertFalse(failed)
        self.assertEqual(requests[1], dict(requests[1], op='group', action='move', name='web', node='n2', wait_timeout=30))
        self.assertEqual(result['group']['owner'], 'n2')
        self.assertEqual(result['elapsed'], 1.234)

    def test_moved_without_node_is_refused(self):
        result, failed, requests = run_module(expressha_group, dict(CONN, name='web', state='moved'), [])
        self.assertTrue(failed)
        self.assertIn('node', result['msg'])

    def test_unknown_group_names_the_field(self):
        result, failed, _ = run_module(expressha_group, dict(CONN, name='nope', state='started'), [status()])
        self.assertTrue(failed)
        self.assertTrue(result['msg'].startswith("name: the cluster has no group 'nope'"))

    def test_a_failed_move_fails_the_task_with_the_cmdlet_message(self):
        refused = status()
        refused.update(ok=False, errors=[dict(id='ExpressHa.OperationFailed', path='name', message='Node n2 cannot take group web')])
        result, failed, _ = run_module(expressha_group, dict(CONN, name='web', state='moved', node='n2'), [status(), refused])
        self.assertTrue(failed)
        self.assertEqual(result['msg'], 'name: Node n2 cannot take group web [ExpressHa.OperationFailed]')


class NodeModuleTests(unittest.TestCase):
    def test_suspend_then_idempotent(self):
        result, _, requests = run_module(expressha_node, dict(CONN, name='n1', state='suspended'), [status(), status(node_state='suspended')])
        self.assertTrue(result['changed'])
        self.assertEqual(requests[1]['action'], 'suspend')
        self.assertTrue(result['node']['suspended'])
        result, _, requests = run_module(expressha_node, dict(CONN, name='n1', state='suspended'), [status(node_state='suspended')])
        self.assertFalse(result['changed'])

    def test_resume_in_check_mode_does_nothing(self):
        result, _, requests = run_module(expressha_node, dict(CONN, name='n1', state='resumed'), [status(node_state='suspended')], check_mode=True)
        self.assertTrue(result['changed'])
        self.assertEqual(len(requests), 1)


class InfoModuleTests(unittest.TestCase):
    def test_facts_of_nodes_groups_and_owners(self):
        answer = status()
        answer['mirrors'] = [dict(Name='md1', Node='n1', Role='Primary', Connection='Connected', Disk='UpToDate', Sync='None'),
                             dict(Name='md1', Node='n2', Role='Secondary', Connection='Connected', Disk='Inconsistent', Sync='SyncTarget')]
        result, failed, requests = run_module(expressha_info, dict(CONN, mirrors=True), [answer])
        self.assertFalse(result['changed'])
        self.assertTrue(requests[0]['mirrors'])
        self.assertEqual(result['groups'], dict(web=dict(state='online', owner='n1', generation=7)))
        self.assertEqual(result['nodes']['n2'], dict(state='online'))
        self.assertEqual(result['generation'], 3)
        self.assertEqual(result['mirrors'][0]['Role'], 'Primary')
        self.assertFalse(result['mirrors_in_sync'])

    def test_unreachable_cluster_fails_with_the_reasons(self):
        down = dict(ok=False, warnings=[], errors=[dict(id='ExpressHa.ConnectionFailed', path='endpoints', message='no endpoint answered: x: refused')])
        result, failed, _ = run_module(expressha_info, CONN, [down])
        self.assertTrue(failed)
        self.assertEqual(result['msg'], 'endpoints: no endpoint answered: x: refused [ExpressHa.ConnectionFailed]')



class ReadStatusTests(unittest.TestCase):
    """The status read that group, node and info share: a cluster that does not answer and bad connection options fail
    the task the same way in each, before any action."""
    def test_unreachable_cluster_fails_every_module_before_any_action(self):
        down = dict(ok=False, warnings=[], errors=[dict(id='ExpressHa.ConnectionFailed', path='endpoints', message='no endpoint answered')])
        for module, args in ((expressha_group, dict(CONN, name='web', state='moved', node='n2')),
                             (expressha_node, dict(CONN, name='n1', state='suspended')), (expressha_info, CONN)):
            result, failed, requests = run_module(module, args, [down])
            self.assertTrue(failed, module.__name__)
            self.assertEqual(result['msg'], 'endpoints: no endpoint answered [ExpressHa.ConnectionFailed]')
            self.assertEqual(result['errors'], down['errors'])
            self.assertEqual([r['op'] for r in requests], ['status'])

    def test_https_without_fingerprint_fails_before_pwsh(self):
        args = dict(endpoints=[dict(url='https://198.19.20.11:29003')], token='0123456789abcdef0123')
        for module, extra in ((expressha_group, dict(name='web')), (expressha_node, dict(name='n1')), (expressha_info, {})):
            result, failed, requests = run_module(module, dict(args, **extra), [])
            self.assertTrue(failed, module.__name__)
            self.assertIn('fingerprint', result['msg'])
            self.assertEqual(requests, [])

if __name__ == '__main__':
    unittest.main()
