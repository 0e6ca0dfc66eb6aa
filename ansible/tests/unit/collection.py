"""Makes ansible_collections.expressha.cluster importable from this checkout (a temporary ansible_collections tree
with a link to the collection), and drives a module's main() with given arguments and a canned pwsh."""
import atexit
import json
import os
import shutil
import sys
import tempfile

_root = tempfile.mkdtemp(prefix='expressha-unit-')
atexit.register(shutil.rmtree, _root, True)
os.makedirs(os.path.join(_root, 'ansible_collections', 'expressha'))
os.symlink(os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..')),
           os.path.join(_root, 'ansible_collections', 'expressha', 'cluster'))
sys.path.insert(0, _root)

from ansible.module_utils import basic  # noqa: E402
from ansible.module_utils.common.text.converters import to_bytes  # noqa: E402
from ansible_collections.expressha.cluster.plugins.module_utils import expressha_pwsh as pwsh_utils  # noqa: E402


class Exit(Exception):
    def __init__(self, result, failed):
        Exception.__init__(self, result.get('msg', ''))
        self.result = result
        self.failed = failed


def run_module(module, args, answers, check_mode=False, diff=False):
    """Runs module.main() with args; answers is the list of pwsh answers in call order. Returns (result, failed,
    requests) where requests are the requests the module sent to pwsh."""
    args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff, _ansible_remote_tmp='/tmp', _ansible_keep_remote_files=False)
    basic._ANSIBLE_ARGS = to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args}))
    requests = []
    queue = list(answers)

    def fake_run(_module, request):
        requests.append(request)
        if not queue:
            raise AssertionError('pwsh called more often than expected: %r' % (request,))
        return queue.pop(0)

    def exit_json(self, **kwargs):
        raise Exit(kwargs, False)

    def fail_json(self, msg, **kwargs):
        kwargs['msg'] = msg
        raise Exit(kwargs, True)

    # The module's own calls and the shared ones in module_utils (read_status) both go to the canned answers.
    saved = (getattr(module, 'run_pwsh', None), pwsh_utils.run_pwsh, basic.AnsibleModule.exit_json, basic.AnsibleModule.fail_json)
    module.run_pwsh = fake_run
    pwsh_utils.run_pwsh = fake_run
    basic.AnsibleModule.exit_json = exit_json
    basic.AnsibleModule.fail_json = fail_json
    try:
        module.main()
    except Exit as e:
        return e.result, e.failed, requests
    finally:
        own_run, pwsh_utils.run_pwsh, basic.AnsibleModule.exit_json, basic.AnsibleModule.fail_json = saved
        if own_run is None:
            del module.run_pwsh
        else:
            module.run_pwsh = own_run
    raise AssertionError('the module neither exited nor failed')
