BeforeAll {
    . $PSScriptRoot/TestSupport.ps1

    # Runs a program with an environment as on a host without .NET: PATH has no dotnet, DOTNET_* is unset.
    function Invoke-NoDotnet([string]$File, [string[]]$Arguments) {
        $psi = [System.Diagnostics.ProcessStartInfo]::new($File)
        foreach ($a in $Arguments) { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true
        Set-NoDotnetEnvironment $psi
        $p = [System.Diagnostics.Process]::Start($psi)
        $stderr = $p.StandardError.ReadToEndAsync()
        $stdout = $p.StandardOutput.ReadToEnd()
        $p.WaitForExit()
        [pscustomobject]@{ ExitCode = $p.ExitCode; Out = $stdout; Err = $stderr.Result }
    }

    function Set-NoDotnetEnvironment([System.Diagnostics.ProcessStartInfo]$Psi) {
        $Psi.Environment.Clear()
        $Psi.Environment['PATH'] = $script:ToolsDir
        $Psi.Environment['HOME'] = $script:Root
        $Psi.Environment['LANG'] = 'C'
    }

    $script:Version = Get-RepoVersion
    $script:Work = New-TestDirectory
    $script:Tarball = Get-ReleaseTarball

    $script:Root = Join-Path $Work 'root'
    New-Item -ItemType Directory -Path $Root | Out-Null
    tar -xzf $Tarball -C $Root
    if ($LASTEXITCODE -ne 0) { throw "tar -xzf $Tarball failed" }
    $script:Binary = Join-Path $Root 'usr/bin/expresshad'

    # The shell tools the exec resource below needs, and nothing else: /usr/bin holds dotnet on a build machine.
    $script:ToolsDir = Join-Path $Work 'tools'
    New-Item -ItemType Directory -Path $ToolsDir | Out-Null
    foreach ($tool in 'sh', 'touch', 'rm') { New-Item -ItemType SymbolicLink -Path (Join-Path $ToolsDir $tool) -Target (Get-Command $tool -CommandType Application)[0].Source | Out-Null }
}

AfterAll {
    if ($script:Node -and -not $script:Node.HasExited) { $script:Node.Kill($true) }
    if ($script:Work) { Remove-Item $script:Work -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'The release tarball' {
    It 'holds the service, its link, the unit, the config folder and the state folder as installed' {
        (Get-Item $Tarball).Length | Should -BeGreaterThan 10MB
        $entries = tar -tzf $Tarball
        foreach ($e in 'usr/lib/expressha/expresshad', 'usr/bin/expresshad', 'usr/lib/systemd/system/expresshad.service',
            'etc/expressha/README', 'etc/expressha/cluster.yaml.example', 'var/lib/expressha/') {
            $entries | Should -Contain $e
        }
        (Get-Item $Binary).LinkTarget | Should -Be '../lib/expressha/expresshad'
        Get-Content (Join-Path $Root 'usr/lib/systemd/system/expresshad.service') |
            Should -Contain 'ExecStart=/usr/lib/expressha/expresshad run --config /etc/expressha/cluster.yaml --node %H --state-dir /var/lib/expressha'
        # Self-contained as one file: no dll or runtimeconfig for a dotnet host to find.
        @(Get-ChildItem (Join-Path $Root 'usr/lib/expressha')).Name | Should -Be @('expresshad')
    }

    It 'bundles the service and ExpressHa.Core, not the local AWS endpoint the demo uses' {
        # The single-file bundle's manifest names every assembly it holds.
        $bundle = [System.Text.Encoding]::Latin1.GetString([System.IO.File]::ReadAllBytes((Join-Path $Root 'usr/lib/expressha/expresshad')))
        $bundle.Contains('ExpressHa.Core.dll') | Should -BeTrue
        $bundle.Contains('ExpressHa.AwsLocal') | Should -BeFalse
        $bundle.Contains('expressha-awslocal') | Should -BeFalse
        $bundle.Contains('expressha-demo') | Should -BeFalse
    }

    It 'runs in an environment without dotnet' {
        foreach ($dir in $ToolsDir -split ':') { Join-Path $dir 'dotnet' | Should -Not -Exist }
        $r = Invoke-NoDotnet $Binary @('--help')
        $r.ExitCode | Should -Be 0 -Because $r.Err
        $r.Out | Should -Match 'usage: expresshad'
    }

    It 'prints its version and the commit it was built from (--version and version)' {
        $commit = (git -C $RepoRoot rev-parse --short=7 HEAD).Trim()
        foreach ($verb in '--version', 'version') {
            $r = Invoke-NoDotnet $Binary @($verb)
            $r.ExitCode | Should -Be 0 -Because $r.Err
            $r.Out.Trim() | Should -Be "expresshad $Version (commit $commit)"
        }
    }

    It 'validates the example config it ships and names the field of a broken one' {
        $example = Join-Path $Root 'etc/expressha/cluster.yaml.example'
        $r = Invoke-NoDotnet $Binary @('validate', '--config', $example)
        $r.ExitCode | Should -Be 0 -Because $r.Err
        $r.Out | Should -Match 'valid \(0 warning'

        $broken = Join-Path $Work 'broken.yaml'
        (Get-Content -Raw $example).Replace('ip: 10.0.0.12', 'ip: not-an-ip') | Set-Content $broken
        $r = Invoke-NoDotnet $Binary @('validate', '--config', $broken)
        $r.ExitCode | Should -Be 1
        $r.Err | Should -Match 'groups\[0\]\.resources\[0\]\.ip: ''not-an-ip'' is not an IPv4 address'
    }

    It 'runs a one-node loopback cluster, answers on its API and stops its group on SIGTERM' {
        $dir = Join-Path $Work 'node'
        New-Item -ItemType Directory -Path $dir | Out-Null
        [System.IO.File]::WriteAllBytes("$dir/cluster.key", [System.Security.Cryptography.RandomNumberGenerator]::GetBytes(32))
        $token = [System.Convert]::ToHexString([System.Security.Cryptography.RandomNumberGenerator]::GetBytes(16))
        [System.IO.File]::WriteAllText("$dir/api.token", $token)
        . $PSScriptRoot/LiveCluster.ps1
        $apiPort = Get-FreePort
        @"
apiVersion: expressha/v1
cluster:
  name: release-check
  heartbeat: {intervalMs: 200, timeoutMs: 5000, port: $(Get-FreePort -Udp)}
  security: {keyFile: $dir/cluster.key, apiTokenFile: $dir/api.token, apiTls: false, apiPort: $apiPort}
  shutdownCommand: /bin/true
  rebootCommand: /bin/true
nodes:
- {name: server1, addresses: {lan1: 127.0.0.1}, priority: 0}
groups:
- name: g1
  startup: auto
  servers: [server1]
  resources:
  - {name: app, type: exec, start: 'touch "`$EXPRESSHA_STATE_DIR/app.active"', stop: 'rm -f "`$EXPRESSHA_STATE_DIR/app.active"'}
"@ | Set-Content "$dir/cluster.yaml"

        $psi = [System.Diagnostics.ProcessStartInfo]::new($Binary)
        foreach ($a in 'run', '--config', "$dir/cluster.yaml", '--node', 'server1', '--state-dir', "$dir/state") { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true
        Set-NoDotnetEnvironment $psi
        $script:Node = [System.Diagnostics.Process]::Start($psi)
        $stdout = $Node.StandardOutput.ReadToEndAsync()
        $stderr = $Node.StandardError.ReadToEndAsync()

        $status = Wait-Until -TimeoutSeconds 60 -Because 'the node did not bring g1 online' {
            if ($Node.HasExited) { throw "expresshad run exited ($($Node.ExitCode)): $($stderr.Result)" }
            $s = Invoke-RestMethod -Uri "http://127.0.0.1:$apiPort/v1/status" -Headers @{ Authorization = "Bearer $token" } -TimeoutSec 5
            if ($s.groups[0].state -eq 'online') { $s }
        }
        $status.clusterName | Should -Be 'release-check'
        $status.nodes[0].state | Should -Be 'online'
        "$dir/state/app.active" | Should -Exist

        /bin/kill -s TERM $Node.Id
        $Node.WaitForExit(30000) | Should -BeTrue -Because 'SIGTERM stops the service'
        $Node.ExitCode | Should -Be 0 -Because $stderr.Result
        "$dir/state/app.active" | Should -Not -Exist
        $stdout.Result | Should -Match 'Cluster service on server1 has stopped'
    }
}
