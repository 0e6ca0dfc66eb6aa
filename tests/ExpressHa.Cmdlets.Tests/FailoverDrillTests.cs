using ExpressHa.Client;
using ExpressHa.Config;
using ExpressHa.Demo;

namespace ExpressHa.Cmdlets.Tests;

/// <summary>Invoke-HaFailoverDrill against two real expresshad processes on loopback: moves, a service stop and start on
/// the standby, a monitor's pseudo-failure, and (destructive) the service killed on the active node.</summary>
[Trait("Category", TestCategory.Process)]
public sealed class FailoverDrillTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("expressha-drill-").FullName;
    readonly DemoCluster _cluster;

    public FailoverDrillTests()
    {
        _cluster = new DemoCluster(_dir, 2, 150, 900, configure: c =>
        {
            var appw = Schema.SchemaRegistry.NewMonitor("appw", "custom", "app");
            appw.Parameters["script"] = "/bin/true";
            appw.IntervalSeconds = 1;
            appw.TimeoutSeconds = 5;
            appw.Recovery.Restarts = 0;
            appw.Recovery.Failovers = 1;
            c.Monitors.Add(appw);
        }, addressPrefix: "127.0.10.");
    }

    async Task StartAsync()
    {
        foreach (var (name, _) in _cluster.Nodes)
        {
            _cluster.Start(name);
            await Task.Delay(300);
        }
        using var client = new HaApiClient(_cluster.ApiOf("server2"), _cluster.Token, null, TimeSpan.FromSeconds(2));
        await Eventually.ValueAsync(() => client.GetStatusAsync(), s => s.Groups[0].State == "online"
            && s.Nodes.All(n => n.State == "online" && n.ServiceState == "running") && s.Monitors.All(m => m.State == "normal"),
            TimeSpan.FromSeconds(30), "the demo cluster to come up", _ => File.ReadAllText(_cluster.LogFile("server1")), pollMs: 50);
    }

    [Fact]
    public async Task Every_drill_runs_is_measured_and_reported()
    {
        await StartAsync();
        using var s = new PsSession();
        var reports = Path.Combine(_dir, "reports");
        s.Run($"Connect-HaCluster -Endpoint '{_cluster.ApiOf("server2")}' -TokenFile '{_cluster.TokenFile}'").Ok();

        // -WhatIf lists the drills and changes nothing.
        var whatIf = s.Run($"Invoke-HaFailoverDrill -Destructive -Force -ReportPath '{reports}' -WhatIf").Ok();
        Assert.Empty(whatIf.Output);
        Assert.False(Directory.Exists(reports));
        Assert.Equal("server1", s.Run("(Get-HaGroup web).Owner").Ok().Single());

        var run = s.Run($"$r = Invoke-HaFailoverDrill -Destructive -Force -ReportPath '{reports}' -TimeoutSeconds 60; $r | ForEach-Object {{ $_.Drill + ' | ' + $_.Succeeded + ' | ' + $_.Message }}");
        var lines = run.Output.Select(o => o.ToString()).ToList();
        Assert.True(run.Errors.Count == 0, string.Join("\n", run.Errors.Select(e => e.ToString())) + "\n" + string.Join("\n", lines));
        Assert.Equal(new[]
        {
            "Move web to server2", "Move web back to server1", "Stop and start the service on server2", "Pseudo-failure of appw",
            "Kill the service on server1",
        }, lines.Select(l => l.Split(" | ")[0]));
        Assert.All(lines, l => Assert.Contains(" | True | ", l));

        // Moves: the app was seen online on the new server, no later than the end of the drill (a stop that takes less
        // than one poll may not be seen at all).
        Assert.Contains("online on server2",
            s.Run("$r[0].Resources | Where-Object Resource -eq 'web/app' | ForEach-Object { $_.State + ' on ' + $_.Node }").Ok().Output.Select(o => o.ToString()));
        Assert.Equal(true, s.Run("($r[0].Resources | Where-Object State -eq 'online')[-1].Seconds -le $r[0].TotalSeconds").Ok().Single());
        Assert.Equal(true, s.Run("$null -eq $r[0].DetectionSeconds").Ok().Single());
        // The standby's service stop was seen, and the group did not move.
        Assert.Contains("no group moved", lines[2]);
        Assert.Equal(true, s.Run("$r[2].DetectionSeconds -gt 0").Ok().Single());
        // The pseudo-failure failed web over to server2 (restarts 0, failovers 1); detection precedes the end.
        Assert.Contains("web online on server2", lines[3]);
        Assert.Equal(true, s.Run("$r[3].DetectionSeconds -le $r[3].TotalSeconds").Ok().Single());
        Assert.Contains("pseudo-failure of appw cleared", s.Run("$r[3].Timeline.Text").Ok().Output.Select(o => o.ToString()));
        // Killing server1's service: server1 lost, web on server2.
        Assert.Contains("web runs on server2", lines[4]);
        Assert.Equal("server2", s.Run("(Get-HaGroup web).Owner").Ok().Single());

        var md = Assert.Single(Directory.GetFiles(reports, "failover-drill-demo-*.md"));
        var html = Assert.Single(Directory.GetFiles(reports, "failover-drill-demo-*.html"));
        var mdText = File.ReadAllText(md);
        Assert.Contains("| Pseudo-failure of appw | ok |", mdText);
        Assert.Contains("## Kill the service on server1", mdText);
        var htmlText = File.ReadAllText(html);
        Assert.Equal(5, htmlText.Split("<svg ").Length - 1);
        Assert.Contains("detected", htmlText);

        var table = string.Concat(s.Run("$r | Out-String -Width 80").Ok().Output.Select(o => o.ToString()));
        Assert.All(table.Split('\n'), l => Assert.True(l.TrimEnd('\r').Length <= 80, l));
    }

    [Fact]
    public async Task The_kill_drill_needs_Destructive_and_unknown_names_are_not_found()
    {
        await StartAsync();
        using var s = new PsSession();
        s.Run($"Connect-HaCluster -Endpoint '{_cluster.ApiOf("server2")}' -TokenFile '{_cluster.TokenFile}'").Ok();
        var kill = s.Run("Invoke-HaFailoverDrill -Kind ServiceKill");
        Assert.StartsWith("ExpressHa.InvalidArgument", (kill.Terminating?.ErrorRecord ?? Assert.Single(kill.Errors)).FullyQualifiedErrorId);
        var group = s.Run("Invoke-HaFailoverDrill -Group nosuch");
        Assert.StartsWith("ExpressHa.GroupNotFound", Assert.Single(group.Errors).FullyQualifiedErrorId);
        Assert.Equal("server1", s.Run("(Get-HaGroup web).Owner").Ok().Single());
    }

    public void Dispose()
    {
        _cluster.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
