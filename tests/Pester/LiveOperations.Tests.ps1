BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    . $PSScriptRoot/LiveCluster.ps1
    Import-ModuleUnderTest
    $cluster = Start-TestCluster -AddressPrefix 127.0.21. -Configure {
        param($config)
        $config | Add-HaMonitor appw custom -Target app -Timing active -IntervalSeconds 2 -TimeoutSeconds 10 -Property @{ script = '/bin/true' }
    }
    Connect-TestCluster $cluster
}

AfterAll { Stop-TestCluster $cluster -Name LiveOperations }

# The Its of this file run in order against one cluster: each starts from where the one before left the group.
Describe 'Connect-HaCluster' {
    It 'returns the connection with -PassThru and names the cluster' {
        $c = Connect-HaCluster -Endpoint $cluster.Endpoint -TokenFile $cluster.TokenFile -PassThru
        $c.ClusterName | Should -Be 'pester'
    }

    It 'refuses a wrong token with a terminating ExpressHa.Unauthorized and keeps the working connection' {
        $e = { Connect-HaCluster -Endpoint $cluster.Endpoint -Token (ConvertTo-SecureString 'wrong' -AsPlainText -Force) } |
            Should -Throw -ErrorId 'ExpressHa.Unauthorized,ExpressHa.Cmdlets.ConnectHaClusterCommand' -PassThru
        $e.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $e.Exception.Message | Should -Match 'refused the API token'
        (Get-HaClusterStatus).ClusterName | Should -Be 'pester'
    }
}

Describe 'Get-HaClusterStatus and the live Get- cmdlets' {
    It 'shows both nodes online, the coordinator, generation 1 and failover1 online on server1' {
        $s = Get-HaClusterStatus
        $s.ClusterName | Should -Be 'pester'
        $s.ConfigGeneration | Should -Be 1
        $s.Coordinator | Should -Be 'server1'
        ($s.Nodes | Sort-Object Name).Name | Should -Be @('server1', 'server2')
        $s.Nodes.State | Should -Be @('online', 'online')
        $s.Groups.Name | Should -Be 'failover1'
        $s.Groups[0].State | Should -Be 'online'
        $s.Groups[0].Owner | Should -Be 'server1'
        Get-AppHost $cluster | Should -Be 'server1'
    }

    It 'Get-HaNode, Get-HaGroup and Get-HaResource return status objects tagged with the cluster' {
        $nodes = Get-HaNode
        $nodes | Should -HaveCount 2
        $nodes[0] | Should -BeOfType ExpressHa.Cmdlets.HaNodeStatus
        $group = Get-HaGroup failover1
        $group | Should -BeOfType ExpressHa.Cmdlets.HaGroupStatus
        $group.ClusterName | Should -Be 'pester'
        $resource = Get-HaResource app
        $resource.Group | Should -Be 'failover1'
        $resource.State | Should -Be 'online'
    }

    It 'a group that does not exist is an ObjectNotFound record, not an exception' {
        Get-HaGroup nosuch -ErrorVariable ev -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $ev | Should -HaveCount 1
        Assert-HaError $ev[0] 'ExpressHa.GroupNotFound,ExpressHa.Cmdlets.GetHaGroupCommand' ObjectNotFound
    }
}

Describe 'Move-HaGroup' {
    It '-WhatIf moves nothing' {
        Get-HaGroup failover1 | Move-HaGroup -Node server2 -WhatIf | Should -BeNullOrEmpty
        (Get-HaGroup failover1).Owner | Should -Be 'server1'
        Get-AppHost $cluster | Should -Be 'server1'
    }

    It '-Wait returns once the group is online on the new node, where the resource really runs' {
        $moved = Get-HaGroup failover1 | Move-HaGroup -Node server2 -Wait -TimeoutSeconds 120
        $moved.Owner | Should -Be 'server2'
        $moved.State | Should -Be 'online'
        (Get-HaGroup failover1).Owner | Should -Be 'server2'
        Get-AppHost $cluster | Should -Be 'server2'
    }

    It 'binds Name and ClusterName by property name from an object rebuilt from JSON' {
        $json = Get-HaGroup failover1 | ConvertTo-Json -Depth 4
        $moved = $json | ConvertFrom-Json | Move-HaGroup -Node server1 -Wait -TimeoutSeconds 120
        $moved.Owner | Should -Be 'server1'
        Get-AppHost $cluster | Should -Be 'server1'
    }

    It 'refuses an object of another cluster with ExpressHa.WrongCluster and moves nothing' {
        [pscustomobject]@{ Name = 'failover1'; ClusterName = 'other' } |
            Move-HaGroup -Node server2 -ErrorVariable ev -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Assert-HaError $ev[0] 'ExpressHa.WrongCluster,ExpressHa.Cmdlets.MoveHaGroupCommand' InvalidArgument
        (Get-HaGroup failover1).Owner | Should -Be 'server1'
    }
}

