"""The pure part of the pwsh bridge: description -> cmdlet calls, decisions, messages."""
import unittest

from collection import sys  # noqa: F401  (makes the collection importable)
from ansible_collections.expressha.cluster.plugins.module_utils import expressha_pwsh as u


SPEC = dict(
    cluster=dict(name='c1', interconnects=['lan1', dict(name='mdc1', role='mirror')], heartbeat=dict(interval_ms=200, timeout_ms=3000),
                 partition_resolution=dict(ping_targets=['10.0.0.254'], majority=False), fencing=dict(delay_seconds=dict(n1=0, n2=5)),
                 security=dict(api_port='29003'), shutdown_command=''),
    nodes=[dict(name='n1', addresses=dict(lan1='10.0.0.1'), priority=0), dict(name='n2', address='10.0.0.2', addresses=None)],
    groups=[dict(name='g1', servers=['n1', 'n2'], resources=[
        dict(name='fip1', type='floatip', ip='10.0.0.12', prefix_length=24, interface=dict(n1='eth0', n2='eth1'), monitor=False),
        dict(name='app', type='exec', depends_on=['fip1'], start='/bin/true', activation=dict(retries=1, final_action='none'))])],
    monitors=[dict(name='appw', type='process', target='app', pid_file='/run/app.pid', recovery=dict(restarts=2))],
)


class ClusterCallsTests(unittest.TestCase):
    def setUp(self):
        self.calls = u.cluster_calls(SPEC)

    def test_calls_come_in_build_order_with_their_paths(self):
        self.assertEqual([c['cmdlet'] for c in self.calls],
                         ['New-HaCluster', 'Add-HaNode', 'Add-HaNode', 'Set-HaCluster', 'Add-HaGroup', 'Add-HaResource', 'Add-HaResource', 'Add-OrSet-HaMonitor'])
        self.assertEqual(self.calls[5]['path'], 'groups[0].resources[0] (fip1)')
        self.assertEqual(self.calls[7]['path'], 'monitors[0] (appw)')

    def test_interconnect_roles_and_node_addresses(self):
        self.assertEqual(self.calls[0]['params'], dict(Name='c1', Interconnect=['lan1', 'mdc1'], InterconnectRole=dict(mdc1='mirror')))
        self.assertEqual(self.calls[1]['params'], dict(Name='n1', Addresses=dict(lan1='10.0.0.1'), Priority=0))
        self.assertEqual(self.calls[2]['params'], dict(Name='n2', Address='10.0.0.2'))

    def test_cluster_settings_drop_unset_and_empty_values(self):
        p = self.calls[3]['params']
        self.assertEqual(p, dict(HeartbeatIntervalMs=200, HeartbeatTimeoutMs=3000, PingTarget=['10.0.0.254'],
                                 FencingDelay=dict(n1=0, n2=5), ApiPort='29003'))

    def test_type_parameters_go_to_property_in_camel_case_per_node_maps_kept(self):
        fip = self.calls[5]['params']
        self.assertEqual(fip['Property'], dict(ip='10.0.0.12', prefixLength=24, interface=dict(n1='eth0', n2='eth1')))
        self.assertTrue(fip['NoMonitor'])
        app = self.calls[6]['params']
        self.assertEqual(app['DependsOn'], ['fip1'])
        self.assertEqual(app['ActivationRetries'], 1)
        self.assertEqual(app['ActivationFinalAction'], 'none')
        self.assertNotIn('NoMonitor', app)

    def test_monitor_common_fields_are_parameters(self):
        m = self.calls[7]['params']
        self.assertEqual(m['Restarts'], 2)
        self.assertEqual(m['Property'], dict(pidFile='/run/app.pid'))

    def test_missing_pieces_name_their_field(self):
        with self.assertRaisesRegex(ValueError, r'^cluster\.name:'):
            u.cluster_calls(dict(cluster={}, nodes=[dict(name='n1', address='1.2.3.4')]))
        with self.assertRaisesRegex(ValueError, r'^nodes\[0\]\.addresses:'):
            u.cluster_calls(dict(cluster=dict(name='c'), nodes=[dict(name='n1')]))
        with self.assertRaisesRegex(ValueError, r'^groups\[0\]\.resources\[0\]\.type:'):
            u.cluster_calls(dict(cluster=dict(name='c'), nodes=[dict(name='n1', address='1.2.3.4')],
                                 groups=[dict(name='g', resources=[dict(name='r')])]))


