#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: ExpressHa developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: expressha_config
short_description: Make an ExpressHa cluster run the described config
version_added: "1.0.0"
description:
  - Builds the cluster config from the description with the ExpressHa cmdlets (C(New-HaCluster), C(Add-HaNode),
    C(Set-HaCluster), C(Add-HaGroup), C(Add-HaResource), C(Add-HaMonitor)/C(Set-HaMonitor)), validates it with
    C(Test-HaClusterConfig) and, with I(state=present), compares it with the running config (the service's dry-run
    push) and publishes it with C(Publish-HaClusterConfig) (two phases, every node or none) only when they differ.
  - Check mode runs the dry-run push only and returns its difference; nothing is applied.
  - A validation finding, a refusal by a node, an unreachable endpoint or a wrong token fails the task with the
    field path and the cmdlet's message; the running cluster stays as it was.
  - Runs pwsh with the ExpressHa module where the task runs, normally the controller (delegate the task to C(localhost)).
author: ExpressHa developers
requirements:
  - PowerShell 7 (pwsh) and the ExpressHa module where the module runs
options:
  state:
    description:
      - C(present) makes the cluster run the config; C(rendered) only builds and validates it (no cluster needed),
        writing it to I(dest) when given.
    type: str
    choices: [present, rendered]
    default: present
  cluster:
    description:
      - Cluster-wide settings; keys as in the cluster YAML, in snake_case.
      - C(name) (required), C(interconnects) (list of names or of C(name)/C(role)), C(heartbeat) (C(interval_ms),
        C(timeout_ms), C(port)), C(partition_resolution) (C(ping_targets), C(ping_interval_ms), C(ping_timeout_ms),
        C(witness_url), C(witness_timeout_ms), C(witness_heartbeat), C(tcp_target), C(tcp_timeout_ms), C(majority),
        C(action)), C(fencing) (C(type), C(command), C(levels), C(delay_seconds), C(timeout_seconds), C(retries)),
        C(notifications) (C(sns_topic_arn), C(sns_min_level)), C(aws) (C(region), C(profile_name), C(endpoints),
        C(proxy)), C(security) (C(key_file), C(api_token_file), C(api_port), C(api_tls)), C(shutdown_command),
        C(reboot_command).
    type: dict
    required: true
  nodes:
    description:
      - The servers; each C(name), C(addresses) (interconnect to address) or C(address), C(priority),
        C(instance_id), C(availability_zone), C(heartbeat_port), C(api_port).
    type: list
    elements: dict
    required: true
  groups:
    description:
      - Failover groups; each C(name), C(servers) (ordered failover policy), C(startup), C(failback) and
        C(resources). A resource has C(name), C(type), C(depends_on), C(activation) (C(retries), C(failovers),
        C(final_action)), C(deactivation) (C(retries), C(final_action)), C(monitor) (false adds no default
        monitor) and its type's parameters (C(Get-HaTypeSchema)); a per-node parameter is one value or a map keyed
        by node name.
    type: list
    elements: dict
    default: []
  monitors:
    description:
      - Monitors; each C(name), C(type), C(target), C(interval_seconds), C(timeout_seconds), C(retry), C(timing),
        C(start_wait_seconds), C(recovery) (C(target), C(restarts), C(failovers), C(final_action)),
        C(on_api_failure) and its type's parameters. A monitor that a resource added by default (same name) is
        changed, not added twice.
    type: list
    elements: dict
    default: []
  dest:
    description: With I(state=rendered), the file the YAML is written to (on the host the module runs on).
    type: path
  endpoints:
    description: API endpoints of the cluster's nodes, tried in order until one answers (I(state=present)).
    type: list
    elements: dict
extends_documentation_fragment:
  - expressha.cluster.connection
notes:
  - Check mode and diff mode are supported; the diff is the running YAML against the desired YAML, and C(config_diff)
    is the service's object-level difference (added, removed, changed, groups to restart).
