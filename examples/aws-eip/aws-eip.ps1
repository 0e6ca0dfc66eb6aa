<#
.SYNOPSIS
    AWS Elastic IP design: clients on the Internet reach the active node through an Elastic IP
    that is associated with the active node's ENI.

.DESCRIPTION
    The two nodes sit in the public subnets of two availability zones. The awseip resource
    associates the allocation eipalloc-01234567 with the ENI of whichever node is active; the web
    application (an exec resource) starts after it and is checked over HTTP. A node that can no
    longer open a TCP connection to the regional EC2 endpoint considers itself isolated and stops
    its cluster service; a lost peer is stopped through the EC2 API, server2 after a 5 s delay.

.PARAMETER OutPath
    Where to write the cluster config; by default aws-eip.yaml beside this script.
#>
param([string]$OutPath = [System.IO.Path]::Combine($PSScriptRoot, 'aws-eip.yaml'))

$ErrorActionPreference = 'Stop'

New-HaCluster -Name eip-cluster |
    Add-HaNode server1 10.0.10.10 -InstanceId i-0b1c2d3e4f5a60011 -AvailabilityZone ap-northeast-1a -PassThru |
    Add-HaNode server2 10.0.20.10 -InstanceId i-0b1c2d3e4f5a60022 -AvailabilityZone ap-northeast-1b -PassThru |
    Set-HaCluster -Region ap-northeast-1 `
        -TcpTarget ec2.ap-northeast-1.amazonaws.com:443 -PartitionAction stopService `
        -FencingType aws -FencingDelay @{ server1 = 0; server2 = 5 } -FencingTimeoutSeconds 180 `
        -SnsTopicArn arn:aws:sns:ap-northeast-1:123456789012:ha-alerts -PassThru |
    Add-HaGroup failover1 -Server server1, server2 -PassThru |
    Add-HaResource awseip1 awseip -Group failover1 -Property @{
        allocationId = 'eipalloc-01234567'
        eni          = @{ server1 = 'eni-0b1c2d3e4f5a60011'; server2 = 'eni-0b1c2d3e4f5a60022' }
    } -PassThru |
    Add-HaResource web exec -Group failover1 -DependsOn awseip1 -Property @{
        start = 'systemctl start nginx'
        stop  = 'systemctl stop nginx'
    } -PassThru |
    Set-HaMonitor awseipw1 -IntervalSeconds 30 -TimeoutSeconds 90 -Restarts 2 -Failovers 1 -FinalAction stopGroup -PassThru |
    Add-HaMonitor webw http -Target web -Property @{ url = 'http://127.0.0.1/healthz'; expectedStatus = 200 } `
        -IntervalSeconds 15 -TimeoutSeconds 45 -Retry 2 -Timing active -StartWaitSeconds 10 -PassThru |
    Add-HaMonitor awsazw1 awsaz -RecoveryTarget failover1 -Failovers 1 -OnApiFailure warn -PassThru |
    Export-HaClusterConfig -Path $OutPath
