using ExpressHa.Demo;
using Xunit.Abstractions;

namespace ExpressHa.Service.Tests.Integration;

/// <summary>A node whose service was SIGSTOPped beyond the heartbeat timeout wakes up, learns the group was taken over
/// under a newer ownership generation, and stops its own copy instead of keeping it.</summary>
[Trait("Category", TestCategory.Process)]
[Collection(IntegrationCollection.Name)]
public sealed class StallTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SigstoppedOwner_WakesUp_AndStopsItsStaleCopy()
    {
        using var t = new TestCluster(output);
        await t.Run(async () =>
        {
            await t.StartAll();
            Assert.Equal("server1", await t.WaitForStartAsync());
            var pid = t.C.ProcessOf("server1")!.Id;
            Assert.True(NativeSignals.Pause(pid));
            try
            {
                await t.WaitFor("server2", s => TestCluster.Group(s) is { State: "online", Owner: "server2" }, TimeSpan.FromSeconds(15), "server2 took the group over");
            }
            finally
            {
                NativeSignals.Continue(pid);
            }
            await t.WaitFor("server1", s => TestCluster.Group(s) is { State: "online", Owner: "server2" } && s.Nodes.All(n => n.State == "online"),
                TimeSpan.FromSeconds(15), "server1 sees the group on server2 after waking up");
            await Eventually.ValueAsync(() => t.AppAnswer("server1"), answer => answer == null, TimeSpan.FromSeconds(10),
                "server1's application to stop answering", answer => $"it answers '{answer}'", pollMs: 50);
            Assert.Equal("server2", await t.AppAnswer("server2"));
            var alerts = t.Alerts("server1");
            Assert.Contains(alerts, a => a.Module == "pm" && a.EventId == 20);
            Assert.Contains(alerts, a => a.Module == "pm" && a.EventId == 21 && a.Message.Contains("web"));
        });
    }
}
