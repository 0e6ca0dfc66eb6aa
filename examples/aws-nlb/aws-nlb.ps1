<#
.SYNOPSIS
    NLB design: an internal Network Load Balancer forwards to whichever node answers its health
    check, and only the active node listens on the health-check port.

.DESCRIPTION
    The NLB target group holds both instances and probes TCP port 12345 every 30 s. The lbprobe
    resource listens on that port on the active node only, so the NLB sends traffic there; it
    depends on the application, so the probe answers only once the application runs. The probe
    monitor reports an error when no health check arrived for 31 s (longer than the NLB interval).

.PARAMETER OutPath
    Where to write the cluster config; by default aws-nlb.yaml beside this script.
#>
param([string]$OutPath = [System.IO.Path]::Combine($PSScriptRoot, 'aws-nlb.yaml'))

$ErrorActionPreference = 'Stop'

New-HaCluster -Name nlb-cluster |
    Add-HaNode server1 10.0.110.10 -InstanceId i-0f1a2b3c4d5e60011 -AvailabilityZone ap-northeast-1a -PassThru |
    Add-HaNode server2 10.0.120.10 -InstanceId i-0f1a2b3c4d5e60022 -AvailabilityZone ap-northeast-1b -PassThru |
    Set-HaCluster -Region ap-northeast-1 `
        -WitnessUrl http://10.0.20.50:8080/ -PartitionAction stopService `
        -FencingType aws -FencingDelay @{ server1 = 0; server2 = 5 } `
        -SnsTopicArn arn:aws:sns:ap-northeast-1:123456789012:ha-alerts -PassThru |
    Add-HaGroup failover1 -Server server1, server2 -PassThru |
    Add-HaResource app exec -Group failover1 -Property @{
        start = '/opt/app/bin/start.sh'
        stop  = '/opt/app/bin/stop.sh'
    } -PassThru |
    Add-HaResource lbprobe1 lbprobe -Group failover1 -DependsOn app -Property @{
        port                      = 12345
        healthCheckTimeoutSeconds = 31
    } -PassThru |
    Set-HaMonitor lbprobew1 -IntervalSeconds 10 -TimeoutSeconds 40 -Retry 1 -Restarts 1 -Failovers 1 -PassThru |
    Add-HaMonitor appw http -Target app -Property @{ url = 'http://127.0.0.1:8080/health'; expectedStatus = 204 } -Timing active -PassThru |
    Add-HaMonitor awsazw1 awsaz -RecoveryTarget failover1 -Failovers 1 -OnApiFailure warn -PassThru |
    Export-HaClusterConfig -Path $OutPath
