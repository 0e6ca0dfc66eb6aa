using ExpressHa.Api;
using System.Diagnostics;
using ExpressHa.Config;
using ExpressHa.Service.Fencing;
using ExpressHa.Service.Tests.AwsResources;
using ExpressHa.Service.Tests.Resources;

namespace ExpressHa.Service.Tests.Fencing;

public sealed class FencerTests
{
    /// <summary>An agent whose attempts answer from a script of results; records every request.</summary>
    sealed class FakeAgent(string type, params FenceResult[] results) : IFenceAgent
    {
        public List<FenceRequest> Calls { get; } = new();
        public string Type => type;
        public Task<FenceResult> FenceAsync(FenceRequest request, CancellationToken ct)
        {
            lock (Calls) Calls.Add(request);
            var i = Calls.Count - 1;
            return Task.FromResult(results.Length == 0 ? FenceResult.Success(FenceCodes.Fenced, "ok") : results[Math.Min(i, results.Length - 1)]);
        }
    }

    static readonly FencerOptions Fast = new() { PollInterval = TimeSpan.FromMilliseconds(20), RetryPause = TimeSpan.Zero };
    static readonly FenceResult Fail = FenceResult.Failure(FenceCodes.ScriptFailed, "exit 1");

    static ClusterConfig Config(int retries = 0, params FencingLevel[] levels)
    {
        var c = new ClusterConfig();
        c.Cluster.Name = "cluster";
        c.Nodes.Add(new NodeConfig { Name = "server1", InstanceId = AwsWorld.Node1 });
        c.Nodes.Add(new NodeConfig { Name = "server2", InstanceId = AwsWorld.Node2 });
        c.Cluster.Fencing.Retries = retries;
        c.Cluster.Fencing.TimeoutSeconds = 5;
        c.Cluster.Fencing.Levels.AddRange(levels);
        return c;
    }

    static FencingLevel Script(string cmd = "x") => new() { Type = FencingTypes.Script, Command = cmd };
    static FencingLevel Aws() => new() { Type = FencingTypes.Aws };

    [Fact]
    public async Task No_levels_means_fencing_is_off_and_says_so()
    {
        var alerts = new RecordingAlerts();
        var o = await new Fencer(alerts, Array.Empty<IFenceAgent>(), Fast).FenceAsync(Config(), "server2", "server1", "heartbeat lost");
        Assert.False(o.Fenced);
        Assert.Equal(FenceCodes.Disabled, o.Code);
        Assert.Contains(alerts.Alerts, a => a.Module == "fence" && a.EventId == AlertEvents.Fence.Disabled.Id && a.Level == "warning");
    }

