# Dot-sourced by Formatting.Tests.ps1 (after the module is imported): one realistic set of objects of every type the module
# returns, keyed by type name. Config objects come from the committed examples and the authoring cmdlets; live objects
# are bound from API answers (JSON as the service sends it) the way the cmdlets bind them, so they carry what a running
# cluster reports (long messages, several paths, per-node values).

function ConvertFrom-ApiJson([string]$Json, [type]$Type) {
    $jsonLite = Get-HaCoreType 'ExpressHa.Client.JsonLite'
    $jsonLite::Bind($jsonLite::Parse($Json), $Type, '$')
}

function New-FormattingSamples([string]$RepoRoot, [string]$TempDir) {
    $samples = [ordered]@{}

    # Config objects: every committed example, plus a cluster assembled with the authoring cmdlets.
    $examples = Get-ChildItem (Join-Path $RepoRoot 'examples') -Recurse -Filter *.yaml | ForEach-Object { Import-HaClusterConfig -Path $_.FullName }
    $authored = New-HaCluster -Name 'views-cluster-with-a-long-name' -Interconnect lan1, lan2 |
        Add-HaNode -Name server1 -Addresses @{ lan1 = '10.0.110.10'; lan2 = '10.0.210.10' } -Priority 0 -PassThru |
        Add-HaNode -Name server2 -Addresses @{ lan1 = '10.0.120.10'; lan2 = '10.0.220.10' } -Priority 1 -PassThru |
        Add-HaGroup -Name failover1 -Server server1, server2 -PassThru |
        Add-HaResource -Group failover1 -Name app -Type exec -Property @{ start = '/opt/application/bin/start-the-application.sh --config /etc/application/production.conf'; stop = '/opt/application/bin/stop.sh' } -PassThru |
        Add-HaMonitor -Name appw -Type process -Target app -Property @{ pidFile = '/var/run/application/application.pid' } -PassThru |
        Add-HaMonitor -Name ipw1 -Type ip -Property @{ targets = '10.0.10.1', '10.0.20.1' } -RecoveryTarget failover1 -FinalAction stopGroup -PassThru
    $configs = @($examples) + $authored
    $samples['ExpressHa.Config.ClusterConfig'] = $configs
    $samples['ExpressHa.Config.NodeConfig'] = $configs | ForEach-Object { Get-HaNode -InputObject $_ }
    $samples['ExpressHa.Config.GroupConfig'] = $configs | ForEach-Object { Get-HaGroup -InputObject $_ }
    $samples['ExpressHa.Config.ResourceConfig'] = $configs | ForEach-Object { Get-HaResource -InputObject $_ }
    $samples['ExpressHa.Config.MonitorConfig'] = $configs | ForEach-Object { Get-HaMonitor -InputObject $_ }

    $samples['ExpressHa.Schema.TypeSchema'] = Get-HaTypeSchema
    $samples['ExpressHa.Schema.ParameterSpec'] = (Get-HaTypeSchema -Name awsdns, mirror).Parameters

    $broken = Join-Path $TempDir 'broken.yaml'
    ($examples[0].ToYaml() -replace 'startup: auto', 'startup: sometimes') + "extraField: 1`n" | Set-Content -Path $broken
    $samples['ExpressHa.Validation.ValidationFinding'] = @(Test-HaClusterConfig -Path $broken) + @(Test-HaClusterConfig -InputObject $authored)

    $status = ConvertFrom-ApiJson -Type (Get-HaCoreType 'ExpressHa.Api.ClusterStatus') -Json @'
{"clusterName":"views-cluster-with-a-long-name","reportingNode":"server2","coordinator":"server1","configGeneration":42,
 "serviceState":"running","partitionResolution":"ping 10.0.10.1, 10.0.20.1 + witness https://witness.example.internal:29100/; on loss: stopService",
 "fencing":"aws then script (delays server1 0s, server2 5s)",
 "nodes":[
  {"name":"server1","state":"online","priority":0,"paths":[
    {"interconnect":"lan1","address":"10.0.110.10","state":"up","lastSeenMs":412},
    {"interconnect":"lan2","address":"10.0.210.10","state":"down","lastSeenMs":93120},
    {"interconnect":"witness","address":"witness.example.internal","state":"up","lastSeenMs":1500}]},
  {"name":"server2-with-a-long-name","state":"online","priority":1,"paths":[
    {"interconnect":"lan1","address":"10.0.120.10","state":"self","lastSeenMs":null},
    {"interconnect":"lan2","address":"10.0.220.10","state":"self","lastSeenMs":null}]}],
 "groups":[
  {"name":"failover1","state":"online","owner":"server1","generation":7,"resources":[
    {"name":"awsvip1","type":"awsvip","state":"online"},{"name":"md1","type":"mirror","state":"online"},
    {"name":"application-server","type":"exec","state":"online"}]},
  {"name":"failover2-reporting","state":"stopping","owner":"server2-with-a-long-name","generation":3,"resources":[
    {"name":"awsdns1","type":"awsdns","state":"stopping"}]},
  {"name":"batch","state":"offline","owner":null,"generation":0,"resources":[]}],
 "monitors":[
  {"name":"awsvipw1","type":"awsvip","target":"awsvip1","state":"normal","node":"server1","message":"route 10.1.0.20/32 -> eni-0a1b2c3d4e5f60718 in rtb-0a1b2c3d, rtb-0e5f6a7b"},
  {"name":"mdnw1","type":"mirrorconnect","target":"md1","state":"warning","node":"server2-with-a-long-name","message":"106 : Timeout occurred while waiting for the mirror-connect answer of the peer"},
  {"name":"awsdnsw1","type":"awsdns","target":"awsdns1","state":"error","node":"server2-with-a-long-name","message":"53 : The IP address registered in the record (10.0.110.10) differs from this node's address (10.0.120.10)"},
  {"name":"userw","type":"userw","target":null,"state":"normal","node":"server1","message":null}]}
'@
    $live = [ExpressHa.Cmdlets.HaClusterStatus]::From($status, 'https://10.0.110.10:29003/')
    $samples['ExpressHa.Cmdlets.HaClusterStatus'] = $live
    $samples['ExpressHa.Cmdlets.HaNodeStatus'] = $live.Nodes
    $samples['ExpressHa.Cmdlets.HaGroupStatus'] = $live.Groups
    $samples['ExpressHa.Cmdlets.HaResourceStatus'] = $live.Resources
    $samples['ExpressHa.Cmdlets.HaMonitorStatus'] = $live.Monitors

    $samples['ExpressHa.Api.AlertEntry'] = ConvertFrom-ApiJson -Type ([System.Collections.Generic.List``1].MakeGenericType((Get-HaCoreType 'ExpressHa.Api.AlertEntry'))) -Json @'
[{"time":"2026-12-06T11:24:58.968Z","node":"server1","level":"error","module":"rc","eventId":32,"message":"Activating awsvip1 resource has failed.(5 : The vpc ID 'vpc-0a1b2c3d4e5f60718' does not exist)"},
 {"time":"2026-12-06T11:25:01.002Z","node":"server2-with-a-long-name","level":"warning","module":"monitor","eventId":151,"message":"Monitor awsdnsw1 is in the warning status. (151 : Timeout occurred)"},
 {"time":"2026-12-06T11:25:09.500Z","node":"server1","level":"info","module":"pm","eventId":1,"message":"Cluster service on server1 is starting"}]
'@

    $push = ConvertFrom-ApiJson -Type (Get-HaCoreType 'ExpressHa.Api.ConfigPushResult') -Json @'
{"applied":false,"dryRun":false,"generation":42,
 "diff":{"added":["group/spare","resource/spare1","monitor/spare1w"],"removed":["monitor/ipw1"],"changed":["cluster/settings","resource/awsvip1"],"groupRestarts":["failover1"],"needsSuspend":true},
 "errors":["groups[1].servers: server3 is not a node of the cluster; add the node first or remove it from the group"],
 "refusals":[{"node":"server2-with-a-long-name","reasons":["the node runs generation 43, newer than the pushed base 42","mirror md1 is resyncing"]}]}
'@
    $samples['ExpressHa.Api.ConfigPushResult'] = $push
    $samples['ExpressHa.Api.ConfigDiff'] = $push.Diff

    $mirrors = ConvertFrom-ApiJson -Type ([System.Collections.Generic.List``1].MakeGenericType((Get-HaCoreType 'ExpressHa.Api.MirrorStatus'))) -Json @'
[{"name":"md1","node":"server1","peer":"server2-with-a-long-name","role":"Primary","connection":"Connected","disk":"UpToDate","sync":"SyncSource",
  "syncPercent":63.25,"dirtyBytes":402653184,"resyncBytesPerSecond":104857600,"sizeBytes":1073741824,"blockSize":4096,
  "currentGeneration":"7f3a9c0100000000","bitmapGeneration":"7f3a9c0000000000","peerGeneration":"7f3a9c0000000000",
  "encrypted":true,"exportAddress":"127.0.0.1:10809","lastError":null},
 {"name":"md-database-data","node":"server2-with-a-long-name","peer":"server1","role":"Secondary","connection":"Disconnected","disk":"Inconsistent","sync":"SyncTarget",
  "syncPercent":12.5,"dirtyBytes":939524096,"resyncBytesPerSecond":0,"sizeBytes":1073741824,"blockSize":4096,
  "currentGeneration":"7f3a9c0000000000","bitmapGeneration":"7f3a9c0000000000","peerGeneration":"7f3a9c0100000000",
  "encrypted":false,"exportAddress":null,"lastError":"connection refused by 10.0.110.10:29051 (the peer's mirror port)"}]
'@
    $samples['ExpressHa.Api.MirrorStatus'] = $mirrors | ForEach-Object { $_ | Add-Member -NotePropertyName ClusterName -NotePropertyValue 'views-cluster-with-a-long-name' -PassThru }
    $samples['ExpressHa.Api.JobStatus'] = ConvertFrom-ApiJson -Type ([System.Collections.Generic.List``1].MakeGenericType((Get-HaCoreType 'ExpressHa.Api.JobStatus'))) -Json @'
[{"id":"0f1e2d3c4b5a","kind":"Backup","state":"Running","mirror":"md-database-data","node":"server2-with-a-long-name","bytesDone":268435456,"bytesTotal":1073741824,
  "message":"copying the standby copy to /backup/md-database-data-2026-12-06.img","started":"2026-12-06T11:30:00.000Z","finished":null},
 {"id":"a9b8c7d6e5f4","kind":"Restore","state":"Failed","mirror":"md1","node":"server1","bytesDone":0,"bytesTotal":0,
  "message":"group failover1 is online; stop it before restoring md1","started":"2026-12-06T11:31:00.000Z","finished":"2026-12-06T11:31:00.120Z"}]
'@
    $samples['ExpressHa.Api.GroupEpisode'] = ConvertFrom-ApiJson -Type ([System.Collections.Generic.List``1].MakeGenericType((Get-HaCoreType 'ExpressHa.Api.GroupEpisode'))) -Json @'
[{"group":"failover-database","kind":"failover","from":"server1","to":"server2-with-a-long-name","began":"2026-12-06T11:24:58.968Z","ended":"2026-12-06T11:25:13.120Z",
  "outcome":"online","durationMs":14152,"generation":7,"steps":[
  {"time":"2026-12-06T11:24:58.968Z","node":"server2-with-a-long-name","step":"detection","message":"Server server1 is lost: every heartbeat path timed out."},
  {"time":"2026-12-06T11:25:03.000Z","node":"server2-with-a-long-name","step":"fence","message":"server1 is fenced (aws StopInstances i-0a1b2c3d4e5f60718 Force)"},
  {"time":"2026-12-06T11:25:13.120Z","node":"server2-with-a-long-name","step":"online","message":"group failover-database online on server2-with-a-long-name (generation 7)"}]},
 {"group":"web","kind":"start","from":null,"to":"server1","began":"2026-12-06T11:20:00.000Z","ended":null,"outcome":"unfinished","durationMs":null,"generation":1,"steps":[]}]
'@ | ForEach-Object { $_ | Add-Member -NotePropertyName ClusterName -NotePropertyValue 'views-cluster-with-a-long-name' -PassThru }
    $samples['ExpressHa.Cmdlets.HaSupportArchive'] = @(
        [ExpressHa.Cmdlets.HaSupportArchive]@{ Path = '/home/admin/support/case-0001234-views-cluster-with-a-long-name.zip'; ClusterName = 'views-cluster-with-a-long-name'
            Nodes = @('server1', 'server2-with-a-long-name', 'server3'); MissingNodes = @('server4-with-a-long-name'); Length = 73400320 },
        [ExpressHa.Cmdlets.HaSupportArchive]@{ Path = 'support.zip'; ClusterName = 'demo'; Nodes = @('server1'); MissingNodes = @(); Length = 812 })
    $samples['ExpressHa.Cmdlets.HaMirrorKey'] = New-HaMirrorKey -Path (Join-Path $TempDir 'md-database-data.key') -Bits 256

    # Connect-HaCluster makes these after a first status call; the test builds one for a node it does not call.
    $client = (Get-HaCoreType 'ExpressHa.Client.HaApiClient')::new([uri]'https://10.0.110.10:29003/', 'not-a-real-token', 'AB12CD34EF56AB12CD34EF56AB12CD34EF56AB12CD34EF56AB12CD34EF56AB12', $null)
    $connectionType = [ExpressHa.Cmdlets.HaConnection]
    $samples['ExpressHa.Cmdlets.HaConnection'] = $connectionType.GetConstructors([System.Reflection.BindingFlags]'NonPublic,Instance')[0].Invoke(@($client, 'views-cluster-with-a-long-name', 'server1'))

    $samples['ExpressHa.Cmdlets.HaAwsEnvironment'] = [ExpressHa.Cmdlets.HaAwsEnvironment]@{
        InstanceId = 'i-0a1b2c3d4e5f60718'; Region = 'ap-northeast-1'; AvailabilityZone = 'ap-northeast-1a'; VpcId = 'vpc-0123456789abcdef0'
        VpcCidr = '10.0.0.0/16'; SubnetId = 'subnet-0123456789abcdef0'; SubnetCidr = '10.0.110.0/24'; NetworkInterfaceId = 'eni-0aaa1111bbbb2222c'
        PrivateIp = '10.0.110.10'; Mac = '06:d0:3e:aa:bb:01'; HostName = 'ip-10-0-110-10'
    }
    $simulated = Join-Path $TempDir 'simulated.yaml'
    $authored | Set-HaCluster -PingTarget 10.0.10.1 -PassThru | Export-HaClusterConfig -Path $simulated
    $samples['ExpressHa.Cmdlets.HaSimulationStep'] = Test-HaClusterConfig -Path $simulated -Simulate 'MonitorFailed appw', 'ResourceFailed failover1/app', 'NodeLost server1'
    $timeline = @(
        [ExpressHa.Cmdlets.HaDrillEvent]@{ Seconds = 0; Kind = 'request'; Subject = 'appw'; Text = 'request: pseudo-failure of appw' }
        [ExpressHa.Cmdlets.HaDrillEvent]@{ Seconds = 1.2; Kind = 'monitor'; Subject = 'appw'; Text = 'monitor appw error on server1-with-a-long-name' }
        [ExpressHa.Cmdlets.HaDrillEvent]@{ Seconds = 2.5; Kind = 'resource'; Subject = 'failover1/application-server'; Text = 'failover1/application-server online on server2' })
    $samples['ExpressHa.Cmdlets.HaDrillResult'] = @(
        [ExpressHa.Cmdlets.HaDrillResult]@{ ClusterName = 'views-cluster-with-a-long-name'; Drill = 'Pseudo-failure of application-server-monitor'; Kind = 'MonitorFailure'
            Monitor = 'appw'; Succeeded = $true; DetectionSeconds = 1.2; TotalSeconds = 3.75; Timeline = $timeline
            Resources = @([ExpressHa.Cmdlets.HaDrillResourceTime]@{ Resource = 'failover1/application-server'; Node = 'server2'; State = 'online'; Seconds = 2.5 })
            Message = 'appw reported the error; afterwards failover1 online on server2, failover2 online on server2-with-a-long-name.' }
        [ExpressHa.Cmdlets.HaDrillResult]@{ ClusterName = 'views-cluster-with-a-long-name'; Drill = 'Move failover1 to server2'; Kind = 'Move'; Group = 'failover1'
            Node = 'server2'; Succeeded = $false; TotalSeconds = 300; Message = 'not within 300 s: failover1 online on server2.' })
    $samples
}
