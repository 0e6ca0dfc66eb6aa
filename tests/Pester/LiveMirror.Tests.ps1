BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    . $PSScriptRoot/LiveCluster.ps1
    Import-ModuleUnderTest

    # failover1 gets an encrypted 8 MiB mirror md1 on image files (the app depends on it), keyed with New-HaMirrorKey.
    $cluster = Start-TestCluster -AddressPrefix 127.0.22. -Configure {
        param($config, $dir)
        $key = New-HaMirrorKey -Path (Join-Path $dir 'mirror.key') -Bits 128
        $config | Add-HaResource md1 mirror -Group failover1 -Property @{
            dataPath      = @{ server1 = (Join-Path $dir 'server1-data.img'); server2 = (Join-Path $dir 'server2-data.img') }
            metaPath      = @{ server1 = (Join-Path $dir 'server1-meta.img'); server2 = (Join-Path $dir 'server2-meta.img') }
            mirrorAddress = @{ server1 = $config.Nodes[0].Addresses['lan1']; server2 = $config.Nodes[1].Addresses['lan1'] }
            mirrorPort    = Get-FreePort
            exportAddress = "127.0.0.1:$(Get-FreePort)"
            sizeMiB       = 8
            keyFile       = $key.Path
        }
        $config | Set-HaResource app -DependsOn md1
    }
    Connect-TestCluster $cluster

    function Wait-Mirror([scriptblock]$Expect, [string]$Because) {
        Wait-Until -TimeoutSeconds 90 -Because $Because { $rows = @(Get-HaMirror md1 -ErrorAction Stop); $rows.Count -eq 2 -and (& $Expect $rows) } | Out-Null
    }
    function Wait-MirrorInSync([string]$Because) {
        Wait-Mirror { param($rows) -not ($rows | Where-Object { $_.Connection -ne 'Connected' -or $_.Disk -ne 'UpToDate' -or $_.Sync -ne 'None' }) } $Because
    }
    Wait-MirrorInSync 'the mirror did not connect and sync'
}

AfterAll { Stop-TestCluster $cluster -Name LiveMirror }

Describe 'Get-HaMirror' {
    It 'shows the primary on the group''s owner and an up-to-date standby, encrypted, on the same generation' {
        $rows = Get-HaMirror md1 | Sort-Object Node
        $rows.Node | Should -Be @('server1', 'server2')
        $rows.Role | Should -Be @('Primary', 'Secondary')
        $rows.Encrypted | Should -Be @($true, $true)
        $rows.SizeBytes | Should -Be @(8MB, 8MB)
        $rows[0].CurrentGeneration | Should -Be $rows[1].CurrentGeneration
        $rows[0].ClusterName | Should -Be 'pester'
    }

    It '-Node selects one copy, and an unknown name is MirrorNotFound' {
        (Get-HaMirror -Node server2).Role | Should -Be 'Secondary'
        Get-HaMirror nosuch -ErrorVariable ev -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Assert-HaError $ev[0] 'ExpressHa.MirrorNotFound,ExpressHa.Cmdlets.GetHaMirrorCommand' ObjectNotFound
    }
}

Describe 'Suspend-HaMirror and Resume-HaMirror' {
    It 'Suspend-HaMirror -WhatIf leaves the mirror connected' {
        Suspend-HaMirror md1 -WhatIf | Should -BeNullOrEmpty
        (Get-HaMirror md1).Connection | Should -Be @('Connected', 'Connected')
    }

    It 'Suspend-HaMirror -Confirm:$false freezes the standby' {
        Suspend-HaMirror md1 -Confirm:$false
        Wait-Mirror { param($rows) ($rows | Where-Object Node -eq 'server2').Disk -eq 'Outdated' } 'the standby was not outdated by the suspension'
    }

    It 'the mirror objects piped to Resume-HaMirror bind by name and the standby resyncs' {
        Get-HaMirror md1 | Resume-HaMirror -Confirm:$false
        Wait-MirrorInSync 'the mirror did not resync after the resume'
    }
}

Describe 'The mirror follows the group' {
    It 'Move-HaGroup -Wait makes the copy on the new owner the primary' {
        (Move-HaGroup failover1 -Node server2 -Wait -TimeoutSeconds 120).Owner | Should -Be 'server2'
        $rows = Get-HaMirror md1 | Sort-Object Node
        $rows.Role | Should -Be @('Secondary', 'Primary')
        Get-AppHost $cluster | Should -Be 'server2'
    }
}

Describe 'Backup-HaMirror and Restore-HaMirror' {
    BeforeAll { $image = Join-Path $cluster.Dir 'md1-backup.img' }

    It 'Backup-HaMirror copies the standby''s data and leaves the mirror in sync' {
        $job = Backup-HaMirror md1 -Path $image -Confirm:$false
        $job.State | Should -Be 'Succeeded'
        $job.Node | Should -Be 'server1'
        (Get-Item $image).Length | Should -Be 8MB
        Wait-MirrorInSync 'the mirror was not resumed after the backup'
    }

    It 'Restore-HaMirror is refused with ExpressHa.GroupActive while the group runs' {
        Restore-HaMirror md1 -Path $image -Confirm:$false -ErrorVariable ev -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $ev[0].FullyQualifiedErrorId | Should -BeLike 'ExpressHa.GroupActive,*'
        (Get-HaGroup failover1).State | Should -Be 'online'
    }

    It 'Restore-HaMirror restores the image once the group is stopped' {
        Stop-HaGroup failover1 -Wait -TimeoutSeconds 120 -Confirm:$false | Out-Null
        (Restore-HaMirror md1 -Path $image -Confirm:$false).State | Should -Be 'Succeeded'
        (Start-HaGroup failover1 -Wait -TimeoutSeconds 120).State | Should -Be 'online'
        Wait-MirrorInSync 'the mirror did not sync after the restore'
    }
}
