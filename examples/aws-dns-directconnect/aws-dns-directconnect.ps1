<#
.SYNOPSIS
    Route 53 for clients outside the VPC (on premises over Direct Connect, or a peered VPC):
    the record points at the active node's real ENI address, which is routable from there.

.DESCRIPTION
    A route-table VIP is outside the VPC CIDR and so cannot be reached over Direct Connect; an
    Elastic IP would go over the Internet. Instead each node's own primary private address is the
    service address: a "real IP" exec resource checks that the node's primary address is up on
    eth0 before anything else starts, the awsdns resource then registers that node's address
    (given per node) in Route 53, and the application starts last. Because the two nodes serve
    different addresses, nothing at the IP level stops both from serving after a split, so the
    cluster uses an HTTP witness in a third availability zone and fences a lost node through the
    EC2 API. Route 53 can be slow to report INSYNC, so the GetChange polls are raised to 7.

.PARAMETER OutPath
    Where to write the cluster config; by default aws-dns-directconnect.yaml beside this script.
#>
param([string]$OutPath = [System.IO.Path]::Combine($PSScriptRoot, 'aws-dns-directconnect.yaml'))

$ErrorActionPreference = 'Stop'

$realIp = @{ server1 = '10.0.110.10'; server2 = '10.0.120.10' }

New-HaCluster -Name dx-cluster |
    Add-HaNode server1 $realIp.server1 -InstanceId i-0e1f2a3b4c5d60011 -AvailabilityZone ap-northeast-1a -PassThru |
    Add-HaNode server2 $realIp.server2 -InstanceId i-0e1f2a3b4c5d60022 -AvailabilityZone ap-northeast-1b -PassThru |
    Set-HaCluster -Region ap-northeast-1 `
        -WitnessUrl http://10.0.130.10:8080/ -PartitionAction shutdown `
        -FencingType aws -FencingDelay @{ server1 = 0; server2 = 10 } -FencingRetries 2 `
        -SnsTopicArn arn:aws:sns:ap-northeast-1:123456789012:ha-alerts -PassThru |
    Add-HaGroup failover1 -Server server1, server2 -Failback manual -PassThru |
    Add-HaResource realip1 exec -Group failover1 -Property @{
        start               = '/opt/expressha/scripts/realip.sh start eth0'
        stop                = '/opt/expressha/scripts/realip.sh stop eth0'
        startTimeoutSeconds = 60
        stopTimeoutSeconds  = 60
    } -PassThru |
    Add-HaResource route53 awsdns -Group failover1 -DependsOn realip1 -Property @{
        hostedZoneId          = 'Z0987654321ZYXWVUTSRQ'
        recordName            = 'db.corp.example.internal.'
        ip                    = $realIp
        ttl                   = 10
        insyncIntervalSeconds = 20
        insyncTries           = 7
        updateIntervalSeconds = 2
        updateTries           = 3
    } -ActivationRetries 1 -PassThru |
    Add-HaResource db exec -Group failover1 -DependsOn realip1, route53 -Property @{
        start = 'systemctl start mariadb'
        stop  = 'systemctl stop mariadb'
    } -PassThru |
    Set-HaMonitor route53w -IntervalSeconds 60 -TimeoutSeconds 180 -OnApiFailure warn -PassThru |
    Add-HaMonitor realipw custom -Target realip1 -Property @{ script = '/opt/expressha/scripts/realip.sh status eth0' } `
        -IntervalSeconds 10 -TimeoutSeconds 30 -Timing active -Restarts 1 -Failovers 1 -PassThru |
    Export-HaClusterConfig -Path $OutPath
