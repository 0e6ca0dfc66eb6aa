# -*- coding: utf-8 -*-
# Copyright: ExpressHa developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one bridge between the modules and the ExpressHa cmdlets: a PowerShell script fed a JSON request on stdin,
answering one JSON document on stdout. Everything else here is pure (no I/O) so unit tests run without pwsh."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import json
import os
import re
import shlex

# Options every module shares: where pwsh and the module are, and how to reach the cluster.
CONNECTION_ARGS = dict(
    endpoints=dict(type='list', elements='dict', options=dict(
        url=dict(type='str', required=True),
        fingerprint=dict(type='str'),
    )),
    token=dict(type='str', no_log=True),
    token_file=dict(type='path'),
    pwsh=dict(type='str'),
    module_path=dict(type='str'),
    timeout=dict(type='int', default=120),
)

# The PowerShell side. It never prints a secret: the token arrives on stdin and becomes a SecureString.
SCRIPT = r'''
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$WarningPreference = 'SilentlyContinue'
$req = [Console]::In.ReadToEnd() | ConvertFrom-Json -AsHashtable
$out = [ordered]@{ ok = $true; errors = @(); warnings = @() }
function Add-Problem($Record, [string]$Path) {
    $id = "$($Record.FullyQualifiedErrorId)".Split(',')[0]
    $script:out.ok = $false
    $script:out.errors += [ordered]@{ id = $id; message = $Record.Exception.Message; path = $Path }
}
function Connect-Any {
    $reasons = @()
    foreach ($e in $req.endpoints) {
        try {
            $p = @{ Endpoint = $e.url; ErrorAction = 'Stop' }
            if ($e.fingerprint) { $p.CertificateFingerprint = $e.fingerprint }
            if ($req.token) { $p.Token = ConvertTo-SecureString $req.token -AsPlainText -Force } else { $p.TokenFile = $req.token_file }
            Connect-HaCluster @p
            $null = Get-HaClusterStatus -ErrorAction Stop
            $script:out.endpoint = $e.url
            return $true
        } catch {
            $reasons += "$($e.url): $($_.Exception.Message)"
            $script:lastConnectError = $_
        }
    }
    $script:out.ok = $false
    $id = if ($script:lastConnectError) { "$($script:lastConnectError.FullyQualifiedErrorId)".Split(',')[0] } else { 'ExpressHa.NotConnected' }
    $script:out.errors += [ordered]@{ id = $id; message = 'no endpoint answered: ' + ($reasons -join '; '); path = 'endpoints' }
    return $false
}
function Build-Config {
    $c = $null
    foreach ($call in $req.calls) {
        $p = if ($call.params) { $call.params } else { @{} }
        $name = $call.cmdlet
        if ($name -eq 'Add-OrSet-HaMonitor') {
            $name = if ($c.Monitors | Where-Object Name -eq $p.Name) { $p.Remove('Type'); 'Set-HaMonitor' } else { 'Add-HaMonitor' }
        }
        if ($name -ne 'New-HaCluster') { $p.InputObject = $c }
        $warn = $null
        try {
            $r = & $name @p -ErrorAction Stop -WarningVariable warn -WarningAction SilentlyContinue
            if ($name -eq 'New-HaCluster') { $c = $r }
        } catch {
            Add-Problem $_ $call.path
            return $null
        }
    }
    $findings = @(Test-HaClusterConfig -InputObject $c)
    foreach ($f in $findings) {
        $item = [ordered]@{ id = "ExpressHa.$($f.Code)"; message = $f.Message; path = $f.Path; fix = $f.Fix }
        if ($f.IsError) { $script:out.ok = $false; $script:out.errors += $item } else { $script:out.warnings += $item }
    }
    if (-not $script:out.ok) { return $null }
    $script:out.yaml = $c.ToYaml()
    return $c
}
try {
    Import-Module $req.module_path -ErrorAction Stop
    switch ($req.op) {
        'render' { $null = Build-Config }
        'config' {
            $c = Build-Config
            if ($c -and (Connect-Any)) {
                $out.running_yaml = Get-HaClusterConfig -Raw
                $running = Get-HaClusterConfig
                $out.running_generation = $running.Generation
                $diff = $null
                try { $diff = Compare-HaClusterConfig -InputObject $c -ErrorAction Stop } catch { Add-Problem $_ 'cluster' }
                if ($diff) {
                    $out.diff = [ordered]@{ added = @($diff.Added); removed = @($diff.Removed); changed = @($diff.Changed);
                        group_restarts = @($diff.GroupRestarts); needs_suspend = $diff.NeedsSuspend; empty = $diff.IsEmpty }
                    if ($req.apply -and -not $diff.IsEmpty) {
                        try {
                            $r = Publish-HaClusterConfig -InputObject $c -Confirm:$false -ErrorAction Stop
                            $out.generation = $r.Generation
                            $out.applied = $r.Applied
                        } catch { Add-Problem $_ 'cluster' }
                    }
                }
            }
        }
        'status' {
            if (Connect-Any) {
                $out.status = Get-HaClusterStatus | ConvertTo-Json -Depth 12 | ConvertFrom-Json -AsHashtable
                if ($req.mirrors) {
                    $out.mirrors = @(Get-HaMirror -WarningAction SilentlyContinue | ForEach-Object {
                        $_ | ConvertTo-Json -Depth 6 | ConvertFrom-Json -AsHashtable })
                }
            }
        }
        'group' {
            if (Connect-Any) {
                $p = @{ Name = $req.name; Wait = $true; TimeoutSeconds = $req.wait_timeout; ErrorAction = 'Stop' }
                if ($req.node) { $p.Node = $req.node }
                $watch = [System.Diagnostics.Stopwatch]::StartNew()
                try {
                    switch ($req.action) {
                        'start' { Start-HaGroup @p | Out-Null }
                        'stop' { $p.Remove('Node'); Stop-HaGroup @p | Out-Null }
                        'move' { Move-HaGroup @p | Out-Null }
                    }
                } catch { Add-Problem $_ 'name' }
                $out.elapsed_ms = $watch.ElapsedMilliseconds
                $out.status = Get-HaClusterStatus | ConvertTo-Json -Depth 12 | ConvertFrom-Json -AsHashtable
            }
        }
        'node' {
            if (Connect-Any) {
                try {
                    if ($req.action -eq 'suspend') { Suspend-HaNode -Name $req.name -ErrorAction Stop | Out-Null }
                    else { Resume-HaNode -Name $req.name -ErrorAction Stop | Out-Null }
                } catch { Add-Problem $_ 'name' }
                $out.status = Get-HaClusterStatus | ConvertTo-Json -Depth 12 | ConvertFrom-Json -AsHashtable
            }
        }
        default { throw "unknown operation '$($req.op)'" }
    }
} catch {
    Add-Problem $_ ''
}
$out | ConvertTo-Json -Depth 14 -Compress
'''


