using ExpressHa.Api;
using ExpressHa.Service.Runtime;
using ExpressHa.Service.Support;

namespace ExpressHa.Service.Tests.Support;

public class GroupTimelineTests
{
    static readonly string[] Resources = ["vip", "app"];

    static OwnershipRecord R(string time, string node, string state, long generation, string? owner = null)
        => new($"2026-12-06T10:{time}Z", node, "web", state, generation, owner ?? node);

    static AlertEntry A(string time, string node, string module, int id, string message)
        => new() { Time = $"2026-12-06T10:{time}Z", Node = node, Level = "info", Module = module, EventId = id, Message = message };

    static readonly OwnershipRecord[] StartOnServer1 =
    [
        R("00:00.000", "server1", "starting", 1),
        R("00:01.000", "server1", "online", 1),
    ];

    /// <summary>Started on server1, then stopped there and started on <paramref name="to"/> half a second later.</summary>
    static IEnumerable<OwnershipRecord> StoppedThenStartedOn(string to) => StartOnServer1.Concat([
        R("03:00.000", "server1", "stopping", 1),
        R("03:00.500", to, "starting", 2),
        R("03:01.000", to, "online", 2),
    ]);

    [Fact]
    public void A_detection_in_the_same_millisecond_as_the_start_makes_a_failover_even_when_the_lost_nodes_journal_is_missing()
    {
        // server1 moved the group to server2 (whose journal is gone with it), then lost server2 and took the group back
        var records = StartOnServer1.Concat([
            R("03:00.000", "server1", "stopping", 1) with { Next = "server2" },
            R("03:06.975", "server1", "starting", 3),
            R("03:06.981", "server1", "online", 3),
        ]);
        var alerts = new[]
        {
            A("03:06.974", "server1", "np", 4, "server2 counts as down: neither fencing nor partition resolution is configured."),
            A("03:06.975", "server1", "nm", 2, "Server server2 is lost: every heartbeat path timed out."),
        };

        var f = GroupTimeline.Build("web", Resources, records, alerts).Last();

        Assert.Equal(("failover", "server2", "server1", "online"), (f.Kind, f.From, f.To, f.Outcome));
        Assert.Equal(["stopping", "partition", "detection", "starting", "online"], f.Steps.Select(s => s.Step));
    }

    [Fact]
    public void A_failover_after_a_lost_node_has_detection_fence_each_resource_and_online_in_order()
    {
        var records = StartOnServer1.Concat([
            R("05:03.000", "server2", "offline", 2, "server1"),
            R("05:03.100", "server2", "starting", 3),
            R("05:04.000", "server2", "online", 3),
        ]);
        var alerts = new[]
        {
            A("00:00.500", "server1", "rc", 31, "Activating vip resource has completed. (10 ms)"),
            A("02:00.000", "server2", "config", 1, "Config generation 2 applied on server1, server2."),
            A("05:00.000", "server2", "nm", 2, "Server server1 is lost: every heartbeat path timed out."),
            A("05:02.000", "server2", "fence", 13, "server1 is fenced"),
            A("05:03.500", "server2", "rc", 31, "Activating vip resource has completed. (10 ms)"),
            A("05:03.900", "server2", "rc", 31, "Activating app resource has completed. (300 ms)"),
            A("05:03.950", "server2", "rc", 31, "Activating other resource has completed. (1 ms)"),
        };

        var episodes = GroupTimeline.Build("web", Resources, records, alerts);

        Assert.Equal(2, episodes.Count);
        Assert.Equal(("start", null, "server1", "online"), (episodes[0].Kind, episodes[0].From, episodes[0].To, episodes[0].Outcome));
        var f = episodes[1];
        Assert.Equal(("failover", "server1", "server2", "online", 3L), (f.Kind, f.From, f.To, f.Outcome, f.Generation));
        Assert.Equal(["detection", "fence", "offline", "starting", "resource", "resource", "online"], f.Steps.Select(s => s.Step));
        Assert.Equal("2026-12-06T10:05:00.000Z", f.Began);
        Assert.Equal("2026-12-06T10:05:04.000Z", f.Ended);
        Assert.Equal(4000, f.DurationMs);
        Assert.DoesNotContain(f.Steps, s => s.Message.Contains("other") || s.Message.Contains("Config"));
    }

    [Fact]
    public void An_operator_move_is_a_stop_on_the_owner_then_a_start_elsewhere()
    {
        var records = StoppedThenStartedOn("server2");
        var alerts = new[] { A("03:00.200", "server1", "rc", 41, "Deactivating app resource has completed.") };

        var move = GroupTimeline.Build("web", Resources, records, alerts)[1];

        Assert.Equal(("move", "server1", "server2", "online"), (move.Kind, move.From, move.To, move.Outcome));
        Assert.Equal(["stopping", "resource", "starting", "online"], move.Steps.Select(s => s.Step));
        Assert.Equal(1000, move.DurationMs);
    }

    [Fact]
    public void A_monitor_error_makes_it_a_failover_and_the_same_node_again_a_restart()
    {
        var failover = GroupTimeline.Build("web", Resources, StoppedThenStartedOn("server2"), [A("02:59.000", "server1", "rm", 9, "Detected an error in monitoring appw. (app: exit 1)")]);
        Assert.Equal("failover", failover[1].Kind);

        var restart = GroupTimeline.Build("web", Resources, StoppedThenStartedOn("server1"), []);
        Assert.Equal(("restart", "server1", "server1"), (restart[1].Kind, restart[1].From, restart[1].To));
    }

    [Fact]
    public void A_start_long_after_a_stop_is_a_start_and_failed_or_unfinished_episodes_say_so()
    {
        var episodes = GroupTimeline.Build("web", Resources, StartOnServer1.Concat([
            R("03:00.000", "server1", "stopping", 1),
            R("03:01.000", "server1", "offline", 1),
            R("30:00.000", "server2", "starting", 2),
            R("30:01.000", "server2", "failed", 2),
            R("31:00.000", "server1", "starting", 3),
        ]), [A("30:00.900", "server2", "rc", 32, "Activating app resource has failed.(exit 1)")]);

        Assert.Equal(["start", "start", "failover"], episodes.Select(e => e.Kind));
        Assert.Equal(("start", null, "failed"), (episodes[1].Kind, episodes[1].From, episodes[1].Outcome));
        Assert.Equal(("server2", "server1", "unfinished", null), (episodes[2].From, episodes[2].To, episodes[2].Outcome, episodes[2].Ended));
        Assert.Null(episodes[2].DurationMs);
    }

    [Fact]
    public void Other_groups_and_look_alike_names_stay_out()
    {
        var records = new[] { new OwnershipRecord("2026-12-06T10:00:00.000Z", "server1", "web2", "starting", 1, "server1") }.Concat(StartOnServer1);
        var alerts = new[]
        {
            A("00:00.500", "server1", "rc", 31, "Activating vip2 resource has completed. (1 ms)"),
            A("00:00.600", "server1", "rc", 31, "Activating vip resource has completed. (1 ms)"),
        };

        var start = Assert.Single(GroupTimeline.Build("web", Resources, records, alerts));

        Assert.Equal(["starting", "resource", "online"], start.Steps.Select(s => s.Step));
        Assert.Contains("vip resource", start.Steps[1].Message);
    }
}
