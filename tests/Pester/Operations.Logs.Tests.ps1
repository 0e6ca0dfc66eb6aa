# Day-to-day operations in real pwsh against two real expresshad processes on loopback: one alert list, a group's
# history, drift, and the support archive (no secret inside, a stopped node listed as not answering).
BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    Import-Module (Join-Path $ModuleDir 'ExpressHa.psd1') -Force

    function Get-FreePort([switch]$Udp) {
        if ($Udp) {
            $u = [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, 0))
            try { $u.Client.LocalEndPoint.Port } finally { $u.Dispose() }
        }
        else {
            $t = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0); $t.Start()
            try { $t.LocalEndpoint.Port } finally { $t.Stop() }
        }
    }

    # Polls until the script block is true; fails with server1's log after 30 s.
    function Wait-Until([scriptblock]$Condition, [string]$What) {
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while ([DateTime]::UtcNow -lt $deadline) {
            try { if (& $Condition) { return } } catch { }
            Start-Sleep -Milliseconds 100
        }
        throw "$What`n$(Get-Content -Raw (Join-Path $script:Dir 'server1.log') -ErrorAction SilentlyContinue)"
    }

    $script:Dir = Join-Path ([System.IO.Path]::GetTempPath()) "expressha-opslogs-$([guid]::NewGuid().ToString('n'))"
    New-Item -ItemType Directory -Path $Dir | Out-Null
    $script:Key = [System.Security.Cryptography.RandomNumberGenerator]::GetBytes(32)
    [System.IO.File]::WriteAllBytes((Join-Path $Dir 'cluster.key'), $Key)
    $script:Token = [Convert]::ToHexString([System.Security.Cryptography.RandomNumberGenerator]::GetBytes(16)).ToLowerInvariant()
    Set-Content -Path (Join-Path $Dir 'api.token') -Value $Token -NoNewline
    $script:ApiPort = Get-FreePort
    $heartbeatPort = Get-FreePort -Udp
    $keyHex = [Convert]::ToHexString($Key).ToLowerInvariant()
    # The token and the key's hex sit in the resource's start command: the config and status carry them, the archive must not.
    $script:ConfigFile = Join-Path $Dir 'cluster.yaml'
    Set-Content -Path $ConfigFile -Value @"
apiVersion: expressha/v1
cluster:
  name: opslogs
  interconnects:
  - {name: lan1, role: heartbeat}
  heartbeat: {intervalMs: 150, timeoutMs: 900, port: $heartbeatPort}
  security:
    keyFile: $(Join-Path $Dir 'cluster.key')
    apiTokenFile: $(Join-Path $Dir 'api.token')
    apiTls: false
    apiPort: $ApiPort
  shutdownCommand: /bin/true
  rebootCommand: /bin/true
nodes:
- name: server1
  addresses: {lan1: 127.0.13.11}
  priority: 0
- name: server2
  addresses: {lan1: 127.0.13.12}
  priority: 1
groups:
- name: web
  startup: auto
  failback: manual
  servers: [server1, server2]
  resources:
  - name: app
    type: exec
    start: '/bin/true # $Token $keyHex'
    stop: /bin/true
"@
    $service = Join-Path $RepoRoot 'src/ExpressHa.Service/bin/Debug/net10.0/expresshad.dll'
    $dotnet = (Get-Command dotnet).Source
    $script:Nodes = @{}
    foreach ($node in 'server1', 'server2') {
        $Nodes[$node] = Start-Process -FilePath $dotnet -PassThru `
            -ArgumentList "`"$service`" run --config `"$ConfigFile`" --node $node --state-dir `"$(Join-Path $Dir $node)`"" `
            -RedirectStandardOutput (Join-Path $Dir "$node.log") -RedirectStandardError (Join-Path $Dir "$node.err")
        Start-Sleep -Milliseconds 300
    }
    Wait-Until { Connect-HaCluster -Endpoint "http://127.0.13.11:$ApiPort/" -TokenFile (Join-Path $Dir 'api.token') | Out-Null; $true } 'server1 did not answer'
    Wait-Until { $s = Get-HaClusterStatus; $s.Groups[0].State -eq 'online' -and -not ($s.Nodes | Where-Object State -ne 'online') } 'the cluster did not come up'

    # Every file of the archive (as bytes) by its name.
    function Get-ArchiveEntries([string]$Path) {
        $zip = [System.IO.Compression.ZipFile]::OpenRead($Path)
        try {
            $entries = @{}
            foreach ($e in $zip.Entries) {
                $s = $e.Open(); $m = [System.IO.MemoryStream]::new()
                try { $s.CopyTo($m); $entries[$e.FullName] = $m.ToArray() } finally { $s.Dispose(); $m.Dispose() }
            }
            $entries
        }
        finally { $zip.Dispose() }
    }

    # Latin-1 maps every byte to one character, so a substring is exactly a byte sequence.
    function Test-Contains([byte[]]$Haystack, [byte[]]$Needle) {
        [Text.Encoding]::Latin1.GetString($Haystack).Contains([Text.Encoding]::Latin1.GetString($Needle), [StringComparison]::Ordinal)
    }
}