class PwshError(Exception):
    """pwsh could not run or did not answer JSON."""


def pwsh_command(option, environ=None):
    """The pwsh command line: the module option, else $EXPRESSHA_PWSH, else pwsh on PATH."""
    environ = os.environ if environ is None else environ
    text = option or environ.get('EXPRESSHA_PWSH') or 'pwsh'
    return shlex.split(text) + ['-NoProfile', '-NonInteractive', '-EncodedCommand']


def encoded_script():
    return base64.b64encode(SCRIPT.encode('utf-16-le')).decode('ascii')


def module_path(option, environ=None):
    environ = os.environ if environ is None else environ
    return option or environ.get('EXPRESSHA_MODULE_PATH') or 'ExpressHa'


def connection_request(params):
    """The connection part of a request; fails early with the option's name when it cannot work."""
    endpoints = params.get('endpoints') or []
    if not endpoints:
        raise ValueError('endpoints: give at least one API endpoint (url, and fingerprint for https)')
    for i, e in enumerate(endpoints):
        if e['url'].startswith('https://') and not e.get('fingerprint'):
            raise ValueError('endpoints[%d].fingerprint: %s is https; give the SHA-256 fingerprint of its API certificate '
                             '(expresshad api-fingerprint --state-dir DIR on that node)' % (i, e['url']))
    if not params.get('token') and not params.get('token_file'):
        raise ValueError('token: give the API token (token, typically from a vault) or token_file')
    return dict(endpoints=[dict(url=e['url'], fingerprint=e.get('fingerprint')) for e in endpoints],
                token=params.get('token'), token_file=params.get('token_file'))


