BeforeDiscovery {
    # The types the module returns that have views of their own; the module's own output types are checked against it below.
    $script:ViewedTypes = @(
        'ExpressHa.Config.ClusterConfig', 'ExpressHa.Config.NodeConfig', 'ExpressHa.Config.GroupConfig',
        'ExpressHa.Config.ResourceConfig', 'ExpressHa.Config.MonitorConfig',
        'ExpressHa.Schema.TypeSchema', 'ExpressHa.Schema.ParameterSpec', 'ExpressHa.Validation.ValidationFinding',
        'ExpressHa.Cmdlets.HaClusterStatus', 'ExpressHa.Cmdlets.HaNodeStatus', 'ExpressHa.Cmdlets.HaGroupStatus',
        'ExpressHa.Cmdlets.HaResourceStatus', 'ExpressHa.Cmdlets.HaMonitorStatus', 'ExpressHa.Api.AlertEntry',
        'ExpressHa.Api.ConfigPushResult', 'ExpressHa.Api.ConfigDiff', 'ExpressHa.Api.MirrorStatus', 'ExpressHa.Api.JobStatus',
        'ExpressHa.Cmdlets.HaMirrorKey', 'ExpressHa.Cmdlets.HaConnection', 'ExpressHa.Cmdlets.HaAwsEnvironment',
        'ExpressHa.Api.GroupEpisode', 'ExpressHa.Cmdlets.HaSupportArchive',
        'ExpressHa.Cmdlets.HaSimulationStep', 'ExpressHa.Cmdlets.HaDrillResult')
    $script:Cases = foreach ($type in $ViewedTypes) { foreach ($width in 80, 120, 200) { @{ Type = $type; Width = $width } } }
}

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    . $PSScriptRoot/FormattingSamples.ps1
    Import-Module (Join-Path $ModuleDir 'ExpressHa.psd1') -Force
    $script:TempDir = Join-Path ([System.IO.Path]::GetTempPath()) "expressha-formatting-$([guid]::NewGuid().ToString('n'))"
    New-Item -ItemType Directory -Path $TempDir | Out-Null
    $script:Samples = New-FormattingSamples -RepoRoot $RepoRoot -TempDir $TempDir

    # A .NET type name (ExpressHa.Api.PathStatusInfo, System.Collections.Hashtable, a generic's backtick name) or a
    # dictionary entry as PowerShell prints a KeyValuePair ({[key, value]}).
    $script:TypeNamePattern = '\b(ExpressHa|System)\.[A-Z][A-Za-z]+|`\d\[|\{\[[^\]]*, '

    function Get-Lines([string]$Text) { $Text -split '\r?\n' | Where-Object { $_.Trim() } }

    function Assert-Readable([string]$Text, [int]$Width, [string]$What) {
        $Text | Should -Not -BeNullOrEmpty -Because "$What renders something"
        foreach ($line in $Text -split '\r?\n') {
            $line.Length | Should -BeLessOrEqual $Width -Because "$What at $Width columns: '$line'"
        }
        $Text | Should -Not -Match $TypeNamePattern -Because "$What must not print a .NET type name"
    }

    function Get-ViewKinds([string]$Type) {
        (Get-FormatData -TypeName $Type).FormatViewDefinition | ForEach-Object { $_.Control.GetType().Name }
    }
}

AfterAll {
    Remove-Item $TempDir -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Every type the module returns has views' {
    It 'every output type of the exported cmdlets is one of the viewed types (or a plain .NET type)' {
        $plain = 'System.Boolean', 'System.String', 'System.IO.FileInfo', 'System.Collections.Hashtable', 'System.Void'
        $declared = Get-Command -Module ExpressHa | ForEach-Object { $_.OutputType.Type.FullName } | Sort-Object -Unique
        $declared | Should -Not -BeNullOrEmpty
        $declared | Where-Object { $_ -notin $ViewedTypes -and $_ -notin $plain } | Should -BeNullOrEmpty
    }

    It '<_> has a table view and a list view' -ForEach $ViewedTypes {
        $kinds = Get-ViewKinds $_
        $kinds | Should -Contain 'ListControl'
        $kinds | Should -Contain 'TableControl'
        @($Samples[$_]).Count | Should -BeGreaterThan 0 -Because 'the test renders real instances of it'
    }
}

