namespace ExpressHa.Cmdlets.Tests;

/// <summary>The pure parts of Invoke-HaFailoverDrill: which drills a cluster gets, what a status change means on the
/// timeline, and the report.</summary>
public class DrillPlanningTests
{
    const string Status = """
        $json = '{"clusterName":"c","nodes":[{"name":"server1","state":"online","serviceState":"running","priority":0,"paths":[]},
          {"name":"server2","state":"online","serviceState":"running","priority":1,"paths":[]},{"name":"server3","state":"lost","priority":2,"paths":[]}],
          "groups":[{"name":"g1","state":"online","owner":"server1","generation":1,"servers":["server1","server2","server3"],"resources":[{"name":"app","type":"exec","state":"online"}]},
          {"name":"g2","state":"offline","owner":null,"generation":0,"servers":["server2"],"resources":[]}],
          "monitors":[{"name":"appw","type":"custom","state":"normal","node":"server1"},{"name":"mw","type":"mirror","state":"suspended"}]}'
        $status = [ExpressHa.Client.JsonLite]::Bind([ExpressHa.Client.JsonLite]::Parse($json), [ExpressHa.Api.ClusterStatus], '$')
        $skipped = $null
        """;

    static List<string> Lines(PsSession s, string script) => s.Run(script).Ok().Output.Select(o => o.ToString()).ToList();

    [Fact]
    public void Online_groups_move_to_each_online_server_and_back_standbys_stop_and_active_monitors_fail()
    {
        using var s = new PsSession();
        s.Run(Status).Ok();
        var plan = Lines(s, "[ExpressHa.Cmdlets.DrillCatalog]::Plan($status, [string[]]('Move','ServiceStop','MonitorFailure','ServiceKill'), $null, $null, 'server2', [ref]$skipped) | ForEach-Object Name");
        Assert.Equal(new[]
        {
            "Move g1 to server2", "Move g1 back to server1", // server3 is lost
            "Stop and start the service on server2",
            "Pseudo-failure of appw", // mw is suspended
            "Kill the service on server1",
        }, plan);
        Assert.Contains("Pseudo-failure of mw: the monitor is suspended", Lines(s, "$skipped"));
    }

    [Fact]
    public void The_connected_node_is_not_killed_and_filters_apply()
    {
        using var s = new PsSession();
        s.Run(Status).Ok();
        var plan = Lines(s, "[ExpressHa.Cmdlets.DrillCatalog]::Plan($status, [string[]]('ServiceKill','MonitorFailure'), [string[]]('g1'), [string[]]('nosuch'), 'server1', [ref]$skipped) | ForEach-Object Name");
        Assert.Empty(plan);
        Assert.Contains(Lines(s, "$skipped"), l => l.StartsWith("Kill the service on server1: the session is connected to server1", StringComparison.Ordinal));
    }

    [Fact]
    public void Status_changes_become_timeline_entries_and_resource_times()
    {
        using var s = new PsSession();
        s.Run(Status + """

            $after = [ExpressHa.Client.JsonLite]::Bind([ExpressHa.Client.JsonLite]::Parse($json.Replace('"owner":"server1"', '"owner":"server2"').Replace('"state":"normal"', '"state":"error"')), [ExpressHa.Api.ClusterStatus], '$')
            $changes = [ExpressHa.Cmdlets.StatusChanges]::Between($status, $after)
            foreach ($c in $changes) { $c.Seconds = 1.5 }
            """).Ok();
        Assert.Equal(new[] { "g1 online on server2", "g1/app online on server2", "monitor appw error on server1" }, Lines(s, "$changes.Text"));
        Assert.Equal("g1/app online on server2 at 1.50 s", Lines(s, "[ExpressHa.Cmdlets.StatusChanges]::ResourceTimes($changes) | ForEach-Object ToString").Single());
    }

    [Fact]
    public void The_report_has_a_summary_a_section_and_a_timeline_picture_per_drill()
    {
        using var s = new PsSession();
        s.Run("""
            $e = @([ExpressHa.Cmdlets.HaDrillEvent]@{ Seconds = 0; Kind = 'request'; Subject = 'appw'; Text = 'request: pseudo-failure of appw' },
                   [ExpressHa.Cmdlets.HaDrillEvent]@{ Seconds = 1.25; Kind = 'monitor'; Subject = 'appw'; Text = 'monitor appw error on server1' })
            [ExpressHa.Cmdlets.HaDrillResult[]]$r = @([ExpressHa.Cmdlets.HaDrillResult]@{ Drill = 'Pseudo-failure of appw'; Succeeded = $true; DetectionSeconds = 1.25; TotalSeconds = 3; Timeline = $e; Message = 'a <b> | c' },
                   [ExpressHa.Cmdlets.HaDrillResult]@{ Drill = 'Move g1 to server2'; Succeeded = $false; TotalSeconds = 60; Message = 'not within 60 s' })
            $md = [ExpressHa.Cmdlets.DrillReport]::Markdown('c', [datetime]'2026-12-06T12:00:00Z', $r)
            $html = [ExpressHa.Cmdlets.DrillReport]::Html('c', [datetime]'2026-12-06T12:00:00Z', $r)
            """).Ok();
        var md = Lines(s, "$md").Single();
        Assert.Contains("1 of 2 drills succeeded", md);
        Assert.Contains("| Pseudo-failure of appw | ok | 1.25 | 3.00 | a <b> \\| c |", md);
        Assert.Contains("| Move g1 to server2 | FAILED | — | 60.00 | not within 60 s |", md);
        Assert.Contains("- 1.25 s: monitor appw error on server1", md);
        var html = Lines(s, "$html").Single();
        Assert.Equal(2, html.Split("<svg ").Length - 1);
        Assert.Contains("a &lt;b&gt; | c", html);
        Assert.DoesNotContain("a <b>", html);
        Assert.Contains("detected 1.25 s", html);
    }
}
