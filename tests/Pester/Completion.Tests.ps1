BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    Import-ModuleUnderTest
    $dir = New-TestDirectory
    Copy-SampleConfig (Join-Path $dir 'cluster.yaml') | Out-Null

    # The completion texts for the input line, with the cursor at its end (what Tab offers).
    function Get-Completion([string]$Line) {
        (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText
    }
}

AfterAll { Remove-Item $dir -Recurse -Force -ErrorAction SilentlyContinue }

Describe 'Completion of types from the schema' {
    It 'Add-HaResource -Type aws offers the AWS resource types' {
        Get-Completion 'Add-HaResource -Path ./c.yaml -Group g -Name x -Type aws' | Should -Be @('awsvip', 'awseip', 'awssip', 'awsdns')
    }

    It 'Add-HaMonitor -Type offers every monitor type of Get-HaTypeSchema' {
        $expected = (Get-HaTypeSchema -Kind Monitor).Name
        Get-Completion 'Add-HaMonitor -Name m -Type ' | Should -Be $expected
        Get-Completion 'Add-HaMonitor -Name m -Type mi' | Should -Be @('mirror', 'mirrorconnect')
    }

    It 'a resource type has its description as the tooltip' {
        $match = (TabExpansion2 -inputScript 'Add-HaResource -Type floa' -cursorColumn 25).CompletionMatches
        $match.CompletionText | Should -Be 'floatip'
        $match.ToolTip | Should -Be (Get-HaTypeSchema floatip -Kind Resource).Description
    }
}

Describe 'Completion of names from the -Path file' {
    BeforeAll { Push-Location $dir }
    AfterAll { Pop-Location }

    It '<Line> offers <Expected>' -ForEach @(
        @{ Line = 'Get-HaNode -Path ./cluster.yaml '; Expected = @('server1', 'server2') }
        @{ Line = 'Set-HaNode -Path ./cluster.yaml -Name server'; Expected = @('server1', 'server2') }
        @{ Line = 'Remove-HaNode -Path ./cluster.yaml -Name s'; Expected = @('server1', 'server2') }
        @{ Line = 'Add-HaGroup -Path ./cluster.yaml -Name g2 -Server '; Expected = @('server1', 'server2') }
        @{ Line = 'Set-HaGroup -Path ./cluster.yaml '; Expected = @('failover1') }
        @{ Line = 'Remove-HaGroup -Path ./cluster.yaml -Name f'; Expected = @('failover1') }
        @{ Line = 'Get-HaGroup -Path ./cluster.yaml -Name FAIL'; Expected = @('failover1') }
        @{ Line = 'Add-HaResource -Path ./cluster.yaml -Name x -Type exec -Group '; Expected = @('failover1') }
        @{ Line = 'Add-HaResource -Path ./cluster.yaml -Name x -Type exec -Group failover1 -DependsOn '; Expected = @('app', 'awsvip1') }
        @{ Line = 'Set-HaResource -Path ./cluster.yaml -Name a'; Expected = @('app', 'awsvip1') }
        @{ Line = 'Remove-HaResource -Path ./cluster.yaml aw'; Expected = @('awsvip1') }
        @{ Line = 'Get-HaResource -Path ./cluster.yaml -Group '; Expected = @('failover1') }
        @{ Line = 'Set-HaMonitor -Path ./cluster.yaml -Name '; Expected = @('appw', 'awsazw1', 'awsvipw1') }
        @{ Line = 'Get-HaMonitor -Path ./cluster.yaml -Target '; Expected = @('app', 'awsvip1') }
        @{ Line = 'Add-HaMonitor -Path ./cluster.yaml -Name m -Type http -RecoveryTarget '; Expected = @('app', 'awsvip1', 'failover1', 'local') }
    ) {
        Get-Completion $Line | Should -Be $Expected
    }

    It 'reads an absolute -Path and the config object of -InputObject too' {
        $file = Join-Path $dir 'cluster.yaml'
        Get-Completion "Get-HaGroup -Path '$file' -Name " | Should -Be 'failover1'
        $global:completionConfig = New-HaCluster other | Add-HaNode alpha 10.0.0.1 -PassThru
        try { Get-Completion 'Set-HaNode -InputObject $global:completionConfig -Name ' | Should -Be 'alpha' }
        finally { Remove-Variable completionConfig -Scope Global }
    }

    It 'offers no existing name for the name an Add- cmdlet creates' {
        Get-Completion 'Add-HaGroup -Path ./cluster.yaml -Name fail' | Should -Not -Contain 'failover1'
        Get-Completion 'Add-HaNode -Path ./cluster.yaml -Name serv' | Should -Not -Contain 'server1'
    }

    It 'offers no config names when the file does not exist or is not YAML' {
        Set-Content -Path (Join-Path $dir 'broken.yaml') -Value "cluster: { name: [`n"
        Get-Completion 'Get-HaGroup -Path ./nosuch.yaml -Name fail' | Should -Not -Contain 'failover1'
        Get-Completion 'Get-HaGroup -Path ./broken.yaml -Name fail' | Should -Not -Contain 'failover1'
    }
}
