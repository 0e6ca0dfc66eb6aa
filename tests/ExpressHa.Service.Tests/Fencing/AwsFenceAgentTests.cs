using System.Diagnostics;
using ExpressHa.Config;
using ExpressHa.Service.Fencing;
using ExpressHa.Service.Tests.AwsResources;

namespace ExpressHa.Service.Tests.Fencing;

/// <summary>AwsFenceAgent through the real AWSSDK.EC2 against the in-process local endpoint (server1 = i-0node1...
/// fences server2 = i-0node2...).</summary>
public sealed class AwsFenceAgentTests
{
    static AwsFenceAgent Agent(AwsWorld w) => new(w.Provider(AwsWorld.Server1)) { PollInterval = TimeSpan.FromMilliseconds(100) };

    static FenceRequest Request(AwsWorld w, TimeSpan? timeout = null, string target = AwsWorld.Server2, string self = AwsWorld.Server1) =>
        new(w.Config, new FencingLevel { Type = FencingTypes.Aws }, w.Config.FindNode(target)!, w.Config.FindNode(self)!, "heartbeat lost",
            timeout ?? TimeSpan.FromSeconds(10));

    static string State(AwsWorld w, string id) => w.World.Read(s => s.Instances.Single(i => i.Id == id).State);

    [Fact]
    [Trait("Category", TestCategory.Process)]
    public async Task Stops_the_target_with_force_and_waits_until_stopped_and_the_hook_ran()
    {
        var marker = Path.Combine(Path.GetTempPath(), "expressha-fence-hook-" + Guid.NewGuid().ToString("N"));
        await using var w = await AwsWorld.StartAsync(s =>
        {
            var t = s.Instances.Single(i => i.Id == AwsWorld.Node2);
            t.StopSeconds = 30;          // a normal stop would outlast the test: Force must have been used
            t.ForceStopSeconds = 0.5;
            t.StopHook = $"echo \"$1\" > '{marker}'";
        });
        try
        {
            var log = new List<string>();
            var r = await Agent(w).FenceAsync(Request(w) with { Log = l => { lock (log) log.Add(l); } }, CancellationToken.None);
            Assert.True(r.Fenced, r.Message);
            Assert.Equal(FenceCodes.Fenced, r.Code);
            Assert.Equal("stopped", State(w, AwsWorld.Node2));
            Assert.Equal("running", State(w, AwsWorld.Node1));
            Assert.Contains(log, l => l.Contains("race check") && l.Contains("running"));
            // The hook writes the marker before it exits; the endpoint records the run once it exited.
            await Eventually.UntilAsync(() => File.Exists(marker) && w.Server.HookRuns.Any(h => h.InstanceId == AwsWorld.Node2), TimeSpan.FromSeconds(10),
                "the stop hook's marker and its recorded run", pollMs: 50);
            Assert.Equal(AwsWorld.Node2, File.ReadAllText(marker).Trim());
            Assert.Contains(w.Server.HookRuns, h => h.InstanceId == AwsWorld.Node2 && h.State == "stopped");
        }
        finally { File.Delete(marker); }
    }

    [Fact]
    public async Task An_already_stopped_target_counts_as_fenced_without_a_stop_call()
    {
        await using var w = await AwsWorld.StartAsync(s => s.Instances.Single(i => i.Id == AwsWorld.Node2).State = "stopped");
        var r = await Agent(w).FenceAsync(Request(w), CancellationToken.None);
        Assert.True(r.Fenced, r.Message);
        Assert.Equal(FenceCodes.AlreadyStopped, r.Code);
        Assert.Equal(0, w.Faults.Calls("StopInstances"));
    }

    [Fact]
    public async Task Unauthorized_names_the_iam_action_and_the_instance()
    {
        await using var w = await AwsWorld.StartAsync(s => s.DeniedActions.Add("ec2:StopInstances"));
        var r = await Agent(w).FenceAsync(Request(w), CancellationToken.None);
        Assert.False(r.Fenced);
        Assert.Equal(FenceCodes.Unauthorized, r.Code);
        Assert.False(r.Retryable);
        Assert.Contains("ec2:StopInstances", r.Message);
        Assert.Contains(AwsWorld.Node2, r.Message);
        Assert.Contains("UnauthorizedOperation", r.Message);
        Assert.Equal("running", State(w, AwsWorld.Node2));
    }