    [Fact]
    public async Task The_delay_of_the_target_is_honoured_not_the_one_of_the_fencing_node()
    {
        var c = Config(0, Script());
        c.Cluster.Fencing.DelaySeconds["server2"] = 1;
        c.Cluster.Fencing.DelaySeconds["server1"] = 0;
        var agent = new FakeAgent(FencingTypes.Script);
        var alerts = new RecordingAlerts();
        var f = new Fencer(alerts, new[] { agent }, Fast);

        var sw = Stopwatch.StartNew();
        var o = await f.FenceAsync(c, "server2", "server1", "heartbeat lost");
        Assert.True(o.Fenced);
        Assert.True(sw.Elapsed >= TimeSpan.FromSeconds(0.95), $"waited only {sw.Elapsed}");
        Assert.Equal(TimeSpan.FromSeconds(1), o.Delay);
        Assert.Contains(alerts.Alerts, a => a.EventId == AlertEvents.Fence.Delaying.Id);

        sw.Restart();
        var back = await f.FenceAsync(c, "server1", "server2", "heartbeat lost");  // server1's delay is 0: at once
        Assert.True(back.Fenced);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(0.5));
        Assert.Equal(TimeSpan.Zero, back.Delay);
        Assert.Equal(TimeSpan.FromSeconds(1), Fencer.DelayFor(c.Cluster.Fencing, "server2"));
        Assert.Equal(TimeSpan.Zero, Fencer.DelayFor(c.Cluster.Fencing, "server3"));
    }

    [Fact]
    public async Task The_delay_is_abandoned_when_fencing_is_no_longer_needed()
    {
        var c = Config(0, Script());
        c.Cluster.Fencing.DelaySeconds["server2"] = 10;
        var agent = new FakeAgent(FencingTypes.Script);
        var alerts = new RecordingAlerts();
        var sw = Stopwatch.StartNew();
        var o = await new Fencer(alerts, new[] { agent }, Fast).FenceAsync(c, "server2", "server1", "heartbeat lost",
            stillNeeded: () => sw.Elapsed < TimeSpan.FromMilliseconds(300));
        Assert.False(o.Fenced);
        Assert.Equal(FenceCodes.Aborted, o.Code);
        Assert.InRange(sw.Elapsed.TotalSeconds, 0.25, 2);
        Assert.Empty(agent.Calls);
        Assert.Contains(alerts.Alerts, a => a.EventId == AlertEvents.Fence.Aborted.Id);
    }

    [Fact]
    public async Task Levels_are_tried_in_order_with_retries_and_the_first_success_ends_it()
    {
        var script = new FakeAgent(FencingTypes.Script, Fail);
        var aws = new FakeAgent(FencingTypes.Aws, Fail, FenceResult.Success(FenceCodes.Fenced, "stopped"));
        var third = Script("never");
        var alerts = new RecordingAlerts();
        var o = await new Fencer(alerts, new IFenceAgent[] { script, aws }, Fast)
            .FenceAsync(Config(2, Script("/bin/pdu-off"), Aws(), third), "server2", "server1", "failed stop of ip1");

        Assert.True(o.Fenced, o.Message);
        Assert.Equal("aws", o.Level);
        Assert.Equal(3, script.Calls.Count);                 // 1 + retries(2)
        Assert.Equal(2, aws.Calls.Count);                    // failed once, then fenced
        Assert.Equal(new[] { (1, 1), (1, 2), (1, 3), (2, 1), (2, 2) }, o.Attempts.Select(a => (a.LevelIndex, a.Attempt)));
        Assert.All(script.Calls, r => Assert.Equal("/bin/pdu-off", r.Level.Command));
        Assert.All(script.Calls.Concat(aws.Calls), r =>
        {
            Assert.Equal("server2", r.Target.Name);
            Assert.Equal("server1", r.Self.Name);
            Assert.Equal("failed stop of ip1", r.Reason);
            Assert.Equal(TimeSpan.FromSeconds(5), r.Timeout);
        });
        var fence = alerts.Alerts.Where(a => a.Module == "fence").ToList();
        Assert.Equal(AlertEvents.Fence.Started.Id, fence[0].EventId);
        Assert.Equal(4, fence.Count(a => a.EventId == AlertEvents.Fence.AttemptFailed.Id && a.Level == "warning"));
        Assert.Equal(AlertEvents.Fence.Fenced.Id, fence[^1].EventId);
        Assert.Contains("server2", fence[^1].Message);
    }

    [Fact]
    public async Task A_non_retryable_failure_moves_to_the_next_level_at_once()
    {
        var aws = new FakeAgent(FencingTypes.Aws, FenceResult.Failure(FenceCodes.Unauthorized, "ec2:StopInstances", retryable: false));
        var script = new FakeAgent(FencingTypes.Script);
        var o = await new Fencer(new RecordingAlerts(), new IFenceAgent[] { script, aws }, Fast)
            .FenceAsync(Config(3, Aws(), Script()), "server2", "server1", "x");
        Assert.True(o.Fenced);
        Assert.Single(aws.Calls);
        Assert.Single(script.Calls);
    }

    [Fact]
    public async Task Every_level_failing_is_an_error_alert()
    {
        var alerts = new RecordingAlerts();
        var o = await new Fencer(alerts, new IFenceAgent[] { new FakeAgent(FencingTypes.Script, Fail), new FakeAgent(FencingTypes.Aws, Fail) }, Fast)
            .FenceAsync(Config(1, Script(), Aws()), "server2", "server1", "x");
        Assert.False(o.Fenced);
        Assert.Equal(FenceCodes.Failed, o.Code);
        Assert.Equal(4, o.Attempts.Count);
        Assert.Contains(alerts.Alerts, a => a.EventId == AlertEvents.Fence.Failed.Id && a.Level == "error" && a.Message.Contains("server2"));
    }

    [Fact]
    public async Task A_race_check_refusal_stops_all_levels()
    {
        var aws = new FakeAgent(FencingTypes.Aws, new FenceResult(false, FenceCodes.SelfStopping, "own instance stopping") { Final = true, Retryable = false });
        var script = new FakeAgent(FencingTypes.Script);
        var alerts = new RecordingAlerts();
        var o = await new Fencer(alerts, new IFenceAgent[] { script, aws }, Fast).FenceAsync(Config(2, Aws(), Script()), "server2", "server1", "x");
        Assert.False(o.Fenced);
        Assert.Equal(FenceCodes.SelfStopping, o.Code);
        Assert.Empty(script.Calls);
        Assert.Contains(alerts.Alerts, a => a.EventId == AlertEvents.Fence.SelfStopping.Id && a.Level == "error");
    }

    [Fact]
    public async Task StillNeeded_is_checked_before_each_attempt()
    {
        var n = 0;
        var script = new FakeAgent(FencingTypes.Script, Fail);
        var o = await new Fencer(new RecordingAlerts(), new[] { script }, Fast)
            .FenceAsync(Config(5, Script()), "server2", "server1", "x", stillNeeded: () => ++n <= 2);
        Assert.Equal(FenceCodes.Aborted, o.Code);
        Assert.Equal(2, script.Calls.Count);
    }

    [Fact]
    public async Task Unknown_nodes_are_reported()
    {
        var o = await new Fencer(new RecordingAlerts(), new[] { new FakeAgent(FencingTypes.Script) }, Fast)
            .FenceAsync(Config(0, Script()), "server9", "server1", "x");
        Assert.Equal(FenceCodes.UnknownNode, o.Code);
    }

    [Fact]
    [Trait("Category", TestCategory.Process)]
    public async Task End_to_end_a_failing_script_level_then_aws_stops_the_instance()
    {
        await using var w = await AwsWorld.StartAsync();
        var s = w.Config.Cluster.Fencing;
        s.Levels.Add(Script("exit 3 #"));
        s.Levels.Add(Aws());
        s.Retries = 0;
        s.TimeoutSeconds = 10;
        var alerts = new RecordingAlerts();
        var o = await Fencer.Create(alerts, w.Provider(AwsWorld.Server1), Fast).FenceAsync(w.Config, AwsWorld.Server2, AwsWorld.Server1, "heartbeat lost");
        Assert.True(o.Fenced, o.Message);
        Assert.Equal("aws", o.Level);
        Assert.Equal(FenceCodes.ScriptFailed, o.Attempts[0].Result.Code);
        Assert.Equal("stopped", w.World.Read(x => x.Instances.Single(i => i.Id == AwsWorld.Node2).State));
        Assert.Contains(alerts.LogLines("fence"), l => l.Contains("StopInstances Force=true"));
    }
}
