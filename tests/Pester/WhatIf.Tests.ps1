BeforeDiscovery {
    # Each edit takes the config source (@{ Path = ... } or @{ InputObject = ... }) and the mode (-WhatIf or
    # -Confirm:$false) as splats; Changed tells from the config afterwards whether the edit was made.
    $edits = @(
        @{ Command = 'Add-HaNode'; Edit = { param($s, $m) Add-HaNode @s server3 10.0.130.10 -InstanceId i-0a1b2c3d4e5f60033 -AvailabilityZone ap-northeast-1c -PassThru @m }
            Changed = { param($c) (Get-HaNode -InputObject $c).Name -contains 'server3' } }
        @{ Command = 'Set-HaNode'; Edit = { param($s, $m) Set-HaNode @s server2 -Priority 7 -PassThru @m }
            Changed = { param($c) (Get-HaNode -InputObject $c server2).Priority -eq 7 } }
        @{ Command = 'Remove-HaNode'; Edit = { param($s, $m) Remove-HaNode @s server2 -Force -PassThru @m }
            Changed = { param($c) (Get-HaNode -InputObject $c).Name -notcontains 'server2' } }
        @{ Command = 'Add-HaGroup'; Edit = { param($s, $m) Add-HaGroup @s failover2 server2, server1 -PassThru @m }
            Changed = { param($c) (Get-HaGroup -InputObject $c).Name -contains 'failover2' } }
        @{ Command = 'Set-HaGroup'; Edit = { param($s, $m) Set-HaGroup @s failover1 -Failback auto -PassThru @m }
            Changed = { param($c) (Get-HaGroup -InputObject $c failover1).Failback -eq 'auto' } }
        @{ Command = 'Remove-HaGroup'; Edit = { param($s, $m) Remove-HaGroup @s failover1 -Force -PassThru @m }
            Changed = { param($c) @(Get-HaGroup -InputObject $c).Count -eq 0 } }
        @{ Command = 'Add-HaResource'; Edit = { param($s, $m) Add-HaResource @s worker exec -Group failover1 -Property @{ start = '/opt/worker/start' } -PassThru @m }
            Changed = { param($c) (Get-HaResource -InputObject $c).Name -contains 'worker' } }
        @{ Command = 'Set-HaResource'; Edit = { param($s, $m) Set-HaResource @s app -Property @{ stopTimeoutSeconds = 600 } -PassThru @m }
            Changed = { param($c) (Get-HaResource -InputObject $c app).Parameters['stopTimeoutSeconds'] -eq 600 } }
        @{ Command = 'Remove-HaResource'; Edit = { param($s, $m) Remove-HaResource @s app -Force -PassThru @m }
            Changed = { param($c) (Get-HaResource -InputObject $c).Name -notcontains 'app' } }
        @{ Command = 'Add-HaMonitor'; Edit = { param($s, $m) Add-HaMonitor @s gwping ip -Property @{ targets = '10.0.10.1' } -RecoveryTarget failover1 -PassThru @m }
            Changed = { param($c) (Get-HaMonitor -InputObject $c).Name -contains 'gwping' } }
        @{ Command = 'Set-HaMonitor'; Edit = { param($s, $m) Set-HaMonitor @s appw -Retry 3 -PassThru @m }
            Changed = { param($c) (Get-HaMonitor -InputObject $c appw).Retry -eq 3 } }
        @{ Command = 'Remove-HaMonitor'; Edit = { param($s, $m) Remove-HaMonitor @s appw -PassThru @m }
            Changed = { param($c) (Get-HaMonitor -InputObject $c).Name -notcontains 'appw' } }
        @{ Command = 'Set-HaCluster'; Edit = { param($s, $m) Set-HaCluster @s -HeartbeatTimeoutMs 40000 -PassThru @m }
            Changed = { param($c) $c.Cluster.Heartbeat.TimeoutMs -eq 40000 } }
    )
}

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    Import-ModuleUnderTest
    $dir = New-TestDirectory
    function Get-Yaml($Config) { $Config.ToYaml() }
}

AfterAll { Remove-Item $dir -Recurse -Force -ErrorAction SilentlyContinue }

Describe '<Command>' -ForEach $edits {
    BeforeEach {
        $file = Copy-SampleConfig (Join-Path $dir "$Command.yaml")
        $hash = Get-FileSha256 $file
    }

    It '-Path with -WhatIf writes nothing and returns nothing' {
        $out = & $Edit @{ Path = $file } @{ WhatIf = $true }
        $out | Should -BeNullOrEmpty
        Get-FileSha256 $file | Should -Be $hash
        & $Changed (Import-HaClusterConfig $file) | Should -BeFalse
    }

    It '-Path with -Confirm:$false writes the change' {
        $out = & $Edit @{ Path = $file } @{ Confirm = $false }
        $out | Should -BeOfType (Get-HaCoreType 'ExpressHa.Config.ClusterConfig')
        Get-FileSha256 $file | Should -Not -Be $hash
        & $Changed (Import-HaClusterConfig $file) | Should -BeTrue
        Test-HaClusterConfig -Path $file | Where-Object IsError | Should -BeNullOrEmpty
    }

    It 'an object with -WhatIf stays as it was' {
        $config = Import-HaClusterConfig $file
        $before = Get-Yaml $config
        & $Edit @{ InputObject = $config } @{ WhatIf = $true } | Should -BeNullOrEmpty
        Get-Yaml $config | Should -BeExactly $before
    }

    It 'an object with -Confirm:$false is changed in place and passed through' {
        $config = Import-HaClusterConfig $file
        $out = & $Edit @{ InputObject = $config } @{ Confirm = $false }
        [object]::ReferenceEquals($out, $config) | Should -BeTrue
        & $Changed $config | Should -BeTrue
    }
}

Describe 'The cases above' {
    It 'cover every Add-, Set- and Remove- cmdlet of the module' -ForEach @{ Covered = @($edits.Command) } {
        $Covered | Sort-Object | Should -Be ((Get-Command -Module ExpressHa -Verb Add, Set, Remove).Name | Sort-Object)
    }
}

Describe 'The cmdlets that create files' {
    It 'New-HaCluster -Path -Force -WhatIf keeps the existing file' {
        $file = Copy-SampleConfig (Join-Path $dir 'new-existing.yaml')
        $hash = Get-FileSha256 $file
        New-HaCluster other -Path $file -Force -WhatIf
        Get-FileSha256 $file | Should -Be $hash
    }

    It 'New-HaCluster, Export-HaClusterConfig and New-HaMirrorKey with -WhatIf create no file' {
        New-HaCluster other -Path (Join-Path $dir 'new.yaml') -WhatIf
        New-HaCluster other | Add-HaNode n1 10.0.0.1 -PassThru | Export-HaClusterConfig -Path (Join-Path $dir 'export.yaml') -WhatIf -WarningAction SilentlyContinue
        New-HaMirrorKey -Path (Join-Path $dir 'md1.key') -WhatIf
        Join-Path $dir 'new.yaml' | Should -Not -Exist
        Join-Path $dir 'export.yaml' | Should -Not -Exist
        Join-Path $dir 'md1.key' | Should -Not -Exist
    }

    It 'the same commands with -Confirm:$false create them' {
        New-HaCluster other -Path (Join-Path $dir 'new2.yaml') -Confirm:$false
        New-HaMirrorKey -Path (Join-Path $dir 'md2.key') -Confirm:$false | Out-Null
        (Import-HaClusterConfig (Join-Path $dir 'new2.yaml')).Name | Should -Be 'other'
        (Get-Item (Join-Path $dir 'md2.key')).Length | Should -Be 32
    }
}
