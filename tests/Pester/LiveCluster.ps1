# Two real expresshad processes on loopback, as the operating tests use them: a config authored with the cmdlets
# (group failover1 with an exec resource app that leaves app.active in the state directory of the node running it),
# a random cluster key and API token, free ports, one temp directory. The heartbeat timeout is long so that a loaded
# machine does not make a node look lost. Dot-source after TestSupport.ps1.

function Get-FreePort([switch]$Udp) {
    if ($Udp) {
        $socket = [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, 0))
        try { $socket.Client.LocalEndPoint.Port } finally { $socket.Dispose() }
    }
    else {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
    }
}

# The built service: dotnet and expresshad.dll (the newest of the Debug and Release builds).
function Get-ServiceCommand {
    $dll = Get-ChildItem -Path (Join-Path $script:RepoRoot 'src/ExpressHa.Service/bin') -Filter 'expresshad.dll' -Recurse -ErrorAction SilentlyContinue |
        Sort-Object LastWriteTimeUtc -Descending | Select-Object -First 1
    if (-not $dll) { throw 'expresshad.dll is not built; run dotnet build ExpressHa.slnx first' }
    $dotnet = (Get-Command dotnet -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1).Source
    if (-not $dotnet) { $dotnet = (Get-Process -Id $PID).Path }
    @{ File = $dotnet; Dll = $dll.FullName }
}

<#
.SYNOPSIS
    Writes the config of a two-node test cluster (server1 = <prefix>11, server2 = <prefix>12), starts both nodes and
    returns what a test needs: Dir, ConfigFile, TokenFile, Endpoint (server1's API), Processes, Addresses.
    $Configure gets the config object and the directory before the config is written (to add resources).
#>
function Start-TestCluster {
    param([Parameter(Mandatory)] [string]$AddressPrefix, [scriptblock]$Configure)
    $dir = New-TestDirectory
    $keyFile = Join-Path $dir 'cluster.key'
    [System.IO.File]::WriteAllBytes($keyFile, [System.Security.Cryptography.RandomNumberGenerator]::GetBytes(32))
    $tokenFile = Join-Path $dir 'api.token'
    [System.IO.File]::WriteAllText($tokenFile, [System.Convert]::ToHexString([System.Security.Cryptography.RandomNumberGenerator]::GetBytes(16)))
    $apiPort = Get-FreePort
    $addresses = [ordered]@{ server1 = "${AddressPrefix}11"; server2 = "${AddressPrefix}12" }

    $config = New-HaCluster -Name pester -HeartbeatIntervalMs 200 -HeartbeatTimeoutMs 5000 |
        Add-HaNode server1 $addresses.server1 -Priority 0 -PassThru |
        Add-HaNode server2 $addresses.server2 -Priority 1 -PassThru |
        Set-HaCluster -HeartbeatPort (Get-FreePort -Udp) -KeyFile $keyFile -ApiTokenFile $tokenFile -ApiPort $apiPort -ApiTls $false `
            -ShutdownCommand /bin/true -RebootCommand /bin/true -PassThru |
        Add-HaGroup failover1 -Server server1, server2 -Startup auto -Failback manual -PassThru |
        Add-HaResource app exec -Group failover1 -PassThru -Property @{
            start = 'touch "$EXPRESSHA_STATE_DIR/app.active"'; stop = 'rm -f "$EXPRESSHA_STATE_DIR/app.active"'
            startTimeoutSeconds = 30; stopTimeoutSeconds = 30 }
    if ($Configure) { & $Configure $config $dir }
    $configFile = Join-Path $dir 'cluster.yaml'
    # Neither partition resolution nor fencing on loopback: the validator's warning about it is expected.
    $config | Export-HaClusterConfig -Path $configFile -WarningAction SilentlyContinue

    $service = Get-ServiceCommand
    $processes = [ordered]@{}
    foreach ($node in $addresses.Keys) {
        $processes[$node] = Start-Process -FilePath $service.File -PassThru `
            -ArgumentList $service.Dll, 'run', '--config', $configFile, '--node', $node, '--state-dir', (Join-Path $dir $node) `
            -RedirectStandardOutput (Join-Path $dir "$node.log") -RedirectStandardError (Join-Path $dir "$node.err")
    }
    [pscustomobject]@{
        Dir = $dir; ConfigFile = $configFile; TokenFile = $tokenFile; Addresses = $addresses; Processes = $processes
        Endpoint = "http://$($addresses.server1):$apiPort/"
    }
}

# Connects this session to the cluster and waits until both nodes are online and every group with startup auto is online.
function Connect-TestCluster($Cluster) {
    Wait-Until -TimeoutSeconds 90 -Because "the test cluster did not come up (the nodes' logs are kept in out/pester-logs)" {
        Connect-HaCluster -Endpoint $Cluster.Endpoint -TokenFile $Cluster.TokenFile -ErrorAction Stop
        $s = Get-HaClusterStatus -ErrorAction Stop
        @($s.Nodes | Where-Object State -ne 'online').Count -eq 0 -and @($s.Groups | Where-Object State -ne 'online').Count -eq 0
    } | Out-Null
}

# Kills the nodes and removes the directory, keeping the nodes' logs and journals in out/pester-logs/<name> for a
# failure to be read afterwards.
function Stop-TestCluster($Cluster, [Parameter(Mandatory)] [string]$Name) {
    if (-not $Cluster) { return }
    Disconnect-HaCluster -ErrorAction SilentlyContinue
    foreach ($p in $Cluster.Processes.Values) {
        if (-not $p.HasExited) { $p.Kill($true) }
        $p.WaitForExit(10000) | Out-Null
    }
    $logs = Join-Path $script:RepoRoot "out/pester-logs/$Name"
    Remove-Item $logs -Recurse -Force -ErrorAction SilentlyContinue
    New-Item -ItemType Directory -Path $logs -Force | Out-Null
    Get-ChildItem $Cluster.Dir -Recurse -Include '*.log', '*.err', '*.jsonl', '*.yaml' | ForEach-Object {
        Copy-Item $_.FullName (Join-Path $logs ($_.FullName.Substring($Cluster.Dir.Length).TrimStart('/', '\') -replace '[\\/]', '-'))
    }
    Remove-Item $Cluster.Dir -Recurse -Force -ErrorAction SilentlyContinue
}

# Which nodes have the app's marker file: where the exec resource really ran last.
function Get-AppHost($Cluster) {
    @($Cluster.Addresses.Keys | Where-Object { Test-Path (Join-Path $Cluster.Dir "$_/app.active") })
}
