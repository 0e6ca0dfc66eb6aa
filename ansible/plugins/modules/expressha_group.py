#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: ExpressHa developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: expressha_group
short_description: Start, stop or move an ExpressHa failover group
version_added: "1.0.0"
description:
  - Brings a failover group to the wanted state with C(Start-HaGroup), C(Stop-HaGroup) or C(Move-HaGroup) and waits
    until it got there. Nothing is done (C(changed=false)) when the group already is where it should be.
  - Check mode reports what would be done without doing it.
author: ExpressHa developers
requirements:
  - PowerShell 7 (pwsh) and the ExpressHa module where the module runs
options:
  name:
    description: The group.
    type: str
    required: true
  state:
    description:
      - C(started) online (on I(node) when given), C(stopped) offline, C(moved) online on I(node).
    type: str
    choices: [started, stopped, moved]
    default: started
  node:
    description: The server the group should run on (required with I(state=moved)).
    type: str
  wait_timeout:
    description: Seconds to wait for the group to arrive.
    type: int
    default: 120
  endpoints:
    description: API endpoints of the cluster's nodes, tried in order until one answers.
    type: list
    elements: dict
    required: true
extends_documentation_fragment:
  - expressha.cluster.connection
notes:
  - Supports check mode and diff mode (owner and state before and after).
'''

EXAMPLES = r'''
- name: Move failover1 to server2 and wait until it is online there
  expressha.cluster.expressha_group:
    name: failover1
    state: moved
    node: server2
    endpoints: "{{ expressha_api_endpoints }}"
    token: "{{ expressha_api_token }}"
  delegate_to: localhost
  run_once: true
'''

RETURN = r'''
group:
  description: The group after the task.
  returned: success
  type: dict
  sample: {name: failover1, state: online, owner: server2}
before:
  description: The group before the task.
  returned: success
  type: dict
action:
  description: What was done (start, stop, move) or null.
  returned: success
  type: str
elapsed:
  description: Seconds the cmdlet took from the request until the group arrived (C(-Wait)).
  returned: success
  type: float
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.expressha.cluster.plugins.module_utils.expressha_pwsh import (
    CONNECTION_ARGS, PwshError, format_errors, group_action, group_view, read_status, run_pwsh)


def argument_spec():
    spec = dict(
        name=dict(type='str', required=True),
        state=dict(type='str', choices=['started', 'stopped', 'moved'], default='started'),
        node=dict(type='str'),
        wait_timeout=dict(type='int', default=120),
    )
    spec.update(CONNECTION_ARGS)
    spec['endpoints'] = dict(CONNECTION_ARGS['endpoints'], required=True)
    return spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True,
                           required_if=[('state', 'moved', ['node'])])
    p = module.params
    # pwsh must outlive the wait it was asked for.
    p['timeout'] = max(p['timeout'], p['wait_timeout'] + 60)
    conn, answer = read_status(module)
    before = group_view(answer.get('status'), p['name'])
    if before is None:
        module.fail_json(msg="name: the cluster has no group '%s' [ExpressHa.GroupNotFound]" % p['name'])
    action = group_action(p['state'], before, p['node'])
    result = dict(changed=action is not None, action=action, before=before, group=before, elapsed=0.0)
    if module._diff:
        result['diff'] = dict(before='%(state)s on %(owner)s\n' % before,
                              after=('offline\n' if p['state'] == 'stopped' else 'online on %s\n' % (p['node'] or before['owner'] or 'its first server')))
    if action is None or module.check_mode:
        module.exit_json(**result)
    try:
        answer = run_pwsh(module, dict(conn, op='group', action=action, name=p['name'], node=p['node'], wait_timeout=p['wait_timeout']))
    except PwshError as e:
        module.fail_json(msg=str(e), **result)
    result['elapsed'] = round((answer.get('elapsed_ms') or 0) / 1000.0, 3)
    after = group_view(answer.get('status'), p['name'])
    if after:
        result['group'] = after
    if not answer.get('ok'):
        module.fail_json(msg=format_errors(answer.get('errors') or []), errors=answer.get('errors'), **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