def format_errors(errors):
    """One line per problem: the field path first, then the cmdlet's message and its ErrorId."""
    lines = []
    for e in errors:
        path = e.get('path') or ''
        text = '%s: %s' % (path, e.get('message', '')) if path else e.get('message', '')
        if e.get('fix'):
            text += ' (fix: %s)' % e['fix']
        if e.get('id'):
            text += ' [%s]' % e['id']
        lines.append(text)
    return '; '.join(lines)


def run_pwsh(module, request):
    """Runs the script with the request on stdin and returns its JSON answer (a dict with ok, errors, warnings)."""
    cmd = pwsh_command(module.params.get('pwsh'))
    request = dict(request, module_path=module_path(module.params.get('module_path')))
    # The script (no secret in it) goes on the command line, the request (the token) on stdin only.
    limit = module.get_bin_path('timeout')
    if limit and module.params.get('timeout'):
        cmd = [limit, str(module.params['timeout'])] + cmd
    rc, out, err = module.run_command(cmd + [encoded_script()], data=json.dumps(request), binary_data=True)
    if rc == 124 and limit:
        raise PwshError('pwsh did not finish within %d seconds (timeout)' % module.params['timeout'])
    text = out.strip().splitlines()
    if not text:
        raise PwshError('pwsh answered nothing (exit code %d): %s' % (rc, err.strip()))
    try:
        return json.loads(text[-1])
    except ValueError:
        raise PwshError('pwsh did not answer JSON (exit code %d): %s %s' % (rc, out.strip()[-2000:], err.strip()[-2000:]))


_CAMEL = re.compile(r'_([a-z0-9])')


def read_status(module, **options):
    """The connection request and pwsh's answer to the status operation (options such as mirrors=True go with it).
    Fails the task when the connection options are wrong, pwsh cannot run, or no endpoint answered."""
    try:
        conn = connection_request(module.params)
        answer = run_pwsh(module, dict(conn, op='status', **options))
    except (ValueError, PwshError) as e:
        module.fail_json(msg=str(e))
    if not answer.get('ok'):
        module.fail_json(msg=format_errors(answer.get('errors') or []), errors=answer.get('errors'))
    return conn, answer


def camel(name):
    """prefix_length -> prefixLength; a name already in camelCase stays as it is."""
    return _CAMEL.sub(lambda m: m.group(1).upper(), name)


def pascal(name):
    c = camel(name)
    return c[:1].upper() + c[1:]


def _drop_none(d):
    """Parameters left out: None, and the empty string a template gives for an unset variable."""
    return dict((k, v) for k, v in d.items() if v is not None and v != '')


RESOURCE_COMMON = ('name', 'type', 'depends_on', 'activation', 'deactivation', 'monitor')
MONITOR_COMMON = ('name', 'type', 'target', 'interval_seconds', 'timeout_seconds', 'retry', 'timing',
                  'start_wait_seconds', 'recovery', 'on_api_failure')


