namespace ExpressHa.Cmdlets.Tests;

/// <summary>-WhatIf changes nothing, and the default views show what an operator needs.</summary>
public class ShouldProcessAndFormattingTests
{
    const string Base = """
        $c = New-HaCluster -Name cluster |
            Add-HaNode -Name server1 -Address 10.0.110.10 -PassThru |
            Add-HaNode -Name server2 -Address 10.0.120.10 -PassThru |
            Add-HaGroup -Name failover1 -Server server1, server2 -PassThru
        $f = [System.IO.Path]::Combine($TestDir, 'c.yaml')
        """;

    [Fact]
    public void WhatIf_on_Export_writes_no_file()
    {
        using var s = new PsSession();
        s.Run(Base + "\n$c | Export-HaClusterConfig -Path $f -WhatIf").Ok();
        Assert.False(File.Exists(Path.Combine(s.TempDir, "c.yaml")));
        s.Run("$c | Export-HaClusterConfig -Path $f").Ok();
        Assert.True(File.Exists(Path.Combine(s.TempDir, "c.yaml")));
    }

    [Fact]
    public void WhatIf_on_edits_changes_neither_the_object_nor_the_file()
    {
        using var s = new PsSession();
        s.Run(Base + "\n$c | Export-HaClusterConfig -Path $f").Ok();
        var before = File.ReadAllText(Path.Combine(s.TempDir, "c.yaml"));
        s.Run("""
            $c | Add-HaNode -Name server3 -Address 10.0.130.10 -WhatIf
            $c | Remove-HaGroup -Name failover1 -WhatIf
            Add-HaNode -Path $f -Name server3 -Address 10.0.130.10 -WhatIf
            Set-HaCluster -Path $f -HeartbeatTimeoutMs 20000 -WhatIf
            New-HaCluster -Name other -Path ([System.IO.Path]::Combine($TestDir, 'new.yaml')) -WhatIf | Out-Null
            """).Ok();
        Assert.Equal(2, s.Run("$c.Nodes.Count").Ok().Single());
        Assert.Equal(1, s.Run("$c.Groups.Count").Ok().Single());
        Assert.Equal(before, File.ReadAllText(Path.Combine(s.TempDir, "c.yaml")));
        Assert.False(File.Exists(Path.Combine(s.TempDir, "new.yaml")));
    }

    [Fact]
    public void Default_views_are_tables_with_the_useful_columns()
    {
        using var s = new PsSession();
        s.Run(Base + "\n$c | Add-HaResource -Group failover1 -Name awsvip1 -Type awsvip -Property @{ ip = '10.1.0.20'; vpcId = 'vpc-1234abcd' }").Ok();
        string Show(string cmd) => string.Concat(s.Run(cmd + " | Out-String -Width 160").Ok().Output.Select(o => o.ToString()));

        var cluster = Show("$c");
        Assert.Matches(@"Name\s+Nodes\s+Groups\s+Monitors\s+Fencing", cluster);
        Assert.Matches(@"cluster\s+server1, server2\s+failover1\s+1\s+off", cluster);
        Assert.Matches(@"server2\s+1\s+lan1=10\.0\.120\.10", Show("Get-HaNode -InputObject $c"));
        Assert.Matches(@"failover1\s+auto\s+manual\s+server1, server2\s+awsvip1", Show("Get-HaGroup -InputObject $c"));
        Assert.Matches(@"failover1\s+awsvip1\s+awsvip\s+ip=10\.1\.0\.20; vpcId=vpc-1234abcd", Show("Get-HaResource -InputObject $c"));
        Assert.Matches(@"awsvipw1\s+awsvip\s+awsvip1\s+active\s+60s\s+180s\s+1\s+3/1/none", Show("Get-HaMonitor -InputObject $c"));
        Assert.Matches(@"Recovery\s+: restarts 3, failovers 1, then none", Show("Get-HaMonitor -InputObject $c | Format-List"));
        Assert.Matches(@"Warning\s+UnsafeSetup", Show("Test-HaClusterConfig -InputObject $c"));
    }

    [Fact]
    public void Type_completion_lists_schema_types()
    {
        using var s = new PsSession();
        var r = s.Run("""
            $line = 'Add-HaResource -Type aws'
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object { $_.CompletionText }
            """).Ok();
        Assert.Equal(new[] { "awsvip", "awseip", "awssip", "awsdns" }, r.Output.Select(o => o.ToString()));
        var m = s.Run("""
            $line = 'Add-HaMonitor -Type mirr'
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object { $_.CompletionText }
            """).Ok();
        Assert.Equal(new[] { "mirror", "mirrorconnect" }, m.Output.Select(o => o.ToString()));
    }

    [Fact]
    public void Manifest_lists_cmdlets_explicitly_and_supports_both_editions()
    {
        using var s = new PsSession();
        var text = File.ReadAllText(Repo.ModuleManifest);
        Assert.DoesNotContain("CmdletsToExport      = '*'", text);
        var exported = s.Run("(Get-Module ExpressHa).ExportedCmdlets.Keys").Ok().Output.Select(o => o.ToString()).ToList();
        foreach (var name in new[] { "New-HaCluster", "Add-HaNode", "Add-HaGroup", "Add-HaResource", "Add-HaMonitor", "Test-HaClusterConfig", "Export-HaClusterConfig", "Import-HaClusterConfig" })
            Assert.Contains(name, exported);
        Assert.Equal(new[] { "Core", "Desktop" }, s.Run("(Test-ModuleManifest $RepoRoot/out/ExpressHa/ExpressHa.psd1).CompatiblePSEditions").Ok().Output.Select(o => o.ToString()));
        var cmdlets = s.Run("Get-Command -Module ExpressHa | Where-Object { $_.Verb -notin (Get-Verb).Verb } | ForEach-Object Name").Ok();
        Assert.Empty(cmdlets.Output);
    }
}
