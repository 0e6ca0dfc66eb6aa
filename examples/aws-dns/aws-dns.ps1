<#
.SYNOPSIS
    Route 53 DNS design: clients resolve a name in a private hosted zone, and the A record is
    rewritten to the active node's own address on failover.

.DESCRIPTION
    The nodes sit in the private subnets of two availability zones. The awsdns resource upserts
    app.srv.hz1.local. in the private hosted zone Z0123456789ABCDEFGHIJ with the address of the
    active node (given per node), waits for the change to be INSYNC, and deletes the record when
    the group stops. TTL is 10 s so clients follow a failover quickly. The monitor resolves the
    name before it uses the Route 53 API, which allows only a few requests per second.

.PARAMETER OutPath
    Where to write the cluster config; by default aws-dns.yaml beside this script.
#>
param([string]$OutPath = [System.IO.Path]::Combine($PSScriptRoot, 'aws-dns.yaml'))

$ErrorActionPreference = 'Stop'

New-HaCluster -Name dns-cluster |
    Add-HaNode server1 10.0.110.10 -InstanceId i-0d1e2f3a4b5c60011 -AvailabilityZone ap-northeast-1a -PassThru |
    Add-HaNode server2 10.0.120.10 -InstanceId i-0d1e2f3a4b5c60022 -AvailabilityZone ap-northeast-1b -PassThru |
    Set-HaCluster -Region ap-northeast-1 `
        -WitnessUrl http://10.0.10.50:8080/ -PartitionAction stopService `
        -FencingType aws -FencingDelay @{ server1 = 0; server2 = 5 } `
        -SnsTopicArn arn:aws:sns:ap-northeast-1:123456789012:ha-alerts -PassThru |
    Add-HaGroup failover1 -Server server1, server2 -PassThru |
    Add-HaResource awsdns1 awsdns -Group failover1 -Property @{
        hostedZoneId       = 'Z0123456789ABCDEFGHIJ'
        recordName         = 'app.srv.hz1.local.'
        ip                 = @{ server1 = '10.0.110.10'; server2 = '10.0.120.10' }
        ttl                = 10
        deleteOnDeactivate = $true
    } -PassThru |
    Add-HaResource app exec -Group failover1 -DependsOn awsdns1 -Property @{
        start       = '/opt/app/bin/start.sh'
        stop        = '/opt/app/bin/stop.sh'
        environment = @{ APP_HOSTNAME = 'app.srv.hz1.local'; APP_PORT = '8080' }
    } -PassThru |
    Set-HaMonitor awsdnsw1 -IntervalSeconds 60 -TimeoutSeconds 180 -Retry 2 -OnApiFailure warn -Property @{ checkResolution = $true } -PassThru |
    Add-HaMonitor appw http -Target app -Property @{ url = 'http://127.0.0.1:8080/health' } -Timing active -PassThru |
    Export-HaClusterConfig -Path $OutPath