def cluster_calls(spec):
    """The cmdlet calls that build the described cluster, in order, each with the field path it came from.
    spec: {cluster: {...}, nodes: [...], groups: [...], monitors: [...]} as documented in expressha_config."""
    cluster = spec.get('cluster') or {}
    calls = []
    if not cluster.get('name'):
        raise ValueError('cluster.name: the cluster needs a name')
    ics = cluster.get('interconnects') or []
    new = dict(Name=cluster['name'])
    if ics:
        new['Interconnect'] = [i['name'] if isinstance(i, dict) else i for i in ics]
        roles = dict((i['name'], i['role']) for i in ics if isinstance(i, dict) and i.get('role'))
        if roles:
            new['InterconnectRole'] = roles
    calls.append(dict(cmdlet='New-HaCluster', params=new, path='cluster'))

    nodes = spec.get('nodes') or []
    if not nodes:
        raise ValueError('nodes: the cluster needs at least one node')
    for i, n in enumerate(nodes):
        if not n.get('name'):
            raise ValueError('nodes[%d].name: every node needs a name' % i)
        p = _drop_none(dict(Name=n['name'], Priority=n.get('priority'), InstanceId=n.get('instance_id'),
                            AvailabilityZone=n.get('availability_zone'), HeartbeatPort=n.get('heartbeat_port'),
                            ApiPort=n.get('api_port')))
        if n.get('addresses'):
            p['Addresses'] = dict(n['addresses'])
        elif n.get('address'):
            p['Address'] = n['address']
        else:
            raise ValueError('nodes[%d].addresses: node %s needs an address per interconnect (or address)' % (i, n['name']))
        calls.append(dict(cmdlet='Add-HaNode', params=p, path='nodes[%d] (%s)' % (i, n['name'])))

    s = {}
    hb = cluster.get('heartbeat') or {}
    s.update(HeartbeatIntervalMs=hb.get('interval_ms'), HeartbeatTimeoutMs=hb.get('timeout_ms'), HeartbeatPort=hb.get('port'))
    pr = cluster.get('partition_resolution') or {}
    s.update(PingTarget=pr.get('ping_targets'), PingIntervalMs=pr.get('ping_interval_ms'), PingTimeoutMs=pr.get('ping_timeout_ms'),
             WitnessUrl=pr.get('witness_url'), WitnessTimeoutMs=pr.get('witness_timeout_ms'), WitnessHeartbeat=pr.get('witness_heartbeat'),
             TcpTarget=pr.get('tcp_target'), TcpTimeoutMs=pr.get('tcp_timeout_ms'), PartitionAction=pr.get('action'))
    if pr.get('majority'):
        s['Majority'] = True
    fe = cluster.get('fencing') or {}
    s.update(FencingType=fe.get('type'), FencingCommand=fe.get('command'), FencingDelay=fe.get('delay_seconds'),
             FencingTimeoutSeconds=fe.get('timeout_seconds'), FencingRetries=fe.get('retries'))
    if fe.get('levels'):
        s['FencingLevel'] = [dict((camel(k), v) for k, v in lv.items()) for lv in fe['levels']]
    no = cluster.get('notifications') or {}
    s.update(SnsTopicArn=no.get('sns_topic_arn'), SnsMinLevel=no.get('sns_min_level'))
    aws = cluster.get('aws') or {}
    s.update(Region=aws.get('region'), ProfileName=aws.get('profile_name'), AwsEndpoint=aws.get('endpoints'), Proxy=aws.get('proxy'))
    sec = cluster.get('security') or {}
    s.update(KeyFile=sec.get('key_file'), ApiTokenFile=sec.get('api_token_file'), ApiPort=sec.get('api_port'), ApiTls=sec.get('api_tls'))
    s.update(ShutdownCommand=cluster.get('shutdown_command'), RebootCommand=cluster.get('reboot_command'))
    s = _drop_none(s)
    if s:
        calls.append(dict(cmdlet='Set-HaCluster', params=s, path='cluster'))

    for gi, g in enumerate(spec.get('groups') or []):
        gpath = 'groups[%d] (%s)' % (gi, g.get('name'))
        p = _drop_none(dict(Name=g.get('name'), Server=g.get('servers'), Startup=g.get('startup'), Failback=g.get('failback')))
        calls.append(dict(cmdlet='Add-HaGroup', params=p, path=gpath))
        for ri, r in enumerate(g.get('resources') or []):
            rpath = 'groups[%d].resources[%d] (%s)' % (gi, ri, r.get('name'))
            if not r.get('type'):
                raise ValueError('%s.type: every resource needs a type' % rpath.split(' ')[0])
            act = r.get('activation') or {}
            dea = r.get('deactivation') or {}
            p = _drop_none(dict(Group=g.get('name'), Name=r.get('name'), Type=r['type'], DependsOn=r.get('depends_on'),
                                ActivationRetries=act.get('retries'), ActivationFailovers=act.get('failovers'),
                                ActivationFinalAction=act.get('final_action'), DeactivationRetries=dea.get('retries'),
                                DeactivationFinalAction=dea.get('final_action')))
            if r.get('monitor') is False:
                p['NoMonitor'] = True
            props = dict((camel(k), v) for k, v in r.items() if k not in RESOURCE_COMMON)
            if props:
                p['Property'] = props
            calls.append(dict(cmdlet='Add-HaResource', params=p, path=rpath))

    for mi, m in enumerate(spec.get('monitors') or []):
        mpath = 'monitors[%d] (%s)' % (mi, m.get('name'))
        rec = m.get('recovery') or {}
        p = _drop_none(dict(Name=m.get('name'), Type=m.get('type'), Target=m.get('target'), IntervalSeconds=m.get('interval_seconds'),
                            TimeoutSeconds=m.get('timeout_seconds'), Retry=m.get('retry'), Timing=m.get('timing'),
                            StartWaitSeconds=m.get('start_wait_seconds'), RecoveryTarget=rec.get('target'),
                            Restarts=rec.get('restarts'), Failovers=rec.get('failovers'), FinalAction=rec.get('final_action'),
                            OnApiFailure=m.get('on_api_failure')))
        props = dict((camel(k), v) for k, v in m.items() if k not in MONITOR_COMMON)
        if props:
            p['Property'] = props
        calls.append(dict(cmdlet='Add-OrSet-HaMonitor', params=p, path=mpath))
    return calls