Describe 'Stop-HaGroup and Start-HaGroup' {
    It 'Stop-HaGroup -Wait stops the resource everywhere' {
        (Get-HaGroup failover1 | Stop-HaGroup -Wait -TimeoutSeconds 120 -Confirm:$false).State | Should -Be 'offline'
        Get-AppHost $cluster | Should -BeNullOrEmpty
    }

    It 'Start-HaGroup -Node -Wait starts it on that node' {
        $started = Start-HaGroup failover1 -Node server2 -Wait -TimeoutSeconds 120
        $started.State | Should -Be 'online'
        $started.Owner | Should -Be 'server2'
        Get-AppHost $cluster | Should -Be 'server2'
    }

    It 'Start-HaGroup -Node of a group online elsewhere is refused at once, not waited for' {
        Start-HaGroup failover1 -Node server1 -Wait -TimeoutSeconds 120 -ErrorVariable ev -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $ev | Should -HaveCount 1
        $ev[0].FullyQualifiedErrorId | Should -Be 'ExpressHa.OperationRefused,ExpressHa.Cmdlets.StartHaGroupCommand'
        $ev[0].Exception.Message | Should -Match 'already online on server2.*Move-HaGroup -Node server1'
        (Get-HaGroup failover1).Owner | Should -Be 'server2'
    }
}

