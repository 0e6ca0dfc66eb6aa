BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    Import-ModuleUnderTest
    $dir = New-TestDirectory
}

AfterAll { Remove-Item $dir -Recurse -Force -ErrorAction SilentlyContinue }

Describe 'Config objects down the pipeline' {
    It 'an Add- cmdlet writes nothing without -PassThru and the same object with it' {
        $c = New-HaCluster c1
        $c | Add-HaNode n1 10.0.0.1 | Should -BeNullOrEmpty
        $out = $c | Add-HaNode n2 10.0.0.2 -PassThru
        [object]::ReferenceEquals($out, $c) | Should -BeTrue
        (Get-HaNode -InputObject $c).Name | Should -Be @('n1', 'n2')
    }

    It 'each config that comes down the pipeline is changed' {
        $a = New-HaCluster a | Add-HaNode n1 10.0.0.1 -PassThru
        $b = New-HaCluster b | Add-HaNode n1 10.0.1.1 -PassThru
        $out = $a, $b | Add-HaGroup g1 -PassThru
        $out.Name | Should -Be @('a', 'b')
        (Get-HaGroup -InputObject $a).Name | Should -Be 'g1'
        (Get-HaGroup -InputObject $b).Name | Should -Be 'g1'
    }

    It 'an Add- cmdlet without -PassThru in the middle makes Export-HaClusterConfig say so and write nothing' {
        $file = Join-Path $dir 'nopassthru.yaml'
        New-HaCluster c1 | Add-HaNode n1 10.0.0.1 | Export-HaClusterConfig -Path $file -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev[0].FullyQualifiedErrorId | Should -Be 'ExpressHa.InvalidArgument,ExpressHa.Cmdlets.ExportHaClusterConfigCommand'
        $ev[0].Exception.Message | Should -Match 'lacks -PassThru'
        $file | Should -Not -Exist
    }

    It 'Export-HaClusterConfig -PassThru returns the file it wrote' {
        $file = Join-Path $dir 'passthru.yaml'
        $out = New-HaCluster c1 | Add-HaNode n1 10.0.0.1 -PassThru | Export-HaClusterConfig -Path $file -PassThru -WarningAction SilentlyContinue
        $out | Should -BeOfType System.IO.FileInfo
        $out.FullName | Should -Be $file
        (Import-HaClusterConfig $out).Name | Should -Be 'c1'
    }

    It 'Test-HaClusterConfig takes the object by value and -Quiet answers with one bool' {
        $c = New-HaCluster c1 | Add-HaNode n1 10.0.0.1 -PassThru | Add-HaNode n2 10.0.0.2 -PassThru
        $c | Test-HaClusterConfig -Quiet | Should -BeTrue
        $c.Groups.Add(((Get-HaCoreType 'ExpressHa.Config.GroupConfig')::new() | ForEach-Object { $_.Name = 'g'; $_.Servers.AddRange([string[]]@('n1', 'ghost')); $_ }))
        $c | Test-HaClusterConfig -Quiet | Should -BeFalse
        ($c | Test-HaClusterConfig | Where-Object IsError).Path | Should -Be 'groups[0].servers[1]'
    }
}

Describe 'Binding by property name' {
    It 'Import-HaClusterConfig takes the files of Get-ChildItem (FullName)' {
        $sub = Join-Path $dir 'many'
        New-Item -ItemType Directory -Path $sub | Out-Null
        foreach ($design in 'aws-eip', 'aws-vip') { Copy-Item (Join-Path $RepoRoot "examples/$design/$design.yaml") $sub }
        (Get-ChildItem $sub -Filter *.yaml | Sort-Object Name | Import-HaClusterConfig).Name | Should -Be @('eip-cluster', 'vip-cluster')
    }

    It 'New-HaCluster takes Name from an object rebuilt from JSON' {
        $c = '{ "Name": "fromjson" }' | ConvertFrom-Json | New-HaCluster
        $c | Should -BeOfType (Get-HaCoreType 'ExpressHa.Config.ClusterConfig')
        $c.Name | Should -Be 'fromjson'
    }

    It 'objects read from a file carry ClusterName and, for resources, Group' {
        $file = Copy-SampleConfig (Join-Path $dir 'tagged.yaml')
        (Get-HaNode -Path $file).ClusterName | Sort-Object -Unique | Should -Be 'vip-cluster'
        $app = Get-HaResource -Path $file app
        $app.Group | Should -Be 'failover1'
        $app.ClusterName | Should -Be 'vip-cluster'
    }

    It 'the names of piped objects drive a loop of -Path edits' {
        $file = Copy-SampleConfig (Join-Path $dir 'loop.yaml')
        Get-HaMonitor -Path $file 'aws*' | ForEach-Object { Set-HaMonitor -Path $file $_.Name -Retry 2 }
        (Get-HaMonitor -Path $file 'aws*').Retry | Should -Be @(2, 2)
        (Get-HaMonitor -Path $file appw).Retry | Should -Be 0
    }
}