AfterAll {
    Disconnect-HaCluster -ErrorAction SilentlyContinue
    foreach ($p in $Nodes.Values) { if (-not $p.HasExited) { $p.Kill($true); $p.WaitForExit(5000) | Out-Null } }
    Remove-Item $Dir -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Operations against a live cluster' {
    It 'Get-HaAlertLog -Cluster lists both nodes, oldest first' {
        $alerts = Get-HaAlertLog -Cluster
        $alerts.Node | Sort-Object -Unique | Should -Be @('server1', 'server2')
        $times = $alerts | ForEach-Object { [DateTimeOffset]::Parse($_.Time) }
        $times | Should -Be ($times | Sort-Object)
    }

    It 'Get-HaGroup -History shows the start on server1 with its timeline' {
        # The alert of a resource's start is written beside the journal, not with it: wait until the history holds it.
        Wait-Until { (Get-HaGroup web -History | Select-Object -Last 1).Steps.Step -contains 'resource' } 'the start episode never showed its resource step'
        $episode = Get-HaGroup web -History | Select-Object -Last 1
        $episode.PSObject.TypeNames[0] | Should -Be 'ExpressHa.Api.GroupEpisode'
        $episode.Kind | Should -Be 'start'
        $episode.To | Should -Be 'server1'
        $episode.Outcome | Should -Be 'online'
        $episode.Steps.Step | Should -Contain 'resource'
        ($episode | Format-List | Out-String -Width 80) | Should -Match 'online: group web online on server1'
    }

    It 'Compare-HaClusterConfig finds no drift against the file the nodes run, and the running config has generation 1' {
        (Compare-HaClusterConfig -Path $ConfigFile).IsEmpty | Should -BeTrue
        (Get-HaClusterConfig).Generation | Should -Be 1
    }

    It 'Save-HaClusterLog collects both nodes and no secret is in any file' {
        $zipPath = Join-Path $Dir 'support.zip'
        $archive = Save-HaClusterLog -Path $zipPath
        $archive.Nodes | Should -Be @('server1', 'server2')
        $entries = Get-ArchiveEntries $zipPath
        $entries.Keys | Should -Contain 'server2/service.log'
        $entries.Keys | Should -Contain 'server1/config.yaml'
        [Text.Encoding]::UTF8.GetString($entries['server1/config.yaml']) | Should -Match '\[redacted\]'
        $secrets = @(
            [Text.Encoding]::UTF8.GetBytes($Token), $Key,
            [Text.Encoding]::ASCII.GetBytes([Convert]::ToHexString($Key).ToLowerInvariant()),
            [Text.Encoding]::ASCII.GetBytes([Convert]::ToHexString($Key)),
            [Text.Encoding]::ASCII.GetBytes([Convert]::ToBase64String($Key).TrimEnd('=')))
        foreach ($name in $entries.Keys) {
            foreach ($secret in $secrets) { Test-Contains $entries[$name] $secret | Should -BeFalse -Because "$name must not hold a secret" }
        }
    }

    It 'a stopped node is listed in the index as not answering, and the archive is still written' {
        $Nodes['server2'].Kill($true); $Nodes['server2'].WaitForExit(5000) | Out-Null
        Wait-Until { (Get-HaClusterStatus).Nodes | Where-Object { $_.Name -eq 'server2' -and $_.State -ne 'online' } } 'server1 did not see server2 go'
        $zipPath = Join-Path $Dir 'partial.zip'
        $archive = Save-HaClusterLog -Path $zipPath -WarningVariable warnings -WarningAction SilentlyContinue
        $archive.MissingNodes | Should -Be @('server2')
        $warnings | Should -Match 'server2'
        $index = [Text.Encoding]::UTF8.GetString((Get-ArchiveEntries $zipPath)['index.txt'])
        $index | Should -Match 'server2: NOT ANSWERING'
        $index | Should -Match 'server1: 9 files in server1/'
    }
}