Describe 'Publish-HaClusterConfig' {
    BeforeAll {
        $changed = Join-Path $cluster.Dir 'changed.yaml'
        Import-HaClusterConfig $cluster.ConfigFile |
            Add-HaGroup spare -Server server1, server2 -Startup manual -PassThru |
            Add-HaResource spare1 exec -Group spare -Property @{ start = '/bin/true' } -PassThru |
            Export-HaClusterConfig -Path $changed -WarningAction SilentlyContinue
    }

    It '-WhatIf returns the difference and applies nothing' {
        $diff = Publish-HaClusterConfig -Path $changed -WhatIf
        $diff.Added | Should -Contain 'group/spare'
        $diff.Removed | Should -BeNullOrEmpty
        (Get-HaClusterStatus).ConfigGeneration | Should -Be 1
        Get-HaGroup spare -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'a config object from the pipeline gives the same difference' {
        (Import-HaClusterConfig $changed | Publish-HaClusterConfig -WhatIf).Added | Should -Contain 'group/spare'
        (Get-HaClusterStatus).ConfigGeneration | Should -Be 1
    }

    It '-Confirm:$false applies it on both nodes as generation 2' {
        $result = Publish-HaClusterConfig -Path $changed -Confirm:$false
        $result.Applied | Should -BeTrue
        $result.Generation | Should -Be 2
        (Get-HaClusterStatus).ConfigGeneration | Should -Be 2
        (Get-HaGroup spare).State | Should -Be 'offline'
    }

    It 'an invalid config is rejected by the cluster with ExpressHa.ConfigInvalid and changes nothing' {
        $bad = Join-Path $cluster.Dir 'bad.yaml'
        (Get-Content -Raw $changed) -replace 'startup: manual', 'startup: sometimes' | Set-Content -Path $bad
        Publish-HaClusterConfig -Path $bad -Confirm:$false -ErrorVariable ev -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $ev[0].FullyQualifiedErrorId | Should -Be 'ExpressHa.ConfigInvalid,ExpressHa.Cmdlets.PublishHaClusterConfigCommand'
        $ev[0].Exception.Message | Should -Match 'startup'
        (Get-HaClusterStatus).ConfigGeneration | Should -Be 2
    }
}

Describe 'Get-HaAlertLog' {
    It 'returns the activations of the resource from the rc module' {
        $rc = Get-HaAlertLog -Module rc
        $rc | Should -Not -BeNullOrEmpty
        $rc.Module | Sort-Object -Unique | Should -Be 'rc'
        $rc.EventId | Should -Contain 31
        $rc | Where-Object { $_.EventId -eq 31 -and $_.Message -like 'Activating app resource has completed.*' } | Should -Not -BeNullOrEmpty
    }

    It '-Last returns the newest entries and -Level filters by severity' {
        # Only the operations above write rc entries, so the log of that module holds still between the two reads.
        $all = @(Get-HaAlertLog -Module rc)
        $last = @(Get-HaAlertLog -Module rc -Last 2)
        $last | Should -HaveCount 2
        $last.Time | Should -Be @($all | Select-Object -Last 2).Time
        Get-HaAlertLog -Level warning | Where-Object Level -notin 'warning', 'error' | Should -BeNullOrEmpty
    }

    It '-Since leaves out older entries' {
        $all = @(Get-HaAlertLog -Module rc)
        $cut = [DateTime]::Parse($all[[int]($all.Count / 2)].Time, [cultureinfo]::InvariantCulture, 'AdjustToUniversal,AssumeUniversal')
        $since = @(Get-HaAlertLog -Module rc -Since $cut)
        $since.Count | Should -BeLessThan $all.Count
        $since | ForEach-Object { [DateTime]::Parse($_.Time, [cultureinfo]::InvariantCulture, 'AdjustToUniversal,AssumeUniversal') } |
            Where-Object { $_ -lt $cut } | Should -BeNullOrEmpty
    }
}

Describe 'The other state-changing cmdlets' {
    It '<Command> -WhatIf changes nothing' -ForEach @(
        @{ Command = 'Stop-HaCluster'; Run = { Stop-HaCluster -WhatIf } }
        @{ Command = 'Start-HaCluster'; Run = { Start-HaCluster -WhatIf } }
        @{ Command = 'Suspend-HaNode'; Run = { Get-HaNode server2 | Suspend-HaNode -WhatIf } }
        @{ Command = 'Stop-HaGroup'; Run = { Stop-HaGroup failover1 -WhatIf } }
        @{ Command = 'Start-HaGroup'; Run = { Start-HaGroup failover1 -Node server1 -WhatIf } }
    ) {
        $before = Get-HaClusterStatus
        & $Run | Should -BeNullOrEmpty
        $after = Get-HaClusterStatus
        $after.ServiceState | Should -Be $before.ServiceState
        $after.Nodes.State | Should -Be $before.Nodes.State
        $after.Groups.State | Should -Be $before.Groups.State
        $after.Groups.Owner | Should -Be $before.Groups.Owner
    }

    It 'Suspend-HaMonitor and Resume-HaMonitor take the monitors of Get-HaMonitor -Target' {
        Wait-Until -Because 'monitor appw did not report' { (Get-HaMonitor appw).State -eq 'normal' } | Out-Null
        (Get-HaMonitor -Target app | Suspend-HaMonitor -Confirm:$false -PassThru).State | Should -Be 'suspended'
        (Get-HaMonitor appw).State | Should -Be 'suspended'
        Get-HaMonitor -Target app | Resume-HaMonitor -Confirm:$false
        Wait-Until -Because 'monitor appw did not resume' { (Get-HaMonitor appw).State -eq 'normal' } | Out-Null
    }

    It 'Suspend-HaNode and Resume-HaNode take the node objects of Get-HaNode' {
        (Get-HaNode server2 | Suspend-HaNode -Confirm:$false -PassThru).State | Should -Be 'suspended'
        (Get-HaNode server2).State | Should -Be 'suspended'
        (Get-HaNode server2 | Resume-HaNode -Confirm:$false -PassThru).State | Should -Be 'online'
    }

    It 'Stop-HaCluster stops every group without moving it, and Start-HaCluster brings them back' {
        (Stop-HaCluster -Confirm:$false -PassThru).ServiceState | Should -Be 'stopped'
        Wait-Until -Because 'the groups did not go offline' { @((Get-HaClusterStatus).Groups | Where-Object State -ne 'offline').Count -eq 0 } | Out-Null
        Get-AppHost $cluster | Should -BeNullOrEmpty
        (Start-HaCluster -Confirm:$false -PassThru).ServiceState | Should -Be 'running'
        Wait-Until -Because 'failover1 did not come back online' { (Get-HaGroup failover1).State -eq 'online' } | Out-Null
        Get-AppHost $cluster | Should -HaveCount 1
    }

    It 'Start-HaCluster through the node that does not coordinate starts the groups as well' {
        Connect-HaCluster -Endpoint ($cluster.Endpoint -replace [regex]::Escape($cluster.Addresses.server1), $cluster.Addresses.server2) -TokenFile $cluster.TokenFile
        (Get-HaClusterStatus).ReportingNode | Should -Be 'server2'
        Stop-HaCluster -Confirm:$false | Out-Null
        Wait-Until -Because 'the groups did not go offline' { @((Get-HaClusterStatus).Groups | Where-Object State -ne 'offline').Count -eq 0 } | Out-Null
        Start-HaCluster -Confirm:$false | Out-Null
        Wait-Until -Because 'failover1 did not come back online' { (Get-HaGroup failover1).State -eq 'online' } | Out-Null
        Get-AppHost $cluster | Should -HaveCount 1
    }

    It 'after Disconnect-HaCluster a live cmdlet stops with ExpressHa.NotConnected' {
        Disconnect-HaCluster
        $e = { Get-HaGroup failover1 -ErrorAction SilentlyContinue } | Should -Throw -ErrorId 'ExpressHa.NotConnected,ExpressHa.Cmdlets.GetHaGroupCommand' -PassThru
        $e.CategoryInfo.Category | Should -Be 'ConnectionError'
        $e.Exception.Message | Should -Match 'Run Connect-HaCluster'
    }
}
