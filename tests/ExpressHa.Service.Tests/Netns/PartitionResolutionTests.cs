using System.Text.Json;
using ExpressHa.Api;
using ExpressHa.Config;
using Xunit.Abstractions;

namespace ExpressHa.Service.Tests.Netns;

/// <summary>A real split with ping partition resolution: the node cut off from the ping target (198.18.1.254, the
/// switch) loses resolution, stops its group and its service; the other keeps resolution and takes the group over only
/// after the isolated node had the time to stop. The two never run the application at the same time.</summary>
[Trait("Category", TestCategory.Namespace)]
public sealed class PartitionResolutionTests : IDisposable
{
    readonly NetnsCluster _c;
    readonly ITestOutputHelper _output;

    public PartitionResolutionTests(ITestOutputHelper output)
    {
        _output = output;
        _c = new NetnsCluster(output, g =>
        {
            var app = new ResourceConfig { Name = "app", Type = "exec" };
            app.Parameters["start"] = "echo started on $EXPRESSHA_NODE";
            app.Parameters["stop"] = "echo stopped on $EXPRESSHA_NODE";
            g.Resources.Add(app);
        }, c => c.Cluster.PartitionResolution.Ping = new PingResolution { Targets = { "198.18.1.254" }, IntervalMs = 500, TimeoutMs = 1000 });
    }

    public void Dispose() => _c.Dispose();

    List<AlertEntry> AlertFile(string node)
        => File.ReadAllLines(Path.Combine(_c.StateDir(node), "alerts.jsonl"))
            .Select(l => JsonSerializer.Deserialize<AlertEntry>(l, new JsonSerializerOptions(JsonSerializerDefaults.Web))!).ToList();

    [NeedsFact(Need.Namespaces, "ping")]
    public Task IsolatedNode_StopsItself_TheOtherTakesOverAfterwards() => _c.Run(async () =>
    {
        _c.StartAll();
        await _c.WaitStatus("n1", s => s.Groups[0] is { State: "online", Owner: "n1" } && s.Nodes.All(n => n.State == "online"),
            TimeSpan.FromSeconds(30), "group g1 online on n1");
        var cutAt = DateTimeOffset.UtcNow;
        _c.SetPath("n1", 1, up: false);
        _c.SetPath("n1", 2, up: false);

        await _c.WaitStatus("n2", s => s.Groups[0] is { State: "online", Owner: "n2" }, TimeSpan.FromSeconds(30), "group g1 online on n2");

        var n1 = AlertFile("n1").Where(a => DateTimeOffset.Parse(a.Time) >= cutAt).ToList();
        var n2 = AlertFile("n2").Where(a => DateTimeOffset.Parse(a.Time) >= cutAt).ToList();
        string Dump() => string.Join("\n", n1.Concat(n2).OrderBy(a => a.Time, StringComparer.Ordinal).Select(NetnsCluster.Describe));
        var lostResolution = n1.FirstOrDefault(a => a.Module == "np" && a.EventId == 1);
        Assert.True(lostResolution != null, "n1 did not report losing partition resolution:\n" + Dump());
        Assert.Contains(n2, a => a.Module == "np" && a.EventId == 2);
        var n1Stopped = n1.FirstOrDefault(a => a.Module == "rc" && a.EventId == 41);
        var n2Started = n2.FirstOrDefault(a => a.Module == "rc" && a.EventId == 31);
        Assert.True(n1Stopped != null && n2Started != null, "missing stop on n1 or start on n2:\n" + Dump());
        Assert.True(DateTimeOffset.Parse(n1Stopped!.Time) < DateTimeOffset.Parse(n2Started!.Time),
            "n2 started the application before n1 had stopped it (dual active):\n" + Dump());
        Assert.DoesNotContain(n1, a => a.Module == "rc" && a.EventId == 31);
    });

    const int WitnessPort = 29180;

    /// <summary>Two nodes, an echo exec resource, HTTP partition resolution through a witness on the switch (also a heartbeat path).</summary>
    NetnsCluster WitnessCluster(int port) => new(_output, g =>
    {
        var app = new ResourceConfig { Name = "app", Type = "exec" };
        app.Parameters["start"] = "echo started on $EXPRESSHA_NODE";
        app.Parameters["stop"] = "echo stopped on $EXPRESSHA_NODE";
        g.Resources.Add(app);
    }, cfg => cfg.Cluster.PartitionResolution.Http = new HttpResolution { Url = $"http://198.18.1.254:{port}", TimeoutMs = 1000, Heartbeat = true });

