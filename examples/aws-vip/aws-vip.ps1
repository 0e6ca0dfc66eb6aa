<#
.SYNOPSIS
    AWS virtual IP design: two nodes in two availability zones; clients in the VPC reach the
    active node through a VIP that lives outside the VPC CIDR and is routed by the route tables.

.DESCRIPTION
    The awsvip resource points the 10.1.0.20/32 route of every route table of the VPC at the
    active node's ENI and adds the address to the OS; the application (an exec resource) starts
    after it. Partition resolution pings the NAT instances of both public subnets, a lost node is
    stopped through the EC2 API (server2 waits 5 s so the two cannot stop each other at once),
    and warnings and errors are published to an SNS topic.

.PARAMETER OutPath
    Where to write the cluster config; by default aws-vip.yaml beside this script.

.EXAMPLE
    ./aws-vip.ps1 -OutPath /tmp/aws-vip.yaml
#>
param([string]$OutPath = [System.IO.Path]::Combine($PSScriptRoot, 'aws-vip.yaml'))

$ErrorActionPreference = 'Stop'

New-HaCluster -Name vip-cluster |
    Add-HaNode server1 10.0.110.10 -InstanceId i-0a1b2c3d4e5f60011 -AvailabilityZone ap-northeast-1a -PassThru |
    Add-HaNode server2 10.0.120.10 -InstanceId i-0a1b2c3d4e5f60022 -AvailabilityZone ap-northeast-1b -PassThru |
    Set-HaCluster -Region ap-northeast-1 `
        -PingTarget 10.0.10.100, 10.0.20.100 -PartitionAction shutdown `
        -FencingType aws -FencingDelay @{ server1 = 0; server2 = 5 } `
        -SnsTopicArn arn:aws:sns:ap-northeast-1:123456789012:ha-alerts -SnsMinLevel warning -PassThru |
    Add-HaGroup failover1 -Server server1, server2 -Startup auto -Failback manual -PassThru |
    Add-HaResource awsvip1 awsvip -Group failover1 -Property @{
        ip      = '10.1.0.20'
        vpcId   = 'vpc-1234abcd'
        vpcCidr = '10.0.0.0/16'
        eni     = @{ server1 = 'eni-0a1b2c3d4e5f60011'; server2 = 'eni-0a1b2c3d4e5f60022' }
    } -PassThru |
    Add-HaResource app exec -Group failover1 -DependsOn awsvip1 -Property @{
        start               = '/opt/app/bin/start.sh'
        stop                = '/opt/app/bin/stop.sh'
        startTimeoutSeconds = 300
        stopTimeoutSeconds  = 300
    } -ActivationRetries 1 -ActivationFailovers 1 -ActivationFinalAction stopGroup -PassThru |
    Set-HaMonitor awsvipw1 -IntervalSeconds 30 -TimeoutSeconds 120 -OnApiFailure warn -PassThru |
    Add-HaMonitor awsazw1 awsaz -OnApiFailure warn -RecoveryTarget failover1 -Failovers 1 -PassThru |
    Add-HaMonitor appw process -Target app -Property @{ pidFile = '/run/app.pid' } -Timing active -Restarts 2 -Failovers 1 -FinalAction stopGroup -PassThru |
    Export-HaClusterConfig -Path $OutPath
