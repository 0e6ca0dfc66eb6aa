# The Ansible collection (ansible/) with Debian's ansible-core: its documentation, unit tests and lint, then the
# playbooks against SSH hosts that are network namespaces (AnsibleLab.ps1), from nothing to a rolling upgrade.
BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    . $PSScriptRoot/AnsibleLab.ps1
    $script:Collection = Join-Path $RepoRoot 'ansible'
    $script:Modules = 'expressha_config', 'expressha_group', 'expressha_node', 'expressha_info'
    $script:Work = New-TestDirectory
    $script:Collections = Join-Path $Work 'collections'
    New-Item -ItemType Directory -Path (Join-Path $Collections 'ansible_collections/expressha') -Force | Out-Null
    New-Item -ItemType SymbolicLink -Path (Join-Path $Collections 'ansible_collections/expressha/cluster') -Target $Collection | Out-Null

    function Invoke-AnsibleTool([string]$File, [string[]]$Arguments, [string]$WorkingDirectory = $Work) {
        $psi = [System.Diagnostics.ProcessStartInfo]::new($File)
        foreach ($a in $Arguments) { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true
        $psi.WorkingDirectory = $WorkingDirectory
        $psi.Environment['ANSIBLE_COLLECTIONS_PATH'] = $Collections
        $psi.Environment['ANSIBLE_NOCOLOR'] = '1'
        $psi.Environment['NO_COLOR'] = '1'
        $psi.Environment['PYTHONDONTWRITEBYTECODE'] = '1'
        $psi.Environment['HOME'] = $Work
        $p = [System.Diagnostics.Process]::Start($psi)
        $err = $p.StandardError.ReadToEndAsync()
        $out = $p.StandardOutput.ReadToEnd()
        $p.WaitForExit()
        [pscustomobject]@{ ExitCode = $p.ExitCode; Out = $out; Err = $err.Result }
    }
}

