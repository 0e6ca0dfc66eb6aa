BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    Import-ModuleUnderTest
    $dir = New-TestDirectory

    function New-TwoNodeConfig {
        New-HaCluster -Name cluster |
            Add-HaNode -Name server1 -Address 10.0.110.10 -PassThru |
            Add-HaNode -Name server2 -Address 10.0.120.10 -PassThru |
            Add-HaGroup -Name failover1 -Server server1, server2 -PassThru
    }

    function Get-Yaml($Config) { $Config.ToYaml() }
}

AfterAll { Remove-Item $dir -Recurse -Force -ErrorAction SilentlyContinue }

Describe 'Unknown type' {
    It 'is a terminating InvalidArgument error naming -Type, the closest type and the valid ones' {
        $c = New-TwoNodeConfig
        $e = { $c | Add-HaResource -Group failover1 -Name x -Type awsvp -Property @{} } |
            Should -Throw -ErrorId 'ExpressHa.UnknownType,ExpressHa.Cmdlets.AddHaResourceCommand' -PassThru
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $e.Exception.Message | Should -BeLike "-Type: 'awsvp' is not a resource type; did you mean 'awsvip'? Use one of: *exec*"
        $e.TargetObject | Should -Be 'awsvp'
    }

    It 'ends the command even with -ErrorAction SilentlyContinue, as a bad argument does' {
        $c = New-TwoNodeConfig
        $reached = $false
        try {
            $c | Add-HaMonitor -Name m -Type htp -ErrorAction SilentlyContinue
            $reached = $true
        }
        catch { $caught = $_ }
        $reached | Should -BeFalse
        $caught.FullyQualifiedErrorId | Should -Be 'ExpressHa.UnknownType,ExpressHa.Cmdlets.AddHaMonitorCommand'
        $caught.Exception.Message | Should -Match "did you mean 'http'"
        @(Get-HaMonitor -InputObject $c) | Should -HaveCount 0
    }
}