    [Fact]
    public async Task An_unknown_instance_is_reported_clearly()
    {
        await using var w = await AwsWorld.StartAsync();
        w.Config.FindNode(AwsWorld.Server2)!.InstanceId = "i-0doesnotexist0000";
        var r = await Agent(w).FenceAsync(Request(w), CancellationToken.None);
        Assert.False(r.Fenced);
        Assert.Equal(FenceCodes.InstanceNotFound, r.Code);
        Assert.Contains("i-0doesnotexist0000", r.Message);
        Assert.Contains("node " + AwsWorld.Server2, r.Message);
        Assert.False(r.Retryable);
    }

    [Fact]
    public async Task A_node_without_instance_id_is_reported()
    {
        await using var w = await AwsWorld.StartAsync();
        w.Config.FindNode(AwsWorld.Server2)!.InstanceId = null;
        var r = await Agent(w).FenceAsync(Request(w), CancellationToken.None);
        Assert.Equal(FenceCodes.NoInstanceId, r.Code);
        Assert.Contains(AwsWorld.Server2, r.Message);
    }

    [Fact]
    public async Task Throttling_and_5xx_are_retried_then_it_succeeds()
    {
        await using var w = await AwsWorld.StartAsync();
        w.Faults.Throttle("StopInstances", 2);
        w.Faults.Error("DescribeInstances", 1, 503);
        var r = await Agent(w).FenceAsync(Request(w), CancellationToken.None);
        Assert.True(r.Fenced, r.Message);
        Assert.Equal(3, w.Faults.Calls("StopInstances"));
        Assert.Equal("stopped", State(w, AwsWorld.Node2));
    }

    [Fact]
    public async Task Refuses_when_its_own_instance_is_stopping()
    {
        await using var w = await AwsWorld.StartAsync(s => s.Instances.Single(i => i.Id == AwsWorld.Node1).State = "stopping");
        var r = await Agent(w).FenceAsync(Request(w), CancellationToken.None);
        Assert.False(r.Fenced);
        Assert.Equal(FenceCodes.SelfStopping, r.Code);
        Assert.True(r.Final);
        Assert.Contains(AwsWorld.Node1, r.Message);
        Assert.Contains("stopping", r.Message);
        Assert.Equal(0, w.Faults.Calls("StopInstances"));
        Assert.Equal("running", State(w, AwsWorld.Node2));
    }

    [Fact]
    public async Task The_own_instance_id_comes_from_imds_when_the_config_has_none()
    {
        await using var w = await AwsWorld.StartAsync(s => s.Instances.Single(i => i.Id == AwsWorld.Node1).State = "stopped");
        w.Config.FindNode(AwsWorld.Server1)!.InstanceId = null;
        var r = await Agent(w).FenceAsync(Request(w), CancellationToken.None);
        Assert.Equal(FenceCodes.SelfStopping, r.Code);
        Assert.Contains(AwsWorld.Node1, r.Message);
    }

    [Fact]
    public async Task Times_out_when_the_stop_takes_longer_than_the_timeout()
    {
        await using var w = await AwsWorld.StartAsync(s =>
        {
            var t = s.Instances.Single(i => i.Id == AwsWorld.Node2);
            t.StopSeconds = 20;
            t.ForceStopSeconds = null;
        });
        var sw = Stopwatch.StartNew();
        var r = await Agent(w).FenceAsync(Request(w, TimeSpan.FromSeconds(1.5)), CancellationToken.None);
        Assert.False(r.Fenced);
        Assert.Equal(FenceCodes.Timeout, r.Code);
        Assert.Contains("stopping", r.Message);
        Assert.InRange(sw.Elapsed.TotalSeconds, 1.0, 6);
        Assert.Equal("stopping", State(w, AwsWorld.Node2));
    }

    [Fact]
    public async Task A_hanging_endpoint_is_bounded_by_the_timeout()
    {
        await using var w = await AwsWorld.StartAsync();
        w.Faults.Hang("DescribeInstances", 100, 30_000);
        var sw = Stopwatch.StartNew();
        var r = await Agent(w).FenceAsync(Request(w, TimeSpan.FromSeconds(2)), CancellationToken.None);
        Assert.False(r.Fenced);
        Assert.Equal(FenceCodes.Timeout, r.Code);
        Assert.InRange(sw.Elapsed.TotalSeconds, 1.0, 6);
    }
}