'''

EXAMPLES = r'''
- name: Make the cluster run the inventory's description
  expressha.cluster.expressha_config:
    cluster:
      name: onprem
      interconnects: [lan1]
      heartbeat: {interval_ms: 500, timeout_ms: 5000}
      partition_resolution: {ping_targets: [10.0.0.254]}
    nodes:
      - {name: server1, addresses: {lan1: 10.0.0.1}, priority: 0}
      - {name: server2, addresses: {lan1: 10.0.0.2}, priority: 1}
    groups:
      - name: failover1
        servers: [server1, server2]
        resources:
          - {name: fip1, type: floatip, ip: 10.0.0.12, prefix_length: 24, interface: eth0}
    endpoints:
      - {url: "https://10.0.0.1:29003", fingerprint: "{{ fp_server1 }}"}
      - {url: "https://10.0.0.2:29003", fingerprint: "{{ fp_server2 }}"}
    token: "{{ vault_expressha_api_token }}"
  delegate_to: localhost
  run_once: true

- name: Only build and validate the YAML (no cluster needed)
  expressha.cluster.expressha_config:
    state: rendered
    cluster: {name: onprem}
    nodes: [{name: server1, address: 10.0.0.1}]
    dest: /tmp/cluster.yaml
  delegate_to: localhost
'''

RETURN = r'''
yaml:
  description: The desired config as the cmdlets wrote it.
  returned: success
  type: str
config_diff:
  description: The service's difference between the running and the desired config.
  returned: state=present
  type: dict
  sample: {added: ["monitors/webw"], removed: [], changed: ["groups/failover1/resources/app"], group_restarts: [], needs_suspend: false, empty: false}
generation:
  description: The config generation the cluster runs after the task.
  returned: state=present
  type: int
warnings_found:
  description: Validation warnings (path, message, fix).
  returned: always
  type: list
  elements: dict
endpoint:
  description: The endpoint that answered.
  returned: state=present
  type: str
'''

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.expressha.cluster.plugins.module_utils.expressha_pwsh import (
    CONNECTION_ARGS, PwshError, cluster_calls, config_changed, config_diff, connection_request, format_errors, run_pwsh)


def argument_spec():
    spec = dict(
        state=dict(type='str', choices=['present', 'rendered'], default='present'),
        cluster=dict(type='dict', required=True),
        nodes=dict(type='list', elements='dict', required=True),
        groups=dict(type='list', elements='dict', default=[]),
        monitors=dict(type='list', elements='dict', default=[]),
        dest=dict(type='path'),
    )
    spec.update(CONNECTION_ARGS)
    return spec


def write_rendered(module, dest, text):
    """Writes the rendered YAML when it differs; returns (changed, before)."""
    before = ''
    if os.path.exists(dest):
        with open(dest) as f:
            before = f.read()
    if before == text:
        return False, before
    if not module.check_mode:
        tmp = dest + '.tmp'
        with open(tmp, 'w') as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.rename(tmp, dest)
    return True, before


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    p = module.params
    try:
        calls = cluster_calls(dict(cluster=p['cluster'], nodes=p['nodes'], groups=p['groups'], monitors=p['monitors']))
        request = dict(op='render' if p['state'] == 'rendered' else 'config', calls=calls, apply=not module.check_mode)
        if p['state'] == 'present':
            request.update(connection_request(p))
    except ValueError as e:
        module.fail_json(msg=str(e))
    try:
        answer = run_pwsh(module, request)
    except PwshError as e:
        module.fail_json(msg=str(e))

    result = dict(changed=False, warnings_found=answer.get('warnings') or [], yaml=answer.get('yaml'))
    for w in result['warnings_found']:
        module.warn(format_errors([w]))
    if not answer.get('ok'):
        module.fail_json(msg=format_errors(answer.get('errors') or []), errors=answer.get('errors'), **result)

    if p['state'] == 'rendered':
        if p['dest']:
            changed, before = write_rendered(module, p['dest'], answer['yaml'])
            result['changed'] = changed
            if module._diff:
                result['diff'] = dict(before=before, after=answer['yaml'], before_header=p['dest'], after_header=p['dest'])
        module.exit_json(**result)

    result.update(changed=config_changed(answer), config_diff=answer.get('diff'), endpoint=answer.get('endpoint'),
                  generation=answer.get('generation') or answer.get('running_generation'))
    if module._diff and result['changed']:
        result['diff'] = config_diff(answer, answer.get('yaml'))
    module.exit_json(**result)


if __name__ == '__main__':
    main()