Describe 'Invalid objects are non-terminating errors with the field path and the fix' {
    It 'a per-node value missing for a node names the parameter, the node and how to give it' {
        $c = New-TwoNodeConfig
        $before = Get-Yaml $c
        $c | Add-HaResource -Group failover1 -Name md1 -Type mirror -ErrorVariable ev -ErrorAction SilentlyContinue -Property @{
            dataPath = @{ server1 = '/dev/sdb2' }; metaPath = @{ server1 = '/dev/sdb1'; server2 = '/dev/sdb1' }
            mirrorAddress = @{ server1 = '10.0.110.10'; server2 = '10.0.120.10' }; sizeMiB = 1024 }
        $ev | Should -HaveCount 1
        Assert-HaError $ev[0] 'ExpressHa.ConfigInvalid,ExpressHa.Cmdlets.AddHaResourceCommand' InvalidData
        $ev[0].Exception.Message | Should -BeLike "groups[[]0].resources[[]0].dataPath.server2: dataPath has no value for node 'server2'*"
        $ev[0].ErrorDetails.RecommendedAction | Should -Be 'add server2: ... under dataPath, or give one value for every node (dataPath: value); every server of group ''failover1'' needs one'
        Get-Yaml $c | Should -BeExactly $before
    }

    It 'a VIP inside the VPC CIDR says where it must be and leaves the config as it was' {
        $c = New-TwoNodeConfig
        $before = Get-Yaml $c
        $c | Add-HaResource -Group failover1 -Name awsvip1 -Type awsvip -ErrorVariable ev -ErrorAction SilentlyContinue -Property @{
            ip = '10.0.3.4'; vpcId = 'vpc-1234abcd'; vpcCidr = '10.0.0.0/16' }
        $ev | Should -HaveCount 1
        Assert-HaError $ev[0] 'ExpressHa.ConfigInvalid,ExpressHa.Cmdlets.AddHaResourceCommand' InvalidData
        $ev[0].Exception.Message | Should -BeLike 'groups[[]0].resources[[]0].ip: 10.0.3.4 is inside VPC CIDR 10.0.0.0/16; an AWS virtual IP must be outside it*'
        $ev[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        $ev[0].TargetObject.Code | Should -Be 'VipInsideVpc'
        Get-Yaml $c | Should -BeExactly $before
    }

    It 'a dependency cycle names the resources on it and which dependency to remove' {
        $c = New-TwoNodeConfig |
            Add-HaResource -Group failover1 -Name a -Type exec -Property @{ start = '/bin/true' } -PassThru |
            Add-HaResource -Group failover1 -Name b -Type exec -Property @{ start = '/bin/true' } -DependsOn a -PassThru
        $c | Set-HaResource -Name a -DependsOn b -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev | Should -HaveCount 1
        $ev[0].FullyQualifiedErrorId | Should -Be 'ExpressHa.ConfigInvalid,ExpressHa.Cmdlets.SetHaResourceCommand'
        $ev[0].Exception.Message | Should -BeLike '*dependsOn: dependency cycle: a -> b -> a; remove one of these dependencies*'
        $ev[0].ErrorDetails.RecommendedAction | Should -BeLike 'remove one of these dependencies*'
        (Get-HaResource -InputObject $c -Name a).DependsOn | Should -BeNullOrEmpty
    }

    It 'a duplicate name is ResourceExists and says how to change the existing one' {
        $c = New-TwoNodeConfig
        $c | Add-HaGroup -Name failover1 -Startup manual -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev | Should -HaveCount 1
        Assert-HaError $ev[0] 'ExpressHa.DuplicateName,ExpressHa.Cmdlets.AddHaGroupCommand' ResourceExists
        $ev[0].Exception.Message | Should -Be "Group 'failover1' already exists in cluster 'cluster'; choose another name or change it with Set-HaGroup."
        (Get-HaGroup -InputObject $c failover1).Startup | Should -Be 'auto'
    }

    It 'each bad object gets its own record and the good ones go through' {
        $c = New-TwoNodeConfig
        'a', 'b', 'a', 'c' | ForEach-Object { $c | Add-HaResource -Group failover1 -Name $_ -Type exec -Property @{ start = '/bin/true' } -ErrorVariable +ev -ErrorAction SilentlyContinue }
        $c | Add-HaResource -Group nogroup -Name d -Type exec -Property @{ start = '/bin/true' } -ErrorVariable +ev -ErrorAction SilentlyContinue
        $ev.FullyQualifiedErrorId | Should -Be @('ExpressHa.DuplicateName,ExpressHa.Cmdlets.AddHaResourceCommand', 'ExpressHa.GroupNotFound,ExpressHa.Cmdlets.AddHaResourceCommand')
        $ev[1].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        (Get-HaResource -InputObject $c).Name | Should -Be @('a', 'b', 'c')
    }

    It '-ErrorAction Stop turns the record into an exception a script can catch by ErrorId' {
        $c = New-TwoNodeConfig
        { $c | Add-HaGroup -Name failover1 -ErrorAction Stop } | Should -Throw -ErrorId 'ExpressHa.DuplicateName,ExpressHa.Cmdlets.AddHaGroupCommand'
    }
}

Describe 'Bad arguments end the command' {
    It '<Command> <Case> is a terminating ExpressHa.InvalidArgument naming the parameter, and the file stays as it was' -ForEach @(
        @{ Command = 'Set-HaCluster'; Case = '-TcpTarget without a port'; Parameter = '-TcpTarget'; Run = { param($f, $c) Set-HaCluster -Path $f -TcpTarget ec2.amazonaws.com @c } }
        @{ Command = 'Set-HaCluster'; Case = '-FencingDelay that is not a number'; Parameter = '-FencingDelay'; Run = { param($f, $c) Set-HaCluster -Path $f -FencingDelay @{ server1 = 'soon' } @c } }
        @{ Command = 'Set-HaCluster'; Case = '-PingIntervalMs without ping targets'; Parameter = '-PingIntervalMs'; Run = { param($f, $c) Set-HaCluster -Path $f -WitnessUrl http://10.0.0.5:8080/ -PingTarget @() -PingIntervalMs 500 @c } }
        @{ Command = 'Connect-HaCluster'; Case = 'an -Endpoint that is no URL'; Parameter = '-Endpoint'; Run = { param($f, $c) Connect-HaCluster -Endpoint 'not a url' -Token (ConvertTo-SecureString 'x' -AsPlainText -Force) @c } }
    ) {
        $f = Copy-SampleConfig (Join-Path $dir "badarg-$([guid]::NewGuid().ToString('n')).yaml")
        $hash = Get-FileSha256 $f
        # -ErrorAction SilentlyContinue silences a non-terminating error, so only a terminating one reaches Should -Throw.
        $e = { & $Run $f @{ ErrorAction = 'SilentlyContinue' } } | Should -Throw -PassThru
        Assert-HaError $e "ExpressHa.InvalidArgument,ExpressHa.Cmdlets.$($Command -replace '-', '')Command" InvalidArgument
        $e.Exception.Message | Should -BeLike "$Parameter*"
        Get-FileSha256 $f | Should -Be $hash
    }
}

Describe 'Names that are not there' {
    It '<Command> of a missing name is <ErrorId> (ObjectNotFound) and leaves the file as it was' -ForEach @(
        @{ Command = 'Set-HaNode'; ErrorId = 'ExpressHa.NodeNotFound'; Run = { param($f) Set-HaNode -Path $f server9 -Priority 3 } }
        @{ Command = 'Set-HaGroup'; ErrorId = 'ExpressHa.GroupNotFound'; Run = { param($f) Set-HaGroup -Path $f failover9 -Failback auto } }
        @{ Command = 'Set-HaResource'; ErrorId = 'ExpressHa.ResourceNotFound'; Run = { param($f) Set-HaResource -Path $f app9 -DependsOn @() } }
        @{ Command = 'Remove-HaMonitor'; ErrorId = 'ExpressHa.MonitorNotFound'; Run = { param($f) Remove-HaMonitor -Path $f appw9 } }
        @{ Command = 'Add-HaResource'; ErrorId = 'ExpressHa.GroupNotFound'; Run = { param($f) Add-HaResource -Path $f x exec -Group failover9 -Property @{ start = '/bin/true' } } }
    ) {
        $f = Copy-SampleConfig (Join-Path $dir "missing-$([guid]::NewGuid().ToString('n')).yaml")
        $hash = Get-FileSha256 $f
        $ErrorActionPreference = 'Continue'
        $ev = @(& $Run $f 2>&1 | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        $ev | Should -HaveCount 1
        Assert-HaError $ev[0] "$ErrorId,ExpressHa.Cmdlets.$($Command -replace '-', '')Command" ObjectNotFound
        $ev[0].Exception.Message | Should -Match "was not found in cluster 'vip-cluster'; check the name with Get-Ha"
        Get-FileSha256 $f | Should -Be $hash
    }

    It 'Get-HaGroup writes ObjectNotFound for a plain name, still returns the others, and is quiet for a wildcard' {
        $f = Copy-SampleConfig (Join-Path $dir 'notfound.yaml')
        $found = Get-HaGroup -Path $f -Name nosuch, failover1, 'zz*' -ErrorVariable ev -ErrorAction SilentlyContinue
        $found.Name | Should -Be 'failover1'
        $ev | Should -HaveCount 1
        Assert-HaError $ev[0] 'ExpressHa.GroupNotFound,ExpressHa.Cmdlets.GetHaGroupCommand' ObjectNotFound
        $ev[0].Exception.Message | Should -Be "Group 'nosuch' was not found in cluster 'vip-cluster'; check the name with Get-HaGroup."
    }

    It 'a missing config file is ConfigFileNotFound and names the path' {
        $missing = Join-Path $dir 'missing.yaml'
        Get-HaNode -Path $missing -ErrorVariable ev -ErrorAction SilentlyContinue
        Assert-HaError $ev[0] 'ExpressHa.ConfigFileNotFound,ExpressHa.Cmdlets.GetHaNodeCommand' ObjectNotFound
        $ev[0].Exception.Message | Should -BeLike "*'$missing' does not exist; create it with New-HaCluster -Path*"
    }

    It 'Import-HaClusterConfig reads the other files when one of them is missing' {
        $a = Copy-SampleConfig (Join-Path $dir 'import-a.yaml')
        $b = Copy-SampleConfig (Join-Path $dir 'import-b.yaml')
        $configs = Import-HaClusterConfig -Path $a, (Join-Path $dir 'import-missing.yaml'), $b -ErrorVariable ev -ErrorAction SilentlyContinue
        $configs | Should -HaveCount 2
        $ev | Should -HaveCount 1
        Assert-HaError $ev[0] 'ExpressHa.ConfigFileNotFound,ExpressHa.Cmdlets.ImportHaClusterConfigCommand' ObjectNotFound
    }

    It 'removing a node a group still uses is ObjectInUse until -Force' {
        $c = New-TwoNodeConfig
        $c | Remove-HaNode -Name server2 -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev[0].FullyQualifiedErrorId | Should -Be 'ExpressHa.ObjectInUse,ExpressHa.Cmdlets.RemoveHaNodeCommand'
        (Get-HaNode -InputObject $c).Name | Should -Be @('server1', 'server2')
        $c | Remove-HaNode -Name server2 -Force
        (Get-HaNode -InputObject $c).Name | Should -Be 'server1'
    }

    It 'New-HaCluster -Path of an existing file without -Force is ConfigFileExists and keeps it' {
        $f = Copy-SampleConfig (Join-Path $dir 'exists.yaml')
        $hash = Get-FileSha256 $f
        New-HaCluster other -Path $f -ErrorVariable ev -ErrorAction SilentlyContinue
        Assert-HaError $ev[0] 'ExpressHa.ConfigFileExists,ExpressHa.Cmdlets.NewHaClusterCommand' ResourceExists
        $ev[0].Exception.Message | Should -Match 'use -Force to replace it'
        Get-FileSha256 $f | Should -Be $hash
    }

    It 'Export-HaClusterConfig to a path it cannot write is ConfigWriteFailed' {
        Import-HaClusterConfig (Copy-SampleConfig (Join-Path $dir 'source.yaml')) |
            Export-HaClusterConfig -Path $dir -ErrorVariable ev -ErrorAction SilentlyContinue
        Assert-HaError $ev[0] 'ExpressHa.ConfigWriteFailed,ExpressHa.Cmdlets.ExportHaClusterConfigCommand' WriteError
        $ev[0].Exception.Message | Should -BeLike "Cannot write '$dir'*"
        Test-Path $dir -PathType Container | Should -BeTrue
    }

    It 'Export-HaClusterConfig -NoClobber refuses an existing file and keeps it' {
        $f = Copy-SampleConfig (Join-Path $dir 'noclobber.yaml')
        $hash = Get-FileSha256 $f
        New-TwoNodeConfig | Export-HaClusterConfig -Path $f -NoClobber -ErrorVariable ev -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $ev[0].FullyQualifiedErrorId | Should -BeLike 'ExpressHa.ConfigFileExists,*'
        Get-FileSha256 $f | Should -Be $hash
    }
}

Describe 'Malformed YAML' {
    BeforeAll {
        $broken = Join-Path $dir 'broken.yaml'
        Set-Content -Path $broken -Value "apiVersion: expressha/v1`ncluster:`n  name: c`n  heartbeat: { intervalMs: 1000`nnodes: []`n" -NoNewline
        $hash = Get-FileSha256 $broken
    }

    It '<Command> reports ConfigParseError with the line, the column and the fix' -ForEach @(
        @{ Command = 'Import-HaClusterConfig'; Run = { Import-HaClusterConfig -Path $broken -ErrorVariable ev -ErrorAction SilentlyContinue; $ev } }
        @{ Command = 'Test-HaClusterConfig'; Run = { Test-HaClusterConfig -Path $broken -ErrorVariable ev -ErrorAction SilentlyContinue; $ev } }
        @{ Command = 'Get-HaResource'; Run = { Get-HaResource -Path $broken -ErrorVariable ev -ErrorAction SilentlyContinue; $ev } }
        @{ Command = 'Add-HaGroup'; Run = { Add-HaGroup -Path $broken -Name g -ErrorVariable ev -ErrorAction SilentlyContinue; $ev } }
    ) {
        $records = @(& $Run)
        $records | Should -HaveCount 1
        Assert-HaError $records[0] "ExpressHa.ConfigParseError,ExpressHa.Cmdlets.$($Command -replace '-', '')Command" ParserError
        $records[0].Exception.Message | Should -Match ([regex]::Escape($broken) + ': line 4, column \d+: .*Fix the YAML at that position\.$')
        Get-FileSha256 $broken | Should -Be $hash
    }

    It 'a validation finding in a file carries the line and column of the value' {
        $f = Copy-SampleConfig (Join-Path $dir 'vipinside.yaml')
        (Get-Content -Raw $f) -replace 'ip: 10\.1\.0\.20', 'ip: 10.0.5.5' | Set-Content -Path $f -NoNewline
        $finding = Test-HaClusterConfig -Path $f | Where-Object Code -eq 'VipInsideVpc'
        $finding.Path | Should -Be 'groups[0].resources[0].ip'
        (Get-Content $f)[$finding.Line - 1].Substring($finding.Column - 1) | Should -Be 'ip: 10.0.5.5'
    }

    It 'a file with a structural error is not rewritten: one record per finding, then the command ends' {
        $f = Copy-SampleConfig (Join-Path $dir 'structural.yaml')
        (Get-Content -Raw $f) -replace 'startup: auto', "startup: auto`n  colour: blue" | Set-Content -Path $f -NoNewline
        $hash = Get-FileSha256 $f
        $ended = $true
        try { Add-HaGroup -Path $f -Name failover2 -ErrorVariable records -ErrorAction SilentlyContinue; $ended = $false }
        catch { $e = $_ }
        $ended | Should -BeTrue
        $records[0].Exception.Message | Should -BeLike "groups[[]0].colour: unknown field 'colour'*"
        Assert-HaError $e 'ExpressHa.ConfigInvalid,ExpressHa.Cmdlets.AddHaGroupCommand' InvalidData
        $e.Exception.Message | Should -Match '1 structural error.*Test-HaClusterConfig -Path lists them'
        Get-FileSha256 $f | Should -Be $hash
    }

    It 'an unknown field is a finding with its line, column and a suggestion' {
        $f = Join-Path $dir 'unknownfield.yaml'
        Set-Content -Path $f -Value "apiVersion: expressha/v1`ncluster:`n  name: c`n  hartbeat: { intervalMs: 1000 }`nnodes:`n- { name: server1, address: 10.0.0.1 }`n"
        $finding = Test-HaClusterConfig -Path $f | Where-Object Code -eq 'UnknownField'
        $finding.Path | Should -Be 'cluster.hartbeat'
        $finding.Line | Should -Be 4
        $finding.Column | Should -Be 3
        $finding.Fix | Should -Match "did you mean 'heartbeat'"
        Test-HaClusterConfig -Path $f -Quiet | Should -BeFalse
    }
}