Describe 'Views at <Width> columns: <Type>' -ForEach $Cases {
    BeforeAll {
        $objects = @($Samples[$Type])
    }

    It 'the default view fits, one line an object when it is a table, and names no .NET type' {
        $text = $objects | Out-String -Width $Width
        Assert-Readable $text $Width "the default view of $Type"
        $defaultIsTable = ((Get-FormatData -TypeName $Type).FormatViewDefinition | Select-Object -First 1).Control -is [System.Management.Automation.TableControl]
        if ($defaultIsTable) {
            # Header, underline, then exactly one line per object: a wrapped cell would add lines.
            @(Get-Lines $text).Count | Should -Be (2 + $objects.Count) -Because "each $Type is one row:`n$text"
        }
    }

    It 'the table view keeps every column, one line an object' {
        $text = $objects | Format-Table | Out-String -Width $Width
        Assert-Readable $text $Width "the table of $Type"
        $lines = @(Get-Lines $text)
        $lines.Count | Should -Be (2 + $objects.Count) -Because "each $Type is one row:`n$text"
        $wide = @(Get-Lines ($objects | Format-Table | Out-String -Width 400))
        ($lines[1] -split '\s+').Count | Should -Be (($wide[1] -split '\s+').Count) -Because "no column is dropped at $Width columns:`n$text"
    }

    It 'the list view fits and shows nested values as text' {
        $text = $objects | Format-List | Out-String -Width $Width
        Assert-Readable $text $Width "the list of $Type"
        @(Get-Lines $text | Where-Object { $_ -match '^\S.*? : ' }).Count | Should -BeGreaterOrEqual $objects.Count
    }
}

Describe 'What the views show' {
    It 'a monitor''s recovery reads as text in its list view' {
        $text = $Samples['ExpressHa.Config.MonitorConfig'] | Where-Object Name -eq 'ipw1' | Select-Object -Last 1 | Format-List | Out-String -Width 80
        $text | Should -Match 'RecoveryTarget\s+: failover1'
        $text | Should -Match 'Recovery\s+: restarts 0, failovers 1, then stopGroup'
    }

    It 'a node''s paths read as text, one a line' {
        $text = $Samples['ExpressHa.Cmdlets.HaNodeStatus'][0] | Format-List | Out-String -Width 80
        $text | Should -Match 'Paths\s+: lan1 10\.0\.110\.10 up, 0\.4 s ago'
        $text | Should -Match '(?m)^\s+lan2 10\.0\.210\.10 down, 93\.1 s ago'
    }

    It 'the alert log table shows time, node, level, module/id and the message cut with an ellipsis' {
        $text = $Samples['ExpressHa.Api.AlertEntry'] | Out-String -Width 80
        $text | Should -Match 'Time\s+Node\s+Level\s+Module/Id\s+Message'
        $text | Should -Match '2026-12-06 11:24:58 server1\s+error\s+rc/32\s+Activating awsvip1 resource \S*…'
    }

    It 'the alert log list shows the whole message' {
        $text = $Samples['ExpressHa.Api.AlertEntry'] | Format-List | Out-String -Width 200
        $text | Should -Match "Message : Activating awsvip1 resource has failed\.\(5 : The vpc ID 'vpc-0a1b2c3d4e5f60718' does not exist\)"
    }

    It 'the type schema''s list view shows each parameter with its kind and default' {
        $text = Get-HaTypeSchema -Name process | Where-Object Kind -eq Monitor | Format-List | Out-String -Width 120
        $text | Should -Match 'Defaults\s+: every 5 s, timeout 60 s, retry 0, timing active with a target'
        $text | Should -Match 'pidFile \(per node String\): File holding the pid to check\.'
    }

    It 'the cluster status keeps to 80 columns even with long names and messages' {
        $text = $Samples['ExpressHa.Cmdlets.HaClusterStatus'] | Out-String -Width 200
        foreach ($line in $text -split '\r?\n') { $line.Length | Should -BeLessOrEqual 80 -Because $line }
        $text | Should -Match 'awsdnsw1 \.+ error\s+awsdns\s+awsdns1'
        $text | Should -Match '53 : The IP address registered in the record'
    }
}
