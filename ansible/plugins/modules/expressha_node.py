#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: ExpressHa developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: expressha_node
short_description: Suspend or resume an ExpressHa node for maintenance
version_added: "1.0.0"
description:
  - Suspends a node (C(Suspend-HaNode)) so that it takes no group while it is maintained, or resumes it
    (C(Resume-HaNode)). Nothing is done when the node already is in that state.
  - Move the node's groups away first (M(expressha.cluster.expressha_group)); the playbook C(rolling-upgrade.yml)
    shows the whole sequence.
author: ExpressHa developers
requirements:
  - PowerShell 7 (pwsh) and the ExpressHa module where the module runs
options:
  name:
    description: The node.
    type: str
    required: true
  state:
    description: C(suspended) or C(resumed).
    type: str
    choices: [suspended, resumed]
    default: suspended
  endpoints:
    description: API endpoints of the cluster's nodes, tried in order until one answers.
    type: list
    elements: dict
    required: true
extends_documentation_fragment:
  - expressha.cluster.connection
notes:
  - Supports check mode and diff mode.
'''

EXAMPLES = r'''
- name: Suspend server1
  expressha.cluster.expressha_node:
    name: server1
    state: suspended
    endpoints: "{{ expressha_api_endpoints }}"
    token: "{{ expressha_api_token }}"
  delegate_to: localhost
'''

RETURN = r'''
node:
  description: The node after the task (name, state, suspended).
  returned: success
  type: dict
before:
  description: The node before the task.
  returned: success
  type: dict
action:
  description: suspend, resume or null.
  returned: success
  type: str
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.expressha.cluster.plugins.module_utils.expressha_pwsh import (
    CONNECTION_ARGS, PwshError, format_errors, node_action, node_view, read_status, run_pwsh)


def argument_spec():
    spec = dict(
        name=dict(type='str', required=True),
        state=dict(type='str', choices=['suspended', 'resumed'], default='suspended'),
    )
    spec.update(CONNECTION_ARGS)
    spec['endpoints'] = dict(CONNECTION_ARGS['endpoints'], required=True)
    return spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    p = module.params
    conn, answer = read_status(module)
    before = node_view(answer.get('status'), p['name'])
    if before is None:
        module.fail_json(msg="name: the cluster has no node '%s' [ExpressHa.NodeNotFound]" % p['name'])
    action = node_action(p['state'], before)
    result = dict(changed=action is not None, action=action, before=before, node=before)
    if module._diff:
        result['diff'] = dict(before=before['state'] + '\n', after=('suspended\n' if p['state'] == 'suspended' else 'online\n'))
    if action is None or module.check_mode:
        module.exit_json(**result)
    try:
        answer = run_pwsh(module, dict(conn, op='node', action=action, name=p['name']))
    except PwshError as e:
        module.fail_json(msg=str(e), **result)
    after = node_view(answer.get('status'), p['name'])
    if after:
        result['node'] = after
    if not answer.get('ok'):
        module.fail_json(msg=format_errors(answer.get('errors') or []), errors=answer.get('errors'), **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
