using ExpressHa.Config;
using ExpressHa.Schema;
using Xunit.Abstractions;

namespace ExpressHa.Service.Tests.Netns;

/// <summary>A nic monitor on lan2 with the group as recovery target: pulling n1's lan2 cable (its switch port down)
/// is a monitor error on n1 that fails the group over to n2, while the heartbeat on lan1 keeps both nodes online.</summary>
[Trait("Category", TestCategory.Namespace)]
[Collection("Netns")]
public sealed class NicMonitorFailoverTests : IDisposable
{
    readonly NetnsCluster _c;

    public NicMonitorFailoverTests(ITestOutputHelper output)
    {
        _c = new NetnsCluster(output, g => g.Resources.Add(new ResourceConfig { Name = "app", Type = "exec", Parameters = { ["start"] = "/bin/true" } }),
            cluster =>
            {
                var nic = SchemaRegistry.NewMonitor("lan2w", "nic", null);
                nic.Parameters["interface"] = "lan2";
                nic.IntervalSeconds = 1;
                nic.TimeoutSeconds = 5;
                nic.Retry = 0;
                nic.Recovery.Target = "g1";
                nic.Recovery.Failovers = 1;
                cluster.Monitors.Add(nic);
            });
    }

    public void Dispose() => _c.Dispose();

    [NeedsFact(Need.Namespaces)]
    public Task LinkDownOnTheActiveNode_FailsTheGroupOver() => _c.Run(async () =>
    {
        _c.StartAll();
        await _c.WaitStatus("n2", s => s.Nodes.All(x => x.State == "online") && s.Groups[0].State == "online" && s.Groups[0].Owner == "n1"
            && s.Monitors.Any(m => m.Name == "lan2w" && m.State == "normal"), TimeSpan.FromSeconds(30), "g1 online on n1, lan2w normal (worst of both nodes)");
        var since = DateTimeOffset.UtcNow;

        _c.SetPath("n1", 2, up: false);

        var alert = await _c.WaitAlert("n1", since, a => a.Level == "error" && a.Message.Contains("lan2w"), TimeSpan.FromSeconds(20), "lan2w error on n1");
        Assert.Contains("no link", alert.Message);
        var s = await _c.WaitStatus("n2", s => s.Groups[0].State == "online" && s.Groups[0].Owner == "n2", TimeSpan.FromSeconds(30), "g1 failed over to n2");
        Assert.All(s.Nodes, n => Assert.Equal("online", n.State)); // lan1 still carries the heartbeat
    });
}