    [NeedsFact(Need.Namespaces, "ping")]
    public async Task Witness_TheNodeTheWitnessStillSeesWins()
    {
        using var c = WitnessCluster(WitnessPort);
        await c.Run(async () =>
        {
            c.StartWitness(WitnessPort);
            c.StartAll();
            await c.WaitStatus("n1", s => s.Groups[0] is { State: "online", Owner: "n1" } && s.Nodes.All(n => n.State == "online"),
                TimeSpan.FromSeconds(30), "group g1 online on n1");
            var cutAt = DateTimeOffset.UtcNow;
            c.SetPath("n1", 1, up: false);
            c.SetPath("n1", 2, up: false);
            await c.WaitStatus("n2", s => s.Groups[0] is { State: "online", Owner: "n2" }, TimeSpan.FromSeconds(30), "group g1 online on n2");
            List<AlertEntry> Since(string node) => File.ReadAllLines(Path.Combine(c.StateDir(node), "alerts.jsonl"))
                .Select(l => JsonSerializer.Deserialize<AlertEntry>(l, new JsonSerializerOptions(JsonSerializerDefaults.Web))!)
                .Where(a => DateTimeOffset.Parse(a.Time) >= cutAt).ToList();
            var n1 = Since("n1");
            var n2 = Since("n2");
            string Dump() => string.Join("\n", n1.Concat(n2).OrderBy(a => a.Time, StringComparer.Ordinal).Select(NetnsCluster.Describe));
            Assert.True(n1.Any(a => a.Module == "np" && a.EventId == 1), "n1 (cut off from the witness) did not stop itself:\n" + Dump());
            Assert.True(n2.Any(a => a.Module == "np" && a.EventId == 2), "n2 did not survive by the witness:\n" + Dump());
            var n1Stopped = n1.First(a => a.Module == "rc" && a.EventId == 41);
            var n2Started = n2.First(a => a.Module == "rc" && a.EventId == 31);
            Assert.True(DateTimeOffset.Parse(n1Stopped.Time) < DateTimeOffset.Parse(n2Started.Time), "dual active:\n" + Dump());
        });
    }

    [NeedsFact(Need.Namespaces, "ping")]
    public async Task Witness_HeartbeatPath_KeepsBothNodes_WhenOnlyTheInterconnectBreaks()
    {
        using var c = WitnessCluster(WitnessPort + 1);
        await c.Run(async () =>
        {
            c.StartWitness(WitnessPort + 1);
            c.StartAll();
            await c.WaitStatus("n1", s => s.Groups[0] is { State: "online", Owner: "n1" } && s.Nodes.All(n => n.State == "online"),
                TimeSpan.FromSeconds(30), "group g1 online on n1");
            await c.WaitStatus("n2", s => s.Nodes.Single(n => n.Name == "n1").Paths.Any(p => p.Interconnect == "witness" && p.State == "up"),
                TimeSpan.FromSeconds(10), "n2 sees n1 on the witness path");
            var cutAt = DateTimeOffset.UtcNow;
            // The nodes can no longer reach each other on any interconnect; both still reach the witness (the switch).
            foreach (var (node, peer) in new[] { ("n1", "n2"), ("n2", "n1") })
                foreach (var lan in new[] { 1, 2 })
                    NsShell.Must("ip", "-n", c.Ns(node), "route", "add", "blackhole", NetnsCluster.AddressOf(peer, lan) + "/32");
            Assert.False(NetnsCluster.Ping(c.Ns("n1"), NetnsCluster.AddressOf("n2", 1), TimeSpan.FromSeconds(1)));
            await Task.Delay(NetnsCluster.HeartbeatTimeoutMs * 4);
            var s2 = await c.WaitStatus("n2", s => s.Nodes.Single(n => n.Name == "n1").Paths.Where(p => p.Interconnect != "witness").All(p => p.State == "down"),
                TimeSpan.FromSeconds(10), "n2 sees both interconnects to n1 down");
            var n1 = s2.Nodes.Single(n => n.Name == "n1");
            Assert.Equal("online", n1.State);
            Assert.Equal("up", n1.Paths.Single(p => p.Interconnect == "witness").State);
            Assert.Equal("n1", s2.Groups[0].Owner);
            Assert.Equal("online", s2.Groups[0].State);
            var alerts = (await c.Alerts("n1", cutAt)).Concat(await c.Alerts("n2", cutAt)).ToList();
            string Dump() => string.Join("\n", alerts.Select(NetnsCluster.Describe));
            Assert.False(alerts.Any(a => a.Module == "np"), "partition resolution ran although the witness path was up:\n" + Dump());
            Assert.False(alerts.Any(a => a.Module == "rc" && a.EventId is 31 or 41), "the group moved:\n" + Dump());
            Assert.True(alerts.Any(a => a.Module == "nm" && a.EventId == 3 && a.Node == "n2"), "no path-down warning on n2:\n" + Dump());
        });
    }
}