AfterAll {
    if ($script:Work) { Remove-Item $script:Work -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'The Ansible collection expressha.cluster' {
    It 'documents every module so that ansible-doc parses it (<_>)' -ForEach 'expressha_config', 'expressha_group', 'expressha_node', 'expressha_info' {
        $r = Invoke-AnsibleTool /usr/bin/ansible-doc @('-t', 'module', '--json', "expressha.cluster.$_")
        $r.ExitCode | Should -Be 0 -Because $r.Err
        $doc = ($r.Out | ConvertFrom-Json -AsHashtable)["expressha.cluster.$_"]
        $doc.doc.short_description | Should -Not -BeNullOrEmpty
        $doc.doc.options.Keys | Should -Not -BeNullOrEmpty
        $doc.examples | Should -Match "expressha\.cluster\.$_"
        $doc.return | Should -Not -BeNullOrEmpty
        if ($_ -ne 'expressha_info') { $doc.doc.notes -join ' ' | Should -Match 'check mode' }
    }

    It "passes the modules' Python unit tests (arguments, check mode, diff, changed)" {
        $r = Invoke-AnsibleTool /usr/bin/python3 @('-m', 'unittest', 'discover', '-s', (Join-Path $Collection 'tests/unit'), '-t', (Join-Path $Collection 'tests/unit'))
        $r.ExitCode | Should -Be 0 -Because ($r.Out + $r.Err)
        $r.Err | Should -Match 'Ran (\d+) tests'
        [int]([regex]::Match($r.Err, 'Ran (\d+) tests').Groups[1].Value) | Should -BeGreaterOrEqual 30
        $r.Err | Should -Match '(?m)^OK$'
    }

    It 'renders a systemd unit that systemd-analyze verify accepts (the node role on real hosts)' {
        $dir = Join-Path $Work 'unit'
        New-Item -ItemType Directory -Path "$dir/lib" -Force | Out-Null
        Copy-Item /bin/true "$dir/lib/expresshad"
        @"
- name: Render the node role's unit
  hosts: localhost
  gather_facts: false
  vars: {expressha_lib_dir: $dir/lib, expressha_conf_dir: /etc/expressha, expressha_state_dir: /var/lib/expressha,
         expressha_node_name: server1, expressha_service_user: root, expressha_service_group: expressha, expressha_stop_timeout: 120}
  tasks:
    - name: Template
      ansible.builtin.template: {src: $Collection/roles/node/templates/expresshad.service.j2, dest: $dir/expresshad.service, mode: "0644"}
"@ | Set-Content "$dir/unit.yml"
        $r = Invoke-AnsibleTool /usr/bin/ansible-playbook @('-i', 'localhost,', '-c', 'local', "$dir/unit.yml")
        $r.ExitCode | Should -Be 0 -Because ($r.Out + $r.Err)
        Get-Content "$dir/expresshad.service" | Should -Contain "ExecStart=$dir/lib/expresshad run --config /etc/expressha/cluster.yaml --node server1 --state-dir /var/lib/expressha"
        if (-not (Get-Command systemd-analyze -CommandType Application -ErrorAction SilentlyContinue)) { throw 'systemd-analyze is missing (package systemd)' }
        $v = Invoke-AnsibleTool systemd-analyze @('verify', "$dir/expresshad.service")
        $v.ExitCode | Should -Be 0 -Because ($v.Out + $v.Err)
    }

    It 'validate.yml builds the example inventory''s config with the cmdlets, touching no host (<_>)' -ForEach 'onprem-floatip-mirror', 'aws-vip' {
        $rendered = Join-Path $Work "$_.yaml"
        $r = Invoke-AnsibleTool /usr/bin/ansible-playbook @('-i', (Join-Path $Collection "examples/$_/inventory.yml"), (Join-Path $Collection 'playbooks/validate.yml'),
            '-e', "expressha_pwsh=$Pwsh", '-e', "expressha_module_path=$(Join-Path $ModuleDir 'ExpressHa.psd1')", '-e', "expressha_config_render_path=$rendered")
        $r.ExitCode | Should -Be 0 -Because ($r.Out + $r.Err)
        $r.Out | Should -Match 'server1\s+: ok=\d+\s+changed=1\s+unreachable=0\s+failed=0'
        # The same design as the module example builds: the cmdlets wrote it, the service's validator accepts it.
        $yaml = Get-Content -Raw $rendered
        $yaml | Should -Match '(?m)^apiVersion: expressha/v1'
        $yaml | Should -Match ($_ -eq 'aws-vip' ? 'type: awsvip' : 'type: mirror')
        Import-ModuleUnderTest
        @(Test-HaClusterConfig -Path $rendered | Where-Object IsError) | Should -BeNullOrEmpty
    }

    It 'builds as a Galaxy collection with its modules, roles and playbooks' {
        $out = Join-Path $Work 'galaxy'
        $r = Invoke-AnsibleTool /usr/bin/ansible-galaxy @('collection', 'build', $Collection, '--output-path', $out)
        $r.ExitCode | Should -Be 0 -Because ($r.Out + $r.Err)
        $entries = tar -tzf (Join-Path $out 'expressha-cluster-1.0.0.tar.gz')
        foreach ($e in 'plugins/modules/expressha_config.py', 'plugins/module_utils/expressha_pwsh.py', 'roles/node/tasks/main.yml',
            'roles/config/tasks/main.yml', 'playbooks/site.yml', 'playbooks/rolling-upgrade.yml', 'MANIFEST.json') {
            $entries | Should -Contain $e
        }
    }

    It 'is clean for ansible-lint' {
        $files = { @(Get-ChildItem $Collection -Recurse -Force | ForEach-Object FullName | Sort-Object) }
        $before = & $files
        $r = Invoke-AnsibleTool /usr/bin/ansible-lint @('--offline') -WorkingDirectory $Collection
        $r.ExitCode | Should -Be 0 -Because ($r.Out + $r.Err)
        ($r.Out + $r.Err) | Should -Match 'Passed with production profile: 0 failure'
        & $files | Should -Be $before -Because 'ansible-lint leaves nothing behind in the collection'
    }
}

Describe 'The playbooks against SSH hosts in network namespaces' {
    BeforeAll {
        $script:Version = Get-RepoVersion
        $script:Tarball = Get-ReleaseTarball
        $v = [version]$Version
        $script:UpgradeVersion = "$($v.Major).$($v.Minor).$($v.Build + 1)"
        $script:UpgradeTarball = New-UpgradeTarball $Tarball $UpgradeVersion $Work
        $script:Lab = New-AnsibleLab -Work (Join-Path $Work 'lab' | ForEach-Object { New-Item -ItemType Directory -Path $_ } | ForEach-Object FullName)
        Write-LabAnsibleConfig $Lab $Collection
        Write-LabInventory $Lab $Tarball $Pwsh (Join-Path $ModuleDir 'ExpressHa.psd1')
        $script:Playbooks = Join-Path $Collection 'playbooks'

        function Get-FromClient([string]$Url = 'http://198.19.20.100:8080/') {
            $r = Invoke-LabNative ip @('netns', 'exec', $Lab.ClientNs, '/usr/bin/python3', '-c',
                "import urllib.request;print(urllib.request.urlopen('$Url',timeout=3).read().decode().strip())") -AllowFailure
            $r.Trim()
        }
        function Get-NodeVersion($Node) { (& "$($Node.Root)/lib/expresshad" --version).Trim() }
        function Get-AllNodeState { foreach ($n in $Lab.Nodes) { Get-LabNodeConfigState $n } }
    }

    AfterAll {
        if ($script:Client -and -not $script:Client.HasExited) { $script:Client.Kill($true) }
        if ($script:Lab) {
            $logs = Join-Path $RepoRoot 'out/pester-logs/ansible'
            New-Item -ItemType Directory -Path $logs -Force | Out-Null
            Copy-Item (Join-Path $Lab.Work '*.log') $logs -ErrorAction SilentlyContinue
            foreach ($n in $Lab.Nodes) { Copy-Item "$($n.Root)/var/expresshad.log" (Join-Path $logs "$($n.Name)-expresshad.log") -ErrorAction SilentlyContinue }
            Remove-AnsibleLab $Lab
        }
    }

    It 'site.yml brings a cluster up from nothing: the group answers on its floating IP' {
        $r = Invoke-LabPlaybook $Lab (Join-Path $Playbooks 'site.yml')
        $r.ExitCode | Should -Be 0 -Because $r.Output
        foreach ($n in $Lab.Nodes) { $r.Recap[$n.Name].Failed | Should -Be 0 }
        Get-FromClient | Should -Be 'server1'
        foreach ($n in $Lab.Nodes) {
            (Get-LabNodeConfigState $n).Generation | Should -Be 1
            Get-NodeVersion $n | Should -Match "^expresshad $([regex]::Escape($Version)) "
            # The secrets are the same on every node and only the owner reads them.
            (Get-FileHash "$($n.Root)/etc/cluster.key").Hash | Should -Be (Get-FileHash "$($Lab.Nodes[0].Root)/etc/cluster.key").Hash
            (Get-Item "$($n.Root)/etc/api.token").UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite')
        }
        $token = (Get-Content -Raw "$($Lab.Nodes[0].Root)/etc/api.token").Trim()
        $r.Output | Should -Not -Match ([regex]::Escape($token)) -Because 'no_log keeps the token out of the output'
    }

    It 'site.yml again changes nothing on any host' {
        $before = Get-AllNodeState
        $r = Invoke-LabPlaybook $Lab (Join-Path $Playbooks 'site.yml')
        $r.ExitCode | Should -Be 0 -Because $r.Output
        foreach ($n in $Lab.Nodes) { $r.Recap[$n.Name].Changed | Should -Be 0 -Because $r.Output }
        Get-AllNodeState | ForEach-Object { $_.Generation } | Should -Be @($before.Generation)
    }

    It '--check --diff after a changed variable shows the change and changes no node' {
        $before = Get-AllNodeState
        $r = Invoke-LabPlaybook $Lab (Join-Path $Playbooks 'site.yml') @('--check', '--diff', '-e', 'web_check_interval=7')
        $r.ExitCode | Should -Be 0 -Because $r.Output
        $r.Output | Should -Match '(?m)^-  intervalSeconds: 5$'
        $r.Output | Should -Match '(?m)^\+  intervalSeconds: 7$'
        $after = Get-AllNodeState
        for ($i = 0; $i -lt $before.Count; $i++) {
            $after[$i].Generation | Should -Be $before[$i].Generation
            $after[$i].ConfigHash | Should -Be $before[$i].ConfigHash
            $after[$i].SeedHash | Should -Be $before[$i].SeedHash
            $after[$i].ServicePid | Should -Be $before[$i].ServicePid
        }
    }

    It 'applying the changed variable makes every node run the new generation' {
        $before = Get-AllNodeState
        $r = Invoke-LabPlaybook $Lab (Join-Path $Playbooks 'site.yml') @('-e', 'web_check_interval=7')
        $r.ExitCode | Should -Be 0 -Because $r.Output
        $after = Get-AllNodeState
        for ($i = 0; $i -lt $before.Count; $i++) {
            $after[$i].Generation | Should -Be ($before[$i].Generation + 1)
            Get-Content -Raw "$($Lab.Nodes[$i].Root)/var/config.yaml" | Should -Match 'intervalSeconds: 7'
            $after[$i].ServicePid | Should -Be $before[$i].ServicePid -Because 'a config change needs no service restart'
        }
        Get-FromClient | Should -Be 'server1'
    }

    It 'a bad variable fails the play with the field path and changes nothing (<Case>)' -ForEach @(
        @{ Case = 'unknown resource type'; Resources = '[{"name": "fip1", "type": "floatipx", "ip": "198.19.20.100"}]'
            Expected = "groups\[0\]\.resources\[0\] \(fip1\): -Type: 'floatipx' is not a resource type" }
        @{ Case = 'missing per-node value'; Resources = '[{"name": "app", "type": "exec", "start": {"server1": "/bin/true"}}]'
            Expected = "groups\[0\]\.resources\[0\]\.start\.server2: start has no value for node 'server2'" }
    ) {
        $before = Get-AllNodeState
        $varsFile = Join-Path $Lab.Work "bad-$($Case -replace ' ', '-').json"
        "{`"expressha_groups`": [{`"name`": `"web`", `"servers`": [`"server1`", `"server2`"], `"resources`": $Resources}]}" | Set-Content $varsFile
        $r = Invoke-LabPlaybook $Lab (Join-Path $Playbooks 'site.yml') @('-e', "@$varsFile")
        $r.ExitCode | Should -Not -Be 0
        $r.Output | Should -Match $Expected
        foreach ($n in $Lab.Nodes) { $r.Recap[$n.Name].Changed | Should -Be 0 }
        $after = Get-AllNodeState
        for ($i = 0; $i -lt $before.Count; $i++) {
            $after[$i].Generation | Should -Be $before[$i].Generation
            $after[$i].ConfigHash | Should -Be $before[$i].ConfigHash
        }
        Get-FromClient | Should -Be 'server1'
    }

    It 'a wrong token or an unreachable node fails the task with the cmdlet message (<Case>)' -ForEach @(
        @{ Case = 'wrong token'; Vars = '{"expressha_api_token_value": "wrong-token-0123456789"}'; Expected = 'ExpressHa\.Unauthorized|authentication required' }
        @{ Case = 'unreachable node'; Vars = '{"expressha_api_port": 1}'; Expected = 'endpoints: no endpoint answered: https://198\.19\.20\.11:1' }
    ) {
        $varsFile = Join-Path $Lab.Work "conn-$($Case -replace ' ', '-').json"
        $Vars | Set-Content $varsFile
        $r = Invoke-LabPlaybook $Lab (Join-Path $Playbooks 'failover-drill.yml') @('-e', "@$varsFile")
        $r.ExitCode | Should -Not -Be 0
        $r.Output | Should -Match $Expected
        Get-FromClient | Should -Be 'server1' -Because 'nothing moved'
    }

    It 'failover-drill.yml moves the group to each server and back and reports the times' {
        $r = Invoke-LabPlaybook $Lab (Join-Path $Playbooks 'failover-drill.yml')
        $r.ExitCode | Should -Be 0 -Because $r.Output
        $r.Output | Should -Match '"md1 server1 Primary UpToDate"'
        $r.Output | Should -Match '"md1 server2 Secondary UpToDate"'
        $moves = [regex]::Matches($r.Output, '"web -> (server\d) -> ([\d.]+)"')
        @($moves | ForEach-Object { $_.Groups[1].Value }) | Should -Be @('server2', 'server1')
        $script:LongestMove = ($moves | ForEach-Object { [double]$_.Groups[2].Value } | Measure-Object -Maximum).Maximum
        Write-Host "failover drill: moves $(@($moves | ForEach-Object { "$($_.Groups[1].Value) $($_.Groups[2].Value) s" }) -join ', ')"
        Get-FromClient | Should -Be 'server1'
    }

    It 'rolling-upgrade.yml upgrades node by node while a client keeps reaching the group' {
        $clientLog = Join-Path $Lab.Work 'client.log'
        $script:Client = Start-LabClient $Lab 'http://198.19.20.100:8080/' $clientLog
        $null = Wait-Until -TimeoutSeconds 20 -Because 'the client got no answer before the upgrade' { (Test-Path $clientLog) -and (Get-Content $clientLog | Select-String ' ok ') }
        $r = Invoke-LabPlaybook $Lab (Join-Path $Playbooks 'rolling-upgrade.yml') @('-e', "expressha_artifact_src=$UpgradeTarball", '-e', 'web_check_interval=7')
        Start-Sleep -Seconds 1
        $Client.Kill($true); $Client.WaitForExit()
        $r.ExitCode | Should -Be 0 -Because $r.Output
        foreach ($n in $Lab.Nodes) { Get-NodeVersion $n | Should -Match "^expresshad $([regex]::Escape($UpgradeVersion)) " }
        $c = Get-LabClientGaps $clientLog
        $longest = ($c.Gaps | Measure-Object -Property Ms -Maximum).Maximum
        Write-Host ("rolling upgrade: {0} tries, {1} failed, {2} gaps, longest gap {3} ms (longest drill move {4} s)" -f $c.Tries.Count, $c.Failed, $c.Gaps.Count, $longest, $LongestMove)
        $c.Unfinished | Should -BeFalse -Because 'the group answers after the upgrade'
        @($c.Tries | Where-Object Ok).Count | Should -BeGreaterThan 100
        # The group moves once for each node it ran on: away from server1, then away from server2.
        $c.Gaps.Count | Should -BeLessOrEqual 2
        # Each outage is one switchover: no longer than the longest move the drill measured, plus the client's own
        # granularity (a try every 100 ms, each waiting up to 300 ms).
        $longest | Should -BeLessOrEqual ($LongestMove * 1000 + 400)
    }
}