def config_changed(answer):
    """A config run changed something only when the dry-run difference was not empty."""
    diff = answer.get('diff')
    return bool(diff) and not diff.get('empty', True)


def config_diff(answer, desired_yaml):
    """Ansible's diff: the running YAML before, the desired YAML after, under the cluster's name."""
    return dict(before=answer.get('running_yaml') or '', after=desired_yaml or '',
                before_header='running config (generation %s)' % answer.get('running_generation'),
                after_header='desired config')


def group_view(status, name):
    """The group's state and owner from a status document; None when the status has no such group."""
    for g in (status or {}).get('Groups') or (status or {}).get('groups') or []:
        gname = g.get('Name') or g.get('name')
        if gname == name:
            return dict(name=gname, state=str(g.get('State') or g.get('state') or '').lower(),
                        owner=g.get('Owner') or g.get('owner'))
    return None


def node_view(status, name):
    for n in (status or {}).get('Nodes') or (status or {}).get('nodes') or []:
        nname = n.get('Name') or n.get('name')
        if nname == name:
            state = str(n.get('State') or n.get('state') or '').lower()
            return dict(name=nname, state=state, suspended=state == 'suspended')
    return None


def group_action(state, current, node):
    """What expressha_group must do: None when the group is already where it should be.
    state: started|stopped|moved; current: group_view() of the group; node: the wanted server (or None)."""
    here = current['state'] in ('online', 'starting')
    if state == 'stopped':
        return 'stop' if current['state'] not in ('offline',) else None
    if state == 'started':
        if here and (not node or current['owner'] == node):
            return None
        return 'move' if (here and node) else 'start'
    if state == 'moved':
        if not node:
            raise ValueError('node: state=moved needs the server to move the group to')
        if here and current['owner'] == node:
            return None
        return 'move' if here else 'start'
    raise ValueError('state: %s is not started, stopped or moved' % state)


def node_action(state, current):
    """What expressha_node must do: suspend, resume or nothing."""
    if state == 'suspended':
        return None if current['suspended'] else 'suspend'
    if state == 'resumed':
        return 'resume' if current['suspended'] else None
    raise ValueError('state: %s is not suspended or resumed' % state)


def mirrors_in_sync(rows):
    """True when every copy of every mirror is connected, up to date and not resyncing (no copy missing)."""
    return all(str(r.get('Connection')) == 'Connected' and str(r.get('Disk')) == 'UpToDate' and str(r.get('Sync')) == 'None'
               for r in rows or [])
