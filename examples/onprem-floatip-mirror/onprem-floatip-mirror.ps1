<#
.SYNOPSIS
    On-premises mirror-disk design: a floating IP on the public LAN and a data partition
    replicated to the standby over a dedicated mirror LAN; no shared disk.

.DESCRIPTION
    lan1 (10.0.0.0/24) is the public LAN and the first heartbeat path; mdc1 (192.168.0.0/24) is a
    dedicated link between the two servers that carries the mirror connection (and heartbeats as
    a second path). The mirror resource replicates /dev/sdb2 (data) with /dev/sdb1 as its cluster
    partition, encrypted with a key file, and mounts it on /mnt/md1; the floating IP 10.0.0.12
    moves with the group; the application starts after both. Partition resolution pings the
    gateway, and a lost server is powered off through its BMC by a script (IPMI first, then the
    PDU).

.PARAMETER OutPath
    Where to write the cluster config; by default onprem-floatip-mirror.yaml beside this script.
#>
param([string]$OutPath = [System.IO.Path]::Combine($PSScriptRoot, 'onprem-floatip-mirror.yaml'))

$ErrorActionPreference = 'Stop'

New-HaCluster -Name onprem-cluster -Interconnect lan1, mdc1 -HeartbeatIntervalMs 1000 -HeartbeatTimeoutMs 30000 |
    Add-HaNode server1 -Addresses @{ lan1 = '10.0.0.1'; mdc1 = '192.168.0.1' } -PassThru |
    Add-HaNode server2 -Addresses @{ lan1 = '10.0.0.2'; mdc1 = '192.168.0.2' } -PassThru |
    Set-HaCluster -PingTarget 10.0.0.254 -PartitionAction shutdown `
        -FencingLevel @{ type = 'script'; command = '/usr/local/sbin/fence-ipmi.sh' },
                      @{ type = 'script'; command = '/usr/local/sbin/fence-pdu.sh' } `
        -FencingDelay @{ server1 = 0; server2 = 5 } -WatchdogTimeoutMs 60000 -PassThru |
    Add-HaGroup failover1 -Server server1, server2 -Failback manual -PassThru |
    Add-HaResource fip1 floatip -Group failover1 -Property @{
        ip           = '10.0.0.12'
        prefixLength = 24
        interface    = @{ server1 = 'eth0'; server2 = 'eth0' }
    } -PassThru |
    Add-HaResource md1 mirror -Group failover1 -Property @{
        dataPath      = @{ server1 = '/dev/sdb2'; server2 = '/dev/sdb2' }
        metaPath      = @{ server1 = '/dev/sdb1'; server2 = '/dev/sdb1' }
        sizeMiB       = 20480
        mirrorAddress = @{ server1 = '192.168.0.1'; server2 = '192.168.0.2' }
        keyFile       = '/etc/expressha/mirror.key'
        syncRateMiBps = 200
        mountPoint    = '/mnt/md1'
        fsType        = 'ext4'
        attach        = 'nbd-client'     # nbdfuse where the kernel has no nbd module
        unmountGraceSeconds = 20
    } -PassThru |
    Add-HaResource app exec -Group failover1 -DependsOn fip1, md1 -Property @{
        start            = '/mnt/md1/app/bin/start.sh'
        stop             = '/mnt/md1/app/bin/stop.sh'
        workingDirectory = '/mnt/md1/app'
    } -ActivationRetries 1 -PassThru |
    Set-HaMonitor md1nw -IntervalSeconds 30 -TimeoutSeconds 90 -PassThru |
    Add-HaMonitor ipw1 ip -Property @{ targets = '10.0.0.254' } -RecoveryTarget local -FinalAction shutdown -PassThru |
    Add-HaMonitor appw custom -Target app -Property @{ script = '/mnt/md1/app/bin/healthcheck.sh'; environment = @{ APP_URL = 'http://10.0.0.12/' } } `
        -Timing active -IntervalSeconds 30 -TimeoutSeconds 90 -Retry 1 -PassThru |
    Add-HaMonitor webw http -Target app -Property @{ url = 'http://10.0.0.12/' } -Timing active -PassThru |
    Add-HaMonitor userw userw -RecoveryTarget local -FinalAction reboot -PassThru |
    Export-HaClusterConfig -Path $OutPath