class DecisionTests(unittest.TestCase):
    def test_group_action_table(self):
        online1 = dict(state='online', owner='n1')
        offline = dict(state='offline', owner=None)
        table = [
            ('started', online1, None, None), ('started', online1, 'n1', None), ('started', online1, 'n2', 'move'),
            ('started', offline, None, 'start'), ('started', offline, 'n2', 'start'),
            ('stopped', online1, None, 'stop'), ('stopped', offline, None, None),
            ('moved', online1, 'n1', None), ('moved', online1, 'n2', 'move'), ('moved', offline, 'n2', 'start'),
        ]
        for state, current, node, expected in table:
            self.assertEqual(u.group_action(state, current, node), expected, (state, current, node))

    def test_moved_needs_a_node(self):
        with self.assertRaisesRegex(ValueError, '^node:'):
            u.group_action('moved', dict(state='online', owner='n1'), None)

    def test_node_action_table(self):
        self.assertEqual(u.node_action('suspended', dict(suspended=False)), 'suspend')
        self.assertIsNone(u.node_action('suspended', dict(suspended=True)))
        self.assertEqual(u.node_action('resumed', dict(suspended=True)), 'resume')
        self.assertIsNone(u.node_action('resumed', dict(suspended=False)))

    def test_views_read_the_status_document(self):
        status = dict(Nodes=[dict(Name='n1', State='Suspended')], Groups=[dict(Name='g1', State='online', Owner='n2')])
        self.assertEqual(u.group_view(status, 'g1'), dict(name='g1', state='online', owner='n2'))
        self.assertIsNone(u.group_view(status, 'g2'))
        self.assertEqual(u.node_view(status, 'n1'), dict(name='n1', state='suspended', suspended=True))

    def test_mirrors_in_sync_only_when_every_copy_is(self):
        good = dict(Connection='Connected', Disk='UpToDate', Sync='None')
        self.assertTrue(u.mirrors_in_sync([]))
        self.assertTrue(u.mirrors_in_sync([good, good]))
        self.assertFalse(u.mirrors_in_sync([good, dict(good, Disk='Outdated')]))
        self.assertFalse(u.mirrors_in_sync([good, dict(good, Sync='SyncTarget')]))
        self.assertFalse(u.mirrors_in_sync([dict(good, Connection='Connecting')]))

    def test_config_changed_only_for_a_non_empty_difference(self):
        self.assertFalse(u.config_changed(dict(diff=dict(empty=True))))
        self.assertTrue(u.config_changed(dict(diff=dict(empty=False, changed=['x']))))
        self.assertFalse(u.config_changed(dict()))


class ConnectionAndMessageTests(unittest.TestCase):
    def test_https_needs_a_fingerprint(self):
        with self.assertRaisesRegex(ValueError, r'^endpoints\[1\]\.fingerprint:'):
            u.connection_request(dict(endpoints=[dict(url='https://a:1', fingerprint='AB'), dict(url='https://b:1')], token='t' * 20))

    def test_a_token_is_needed(self):
        with self.assertRaisesRegex(ValueError, '^token:'):
            u.connection_request(dict(endpoints=[dict(url='http://127.0.0.1:1')]))

    def test_errors_show_path_message_fix_and_id(self):
        text = u.format_errors([dict(path='groups[0].resources[1].ip', message="'x' is not an IPv4 address", fix='write a.b.c.d', id='ExpressHa.ConfigInvalid'),
                                dict(message='no endpoint answered', id='ExpressHa.ConnectionFailed')])
        self.assertEqual(text, "groups[0].resources[1].ip: 'x' is not an IPv4 address (fix: write a.b.c.d) [ExpressHa.ConfigInvalid]; "
                               "no endpoint answered [ExpressHa.ConnectionFailed]")

    def test_pwsh_command_from_option_then_environment(self):
        self.assertEqual(u.pwsh_command('dotnet exec /x/pwsh.dll', {})[:3], ['dotnet', 'exec', '/x/pwsh.dll'])
        self.assertEqual(u.pwsh_command(None, {'EXPRESSHA_PWSH': '/opt/pwsh'})[0], '/opt/pwsh')
        self.assertEqual(u.pwsh_command(None, {})[0], 'pwsh')
        self.assertEqual(u.module_path(None, {}), 'ExpressHa')

    def test_the_script_carries_no_request(self):
        # The token travels on stdin only: the command line holds the script, which is fixed text.
        import base64
        self.assertEqual(base64.b64decode(u.encoded_script()).decode('utf-16-le'), u.SCRIPT)
        self.assertIn('[Console]::In.ReadToEnd()', u.SCRIPT)


if __name__ == '__main__':
    unittest.main()
