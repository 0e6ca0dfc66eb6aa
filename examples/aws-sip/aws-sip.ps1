<#
.SYNOPSIS
    AWS secondary IP design: both nodes sit in one subnet (one availability zone) and the
    service address is a secondary private IP assigned to the active node's ENI.

.DESCRIPTION
    The awssip resource assigns 10.0.20.100 (inside the private subnet 10.0.20.0/24) to the ENI
    of the active node and adds it to eth0; the database (an exec resource) starts after it and a
    process monitor watches it. Partition resolution asks an HTTP witness in the public subnet;
    a lost node is stopped through the EC2 API.

.PARAMETER OutPath
    Where to write the cluster config; by default aws-sip.yaml beside this script.
#>
param([string]$OutPath = [System.IO.Path]::Combine($PSScriptRoot, 'aws-sip.yaml'))

$ErrorActionPreference = 'Stop'

New-HaCluster -Name sip-cluster |
    Add-HaNode server1 10.0.20.10 -InstanceId i-0c1d2e3f4a5b60011 -AvailabilityZone ap-northeast-1a -PassThru |
    Add-HaNode server2 10.0.20.11 -InstanceId i-0c1d2e3f4a5b60022 -AvailabilityZone ap-northeast-1a -PassThru |
    Set-HaCluster -Region ap-northeast-1 `
        -WitnessUrl http://10.0.10.50:8080/ -PartitionAction stopService `
        -FencingType aws -FencingDelay @{ server1 = 0; server2 = 5 } `
        -SnsTopicArn arn:aws:sns:ap-northeast-1:123456789012:ha-alerts -SnsMinLevel error -PassThru |
    Add-HaGroup failover1 -Server server1, server2 -PassThru |
    Add-HaResource awssip1 awssip -Group failover1 -Property @{
        ip         = '10.0.20.100'
        subnetCidr = '10.0.20.0/24'
        eni        = @{ server1 = 'eni-0c1d2e3f4a5b60011'; server2 = 'eni-0c1d2e3f4a5b60022' }
        interface  = 'eth0'
    } -PassThru |
    Add-HaResource db exec -Group failover1 -DependsOn awssip1 -Property @{
        start               = 'systemctl start postgresql'
        stop                = 'systemctl stop postgresql'
        startTimeoutSeconds = 600
        stopTimeoutSeconds  = 600
    } -DeactivationRetries 1 -DeactivationFinalAction shutdown -PassThru |
    Set-HaMonitor awssipw1 -IntervalSeconds 30 -TimeoutSeconds 90 -OnApiFailure warn -PassThru |
    Add-HaMonitor dbw process -Target db -Property @{ processName = 'postgres' } -Timing active -StartWaitSeconds 30 -PassThru |
    Export-HaClusterConfig -Path $OutPath
