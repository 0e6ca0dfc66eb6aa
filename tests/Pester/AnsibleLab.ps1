<#
    Test hosts for the Ansible collection: each node a network namespace (ehans-*, 198.19.20.0/24) behind a bridge in
    the root namespace, running its own sshd (Debian's openssh-server, a key made here) in a private mount namespace
    where /etc/expressha, /var/lib/expressha and /usr/lib/expressha are the node's own folders. ansible-playbook
    reaches them over SSH as it reaches servers. Dot-sourced by Ansible.Tests.ps1.
#>

$script:LabBridge = 'ehans-br'
$script:LabGateway = '198.19.20.1'
$script:LabHostDirs = '/etc/expressha', '/var/lib/expressha', '/usr/lib/expressha'

function Invoke-LabNative([string]$File, [string[]]$Arguments, [switch]$AllowFailure) {
    $out = & $File @Arguments 2>&1 | Out-String
    if ($LASTEXITCODE -ne 0 -and -not $AllowFailure) { throw "$File $($Arguments -join ' ') failed ($LASTEXITCODE): $out" }
    $out
}

# The namespace side of a node or client: a veth into the bridge, named eth0 inside.
function Add-LabNamespace([string]$Name, [string]$Address) {
    $ns = "ehans-$Name"
    $veth = "ehans-$Name" + 'v'
    Invoke-LabNative ip @('netns', 'add', $ns) | Out-Null
    Invoke-LabNative ip @('link', 'add', $veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', $ns) | Out-Null
    Invoke-LabNative ip @('link', 'set', $veth, 'master', $LabBridge, 'up') | Out-Null
    Invoke-LabNative ip @('-n', $ns, 'addr', 'add', "$Address/24", 'dev', 'eth0') | Out-Null
    Invoke-LabNative ip @('-n', $ns, 'link', 'set', 'eth0', 'up') | Out-Null
    Invoke-LabNative ip @('-n', $ns, 'link', 'set', 'lo', 'up') | Out-Null
    $ns
}

function New-AnsibleLab {
    param([Parameter(Mandatory)] [string]$Work, [string[]]$Nodes = @('server1', 'server2'))
    $lab = [pscustomobject]@{
        Work = $Work; Nodes = @(); ClientNs = $null; CreatedHostDirs = @(); Key = Join-Path $Work 'id_ed25519'
        Inventory = Join-Path $Work 'inventory.yml'; Config = Join-Path $Work 'ansible.cfg'; Collections = Join-Path $Work 'collections'
    }
    Clear-LabLeftovers
    foreach ($d in $LabHostDirs) {
        if (-not (Test-Path $d)) { New-Item -ItemType Directory -Path $d | Out-Null; $lab.CreatedHostDirs += $d }
    }
    if (-not (Test-Path /run/sshd)) { New-Item -ItemType Directory -Path /run/sshd | Out-Null }
    Invoke-LabNative ip @('link', 'add', $LabBridge, 'type', 'bridge') | Out-Null
    Invoke-LabNative ip @('addr', 'add', "$LabGateway/24", 'dev', $LabBridge) | Out-Null
    Invoke-LabNative ip @('link', 'set', $LabBridge, 'up') | Out-Null
    Invoke-LabNative ssh-keygen @('-q', '-t', 'ed25519', '-N', '', '-C', 'ehans-test', '-f', $lab.Key) | Out-Null

    $i = 0
    foreach ($name in $Nodes) {
        $i++
        $address = "198.19.20.$(10 + $i)"
        $root = Join-Path $Work $name
        foreach ($d in 'etc', 'var', 'lib', 'ssh') { New-Item -ItemType Directory -Path (Join-Path $root $d) -Force | Out-Null }
        $ns = Add-LabNamespace $name $address
        $ssh = Join-Path $root 'ssh'
        Invoke-LabNative ssh-keygen @('-q', '-t', 'ed25519', '-N', '', '-f', "$ssh/host_key") | Out-Null
        Copy-Item "$($lab.Key).pub" "$ssh/authorized_keys"
        @"
ListenAddress $address
Port 22
HostKey $ssh/host_key
AuthorizedKeysFile $ssh/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile $ssh/sshd.pid
Subsystem sftp internal-sftp
LogLevel ERROR
"@ | Set-Content "$ssh/sshd_config"
        # A private mount namespace: the node's own folders at the real paths; nothing leaks to the host.
        $binds = "mount --bind $root/etc /etc/expressha && mount --bind $root/var /var/lib/expressha && mount --bind $root/lib /usr/lib/expressha"
        $psi = [System.Diagnostics.ProcessStartInfo]::new('ip')
        foreach ($a in 'netns', 'exec', $ns, 'unshare', '--mount', '--propagation', 'private', '/bin/sh', '-c', "$binds && exec /usr/sbin/sshd -D -e -f $ssh/sshd_config") { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardError = $true; $psi.RedirectStandardOutput = $true
        $proc = [System.Diagnostics.Process]::Start($psi)
        $null = $proc.StandardError.ReadToEndAsync(); $null = $proc.StandardOutput.ReadToEndAsync()
        $lab.Nodes += [pscustomobject]@{ Name = $name; Ns = $ns; Address = $address; Root = $root; Sshd = $proc }
    }
    $lab.ClientNs = Add-LabNamespace 'cl' '198.19.20.30'
    foreach ($n in $lab.Nodes) {
        $null = Wait-Until -TimeoutSeconds 20 -Because "sshd of $($n.Name) did not listen on $($n.Address):22" {
            if ($n.Sshd.HasExited) { throw "sshd of $($n.Name) exited ($($n.Sshd.ExitCode))" }
            $c = [System.Net.Sockets.TcpClient]::new()
            try { $c.Connect($n.Address, 22); $true } catch { $false } finally { $c.Dispose() }
        }
    }
    $lab
}

# Links and namespaces of this prefix that an earlier run left (a crashed run, or a namespace the kernel had not
# finished tearing down): the host side of each veth is deleted explicitly, which removes its peer too.
function Clear-LabLeftovers {
    foreach ($line in (ip -o link show 2>$null)) {
        if ($line -match '^\d+:\s+(ehans-[^:@\s]+)') { ip link del $Matches[1] 2>$null }
    }
    foreach ($line in (ip netns list 2>$null)) {
        if ($line -match '^(ehans-\S+)') {
            foreach ($procId in (ip netns pids $Matches[1] 2>$null)) { if ($procId) { kill -KILL $procId 2>$null } }
            ip netns del $Matches[1] 2>$null
        }
    }
    $global:LASTEXITCODE = 0
}

# Everything the lab made goes, processes first: a process keeps running after its namespace is deleted.
function Remove-AnsibleLab($Lab) {
    if (-not $Lab) { return }
    foreach ($n in $Lab.Nodes) {
        foreach ($pidFile in "$($n.Root)/var/expresshad.pid") {
            if (Test-Path $pidFile) {
                $procId = (Get-Content $pidFile -Raw).Trim()
                if ($procId) { kill -KILL $procId 2>$null }
            }
        }
        # The demo application and anything else the service left in the namespace.
        $left = ip netns pids $n.Ns 2>$null
        foreach ($procId in $left) { if ($procId) { kill -KILL $procId 2>$null } }
        if ($n.Sshd -and -not $n.Sshd.HasExited) { $n.Sshd.Kill($true) }
    }
    if ($Lab.ClientNs) { foreach ($procId in (ip netns pids $Lab.ClientNs 2>$null)) { if ($procId) { kill -KILL $procId 2>$null } } }
    foreach ($ns in @($Lab.Nodes.Ns) + @($Lab.ClientNs)) { if ($ns) { ip link del "$($ns)v" 2>$null; ip netns del $ns 2>$null } }
    ip link del $LabBridge 2>$null
    foreach ($d in $Lab.CreatedHostDirs) { Remove-Item $d -Force -ErrorAction SilentlyContinue }
    $global:LASTEXITCODE = 0
}

function Write-LabAnsibleConfig($Lab, [string]$CollectionRoot) {
    $link = Join-Path $Lab.Collections 'ansible_collections/expressha'
    New-Item -ItemType Directory -Path $link -Force | Out-Null
    New-Item -ItemType SymbolicLink -Path (Join-Path $link 'cluster') -Target $CollectionRoot | Out-Null
    New-Item -ItemType Directory -Path (Join-Path $Lab.Work 'cp') -Force | Out-Null
    # Host key checking is off for these test hosts only (their keys are made per run).
    @"
[defaults]
host_key_checking = False
interpreter_python = /usr/bin/python3
forks = 5
retry_files_enabled = False
local_tmp = $($Lab.Work)/ansible-local

[ssh_connection]
ssh_args = -o ControlMaster=auto -o ControlPersist=120s -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no -o IdentitiesOnly=yes -o LogLevel=ERROR
control_path_dir = $($Lab.Work)/cp
pipelining = True
"@ | Set-Content $Lab.Config
}

# ansible-playbook with the lab's config; returns the exit code, the output and the recap per host.
function Invoke-LabPlaybook($Lab, [string]$Playbook, [string[]]$Arguments = @(), [hashtable]$Environment = @{}) {
    $psi = [System.Diagnostics.ProcessStartInfo]::new('/usr/bin/ansible-playbook')
    foreach ($a in @('-i', $Lab.Inventory, $Playbook) + $Arguments) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true
    $psi.WorkingDirectory = $Lab.Work
    $psi.Environment['ANSIBLE_CONFIG'] = $Lab.Config
    $psi.Environment['ANSIBLE_COLLECTIONS_PATH'] = $Lab.Collections
    $psi.Environment['ANSIBLE_NOCOLOR'] = '1'
    $psi.Environment['ANSIBLE_FORCE_COLOR'] = '0'
    $psi.Environment['PYTHONDONTWRITEBYTECODE'] = '1'
    foreach ($k in $Environment.Keys) { $psi.Environment[$k] = $Environment[$k] }
    $p = [System.Diagnostics.Process]::Start($psi)
    $err = $p.StandardError.ReadToEndAsync()
    $out = $p.StandardOutput.ReadToEnd()
    $p.WaitForExit()
    $text = $out + $err.Result
    $name = [System.IO.Path]::GetFileNameWithoutExtension($Playbook)
    $text | Set-Content (Join-Path $Lab.Work ("{0:D2}-{1}.log" -f ++$script:LabRunCount, $name))
    $recap = @{}
    foreach ($m in [regex]::Matches($out, '(?m)^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)')) {
        $recap[$m.Groups[1].Value] = [pscustomobject]@{ Ok = [int]$m.Groups[2].Value; Changed = [int]$m.Groups[3].Value; Unreachable = [int]$m.Groups[4].Value; Failed = [int]$m.Groups[5].Value }
    }
    [pscustomobject]@{ ExitCode = $p.ExitCode; Output = $text; Recap = $recap }
}

# A node's running config generation and the bytes of its running config (the service's state directory).
function Get-LabNodeConfigState($Node) {
    [pscustomobject]@{
        Generation = [long](Get-Content -Raw "$($Node.Root)/var/generation").Trim()
        ConfigHash = (Get-FileHash "$($Node.Root)/var/config.yaml" -Algorithm SHA256).Hash
        SeedHash = (Get-FileHash "$($Node.Root)/etc/cluster.yaml" -Algorithm SHA256).Hash
        ServicePid = (Get-Content -Raw "$($Node.Root)/var/expresshad.pid").Trim()
    }
}

# The client: an HTTP GET of the group's service every 100 ms from its own namespace, one line per try.
function Start-LabClient($Lab, [string]$Url, [string]$LogPath) {
    $script = Join-Path $PSScriptRoot 'Ansible/client.py'
    $psi = [System.Diagnostics.ProcessStartInfo]::new('ip')
    foreach ($a in 'netns', 'exec', $Lab.ClientNs, '/usr/bin/python3', $script, $Url, $LogPath) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true
    $p = [System.Diagnostics.Process]::Start($psi)
    $null = $p.StandardError.ReadToEndAsync(); $null = $p.StandardOutput.ReadToEndAsync()
    $p
}

# The client's log as tries (time in ms, ok, body) and the gaps: spans from the last success before a failure to the
# first success after it.
function Get-LabClientGaps([string]$LogPath) {
    $tries = Get-Content $LogPath | ForEach-Object {
        $f = $_ -split ' ', 3
        [pscustomobject]@{ Ms = [double]$f[0]; Ok = $f[1] -eq 'ok'; Body = if ($f.Count -gt 2) { $f[2] } else { '' } }
    }
    $gaps = @()
    $lastOk = $null; $inGap = $false
    foreach ($t in $tries) {
        if ($t.Ok) {
            if ($inGap -and $null -ne $lastOk) { $gaps += [pscustomobject]@{ StartMs = $lastOk; Ms = $t.Ms - $lastOk } }
            $lastOk = $t.Ms; $inGap = $false
        } else { $inGap = $true }
    }
    [pscustomobject]@{ Tries = @($tries); Gaps = $gaps; Failed = @($tries | Where-Object { -not $_.Ok }).Count; Unfinished = $inGap }
}

# The inventory: the nodes in group expressha, the on-premises floating IP + mirror design in its group variables.
function Write-LabInventory($Lab, [string]$Artifact, [string]$Pwsh, [string]$ModulePath) {
    $hosts = ($Lab.Nodes | ForEach-Object {
        "        $($_.Name): {ansible_host: $($_.Address), expressha_node_addresses: {lan1: $($_.Address)}}"
    }) -join "`n"
    $servers = ($Lab.Nodes.Name) -join ', '
    @"
all:
  children:
    expressha:
      hosts:
$hosts
      vars:
        ansible_user: root
        ansible_ssh_private_key_file: $($Lab.Key)
        ansible_python_interpreter: /usr/bin/python3
        expressha_service_manager: process
        expressha_bin_link: ""
        expressha_artifact_src: $Artifact
        expressha_pwsh: $Pwsh
        expressha_module_path: $ModulePath
        expressha_config_render_path: $($Lab.Work)/rendered.yaml
        expressha_cluster_name: ehans
        expressha_heartbeat: {interval_ms: 300, timeout_ms: 6000}
        expressha_partition_resolution: {ping_targets: [$LabGateway]}
        expressha_shutdown_command: /bin/true
        expressha_reboot_command: /bin/true
        web_check_interval: 5
        expressha_groups:
          - name: web
            servers: [$servers]
            resources:
              - {name: fip1, type: floatip, ip: 198.19.20.100, prefix_length: 24, interface: eth0}
              # Each node's /var/lib/expressha is its own folder (private mount namespace): one path serves both.
              - name: md1
                type: mirror
                dataPath: /var/lib/expressha/md1-data.img
                metaPath: /var/lib/expressha/md1-meta.img
                sizeMiB: 8
                mirrorAddress: {$((($Lab.Nodes | ForEach-Object { "$($_.Name): $($_.Address)" }) -join ', '))}
                mirrorPort: 29031
                exportAddress: 127.0.0.1:10809
              - name: app
                type: exec
                depends_on: [fip1, md1]
                start: >-
                  rm -f `$EXPRESSHA_STATE_DIR/app.pid; /usr/lib/expressha/expresshad demo-app --listen 198.19.20.100:8080
                  --name `$EXPRESSHA_NODE --pid-file `$EXPRESSHA_STATE_DIR/app.pid >/dev/null 2>&1 &
                  for i in `$(seq 250); do [ -s `$EXPRESSHA_STATE_DIR/app.pid ] && exit 0; sleep 0.02; done; exit 1
                stop: >-
                  [ -s `$EXPRESSHA_STATE_DIR/app.pid ] && kill `$(cat `$EXPRESSHA_STATE_DIR/app.pid); rm -f `$EXPRESSHA_STATE_DIR/app.pid
        expressha_monitors:
          - {name: webw, type: http, target: app, url: "http://198.19.20.100:8080/", timing: active, interval_seconds: "{{ web_check_interval }}"}
"@ | Set-Content $Lab.Inventory
}

# A second release of the same tree with another version: the service published again with -p:Version (the Release
# task's artifacts path, so only what the version changes is rebuilt) and put in a copy of the tarball.
function New-UpgradeTarball([string]$Tarball, [string]$Version, [string]$Work) {
    $publish = Join-Path $Work 'publish-upgrade'
    $log = dotnet publish (Join-Path $RepoRoot 'src/ExpressHa.Service') -c Release -r linux-x64 --self-contained -p:PublishSingleFile=true `
        "-p:Version=$Version" --artifacts-path (Join-Path $RepoRoot 'out/release/artifacts') -o $publish 2>&1 | Out-String
    if ($LASTEXITCODE -ne 0) { throw "dotnet publish -p:Version=$Version failed: $log" }
    $root = Join-Path $Work 'upgrade-root'
    New-Item -ItemType Directory -Path $root | Out-Null
    Invoke-LabNative tar @('-xzf', $Tarball, '-C', $root) | Out-Null
    Copy-Item (Join-Path $publish 'expresshad') (Join-Path $root 'usr/lib/expressha/expresshad') -Force
    $out = Join-Path $Work "expresshad-$Version-linux-x64.tar.gz"
    Invoke-LabNative tar @('-czf', $out, '--owner=0', '--group=0', '--numeric-owner', '-C', $root, 'usr', 'etc', 'var') | Out-Null
    Remove-Item $root, $publish -Recurse -Force
    $out
}
