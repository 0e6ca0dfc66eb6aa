#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: ExpressHa developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: expressha_info
short_description: Read an ExpressHa cluster's status, groups and mirrors
version_added: "1.0.0"
description:
  - Reads C(Get-HaClusterStatus) (nodes, groups and their owners, resources, monitors, config generation) and,
    with I(mirrors), C(Get-HaMirror). Changes nothing.
author: ExpressHa developers
requirements:
  - PowerShell 7 (pwsh) and the ExpressHa module where the module runs
options:
  mirrors:
    description: Also read every mirror's state on every node.
    type: bool
    default: false
  endpoints:
    description: API endpoints of the cluster's nodes, tried in order until one answers.
    type: list
    elements: dict
    required: true
extends_documentation_fragment:
  - expressha.cluster.connection
'''

EXAMPLES = r'''
- name: Read the cluster
  expressha.cluster.expressha_info:
    endpoints: "{{ expressha_api_endpoints }}"
    token: "{{ expressha_api_token }}"
  delegate_to: localhost
  register: ha

- name: Show who runs failover1
  ansible.builtin.debug:
    msg: "{{ ha.groups.failover1.owner }}"
'''

RETURN = r'''
cluster_name:
  description: The cluster's name.
  returned: success
  type: str
generation:
  description: The config generation the cluster runs.
  returned: success
  type: int
nodes:
  description: Node name to C(state) (online, offline, suspended, lost).
  returned: success
  type: dict
groups:
  description: Group name to C(state) and C(owner).
  returned: success
  type: dict
  sample: {failover1: {state: online, owner: server1}}
mirrors:
  description: Mirror states per node, as C(Get-HaMirror) reports them (Name, Node, Role, Connection, Disk, Sync, SyncPercent, ...).
  returned: when mirrors is true
  type: list
  elements: dict
mirrors_in_sync:
  description: Every copy of every mirror is connected, up to date and not resyncing (true when there is no mirror).
  returned: when mirrors is true
  type: bool
status:
  description: The whole status document.
  returned: success
  type: dict
endpoint:
  description: The endpoint that answered.
  returned: success
  type: str
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.expressha.cluster.plugins.module_utils.expressha_pwsh import (
    CONNECTION_ARGS, mirrors_in_sync, read_status)


def argument_spec():
    spec = dict(mirrors=dict(type='bool', default=False))
    spec.update(CONNECTION_ARGS)
    spec['endpoints'] = dict(CONNECTION_ARGS['endpoints'], required=True)
    return spec


def summarize(status):
    """The facts playbooks use most: node states, group states and owners."""
    nodes = dict((n['Name'], dict(state=n['State'])) for n in status.get('Nodes') or [])
    groups = dict((g['Name'], dict(state=g['State'], owner=g.get('Owner'), generation=g.get('Generation')))
                  for g in status.get('Groups') or [])
    return dict(cluster_name=status.get('ClusterName'), generation=status.get('ConfigGeneration'), nodes=nodes, groups=groups)


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    p = module.params
    answer = read_status(module, mirrors=p['mirrors'])[1]
    status = answer.get('status') or {}
    result = dict(changed=False, status=status, endpoint=answer.get('endpoint'), **summarize(status))
    if p['mirrors']:
        result['mirrors'] = answer.get('mirrors') or []
        result['mirrors_in_sync'] = mirrors_in_sync(result['mirrors'])
    module.exit_json(**result)


if __name__ == '__main__':
    main()
