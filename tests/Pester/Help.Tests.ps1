BeforeDiscovery {
    . $PSScriptRoot/TestSupport.ps1
    Import-ModuleUnderTest
    . $PSScriptRoot/HelpExamples.ps1
    $cmdlets = @((Get-Module ExpressHa).ExportedCmdlets.Keys | Sort-Object | ForEach-Object { @{ Name = $_ } })
    $runnable = @(Get-HelpExample | Where-Object { -not $_.NeedsLiveSystem })
}

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    Import-ModuleUnderTest
    . $PSScriptRoot/HelpExamples.ps1
}

Describe 'Get-Help <Name> -Full' -ForEach $cmdlets {
    BeforeAll { $help = Get-Help $Name -Full }

    It 'has a written synopsis and description' {
        "$($help.Synopsis)".Trim() | Should -Not -BeNullOrEmpty
        "$($help.Synopsis)" | Should -Not -Match ([regex]::Escape($Name) + '|\[-|<CommonParameters>') -Because 'a generated synopsis means the help file was not found'
        "$($help.description.Text)".Trim() | Should -Not -BeNullOrEmpty
    }

    It 'describes every parameter of the cmdlet' {
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
        $documented = @{}
        foreach ($p in @($help.parameters.parameter)) { if ($p) { $documented[$p.name] = "$($p.description.Text)".Trim() } }
        foreach ($p in (Get-Command $Name).Parameters.Keys | Where-Object { $_ -notin $common }) {
            $documented.ContainsKey($p) | Should -BeTrue -Because "-$p must be documented"
            $documented[$p] | Should -Not -BeNullOrEmpty -Because "-$p needs a description"
        }
    }

    It 'has at least one example with code and remarks' {
        $examples = @($help.examples.example)
        $examples.Count | Should -BeGreaterOrEqual 1
        foreach ($e in $examples) {
            "$($e.code)".Trim() | Should -Not -BeNullOrEmpty
            "$($e.remarks.Text)".Trim() | Should -Not -BeNullOrEmpty
        }
    }
}

Describe 'Help examples' {
    It 'every authoring cmdlet has an example that runs without a cluster' {
        $all = Get-HelpExample
        $withRunnable = $all | Where-Object { -not $_.NeedsLiveSystem } | ForEach-Object Command | Sort-Object -Unique
        $liveOnly = $all.Command | Sort-Object -Unique | Where-Object { $_ -notin $withRunnable }
        $liveOnly | Should -Be @($OperatingCmdlets | Sort-Object)
    }

    It '<Command> example <Index> runs as written' -ForEach $runnable {
        # The examples edit ./cluster.yml (a two-node AWS config with failover1, awsvip1, app, appw, awsvipw1) and read
        # ./clusters/*.yml: the aws-vip example's config is that kind of file.
        $work = New-TestDirectory
        try {
            Copy-SampleConfig (Join-Path $work 'cluster.yml') | Out-Null
            New-Item -ItemType Directory -Path (Join-Path $work 'clusters') | Out-Null
            Copy-SampleConfig (Join-Path $work 'clusters/cluster.yml') | Out-Null
            $errors = Invoke-HelpExample -Code $Code -WorkingDirectory $work
            $expected = $ExpectedExampleErrors["$Command #$Index"]
            if ($expected) { $errors.FullyQualifiedErrorId | Should -BeLike "$expected,*" }
            else { $errors | ForEach-Object { "$($_.FullyQualifiedErrorId): $_" } | Should -BeNullOrEmpty }
        }
        finally { Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue }
    }
}
