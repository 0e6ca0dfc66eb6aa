using Xunit.Abstractions;

namespace ExpressHa.Service.Tests.Integration;

/// <summary>SIGTERM of the owner: the service stops its group there in reverse dependency order, marked to move, and
/// exits 0; the other server starts it (NodePolicy.NodeStopping with cause Shutdown, then ReleasePolicy).</summary>
[Trait("Category", TestCategory.Process)]
[Collection(IntegrationCollection.Name)]
public sealed class ShutdownTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SigtermOfTheOwner_StopsTheGroupInReverseDependencyOrder_AndMovesIt()
    {
        using var t = new TestCluster(output, (c, dir) =>
        {
            var events = Path.Combine(dir, "events.txt");
            var group = c.Groups[0];
            var app = group.FindResource("app")!;
            app.Parameters["start"] = $"echo \"$EXPRESSHA_NODE start app\" >> '{events}'; {app.Parameters["start"]}";
            app.Parameters["stop"] = $"echo \"$EXPRESSHA_NODE stop app\" >> '{events}'; {app.Parameters["stop"]}";
            app.DependsOn.Add("db");
            // Listed out of order on purpose: the order comes from dependsOn (db <- app <- cache).
            group.Resources.Insert(0, TestCluster.MarkerResource(dir, "cache", "app"));
            group.Resources.Add(TestCluster.MarkerResource(dir, "db"));
        });
        await t.Run(async () =>
        {
            await t.StartAll();
            Assert.Equal("server1", await t.WaitForStartAsync());
            Assert.Equal(new[] { "server1 start db", "server1 start app", "server1 start cache" }, t.ReadLines("events.txt"));

            var stopped = t.C.Stop("server1", TimeSpan.FromSeconds(20));
            Assert.True(stopped, "server1 did not exit within 20 s of SIGTERM");
            Assert.Equal(0, t.C.ExitCode("server1"));
            t.Log("server1 exited after SIGTERM");
            Assert.Equal(new[] { "server1 start db", "server1 start app", "server1 start cache", "server1 stop cache", "server1 stop app", "server1 stop db" },
                t.ReadLines("events.txt").Take(6));
            var alerts = t.Alerts("server1");
            Assert.Contains(alerts, a => a.Module == "pm" && a.EventId == 2);
            Assert.Contains(alerts, a => a.Module == "pm" && a.EventId == 4);
            Assert.Null(await t.AppAnswer("server1"));

            // server2 heard server1 release the group (stopped to move) and starts it.
            await t.WaitFor("server2", s => TestCluster.Group(s) is { State: "online", Owner: "server2" }, TimeSpan.FromSeconds(15), "server2 runs the group");
            Assert.Equal(new[] { "server2 start db", "server2 start app", "server2 start cache" }, t.ReadLines("events.txt").Skip(6));
            Assert.Equal("server2", await t.AppAnswer("server2"));
            Assert.Contains(t.Alerts("server2"), a => a.Module == "rc" && a.EventId == 201);
        });
    }
}
