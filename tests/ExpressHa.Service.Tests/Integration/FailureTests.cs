using ExpressHa.Config;
using Xunit.Abstractions;

namespace ExpressHa.Service.Tests.Integration;

/// <summary>Failures on real processes: a resource that does not start (retried, then failed over) and a custom monitor
/// that fails (restart threshold, then failover threshold); monitor and node suspension through the API.</summary>
[Trait("Category", TestCategory.Process)]
[Collection(IntegrationCollection.Name)]
public sealed class FailureTests(ITestOutputHelper output)
{
    static readonly TimeSpan Long = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task ResourceThatFailsToStartOnServer1_IsRetriedOnce_ThenFailsOverToServer2()
    {
        using var t = new TestCluster(output, (c, dir) =>
        {
            var app = c.Groups[0].FindResource("app")!;
            app.OnActivationFailure = new ActivationPolicy { Retries = 1, Failovers = 1, FinalAction = FinalActions.None };
            TestCluster.RecordAppStarts(c, dir, "if [ \"$EXPRESSHA_NODE\" = server1 ]; then echo 'refusing to start on server1'; exit 1; fi; ");
            // Started by the operator once both nodes are up, so server2 is there to fail over to.
            c.Groups[0].Startup = GroupPolicies.Manual;
        });
        await t.Run(async () =>
        {
            await t.StartAll();
            await t.WaitForAll(s => s.Nodes.All(n => n.State == "online"), Long, "both nodes online");
            using (var c = t.Client("server2"))
            {
                var r = await c.StartGroupAsync("web");
                Assert.True(r.Ok, r.Message);
            }
            var owner = await t.WaitForStartAsync();
            Assert.Equal("server2", owner);
            Assert.Equal(new[] { "server1 start app", "server1 start app", "server2 start app" }, t.ReadLines("events.txt"));

            var server1 = t.Alerts("server1");
            t.Log("server1's alerts:\n" + TestCluster.Lines(server1));
            var failed = server1.Where(a => a.Module == "rc" && a.EventId == 32).ToList();
            Assert.Equal(2, failed.Count);
            Assert.All(failed, a => Assert.Contains("Activating app resource has failed", a.Message));
            Assert.Contains(t.Alerts("server2"), a => a.Module == "rc" && a.EventId == 201 && a.Message.Contains("moved from server1 to server2"));
            Assert.Equal("server2", await t.AppAnswer("server2"));
            Assert.Null(await t.AppAnswer("server1"));
            Assert.Contains("refusing to start on server1", t.NodeLog("server1"));
        });
    }

    [Fact]
    public async Task MonitorFailure_RestartsOnTheOwnerOnce_ThenFailsOver()
    {
        using var t = new TestCluster(output, (c, dir) =>
        {
            TestCluster.RecordAppStarts(c, dir);
            c.Monitors.Add(TestCluster.MarkerMonitor(dir, restarts: 1, failovers: 1));
        });
        await t.Run(async () =>
        {
            await t.StartAll();
            Assert.Equal("server1", await t.WaitForStartAsync());
            await t.WaitFor("server1", s => s.Monitors.Single().State == "normal", Long, "monitor appwatch normal");

            File.WriteAllText(t.FailMarker("server1"), "");
            t.Log("marker fail-server1 created");
            await t.WaitForAll(s => TestCluster.Group(s) is { State: "online", Owner: "server2" }, Long, "group web failed over to server2 after the monitor's restart threshold");
            t.Log("group online on server2");

            var events = t.ReadLines("events.txt");
            Assert.Equal(new[] { "server1 start app", "server1 start app", "server2 start app" }, events);
            var server1 = t.Alerts("server1");
            t.Log("server1's alerts:\n" + TestCluster.Lines(server1));
            Assert.Equal(2, server1.Count(a => a.Module == "rm" && a.EventId == 9 && a.Message.Contains("appwatch")));
            Assert.Contains(t.Alerts("server2"), a => a.Module == "rc" && a.EventId == 201 && a.Message.Contains("moved from server1 to server2"));
            Assert.Equal("server2", await t.AppAnswer("server2"));

            // On server2 (no marker) the monitor is healthy and the group stays.
            await t.WaitFor("server2", s => s.Monitors.Single() is { State: "normal", Node: "server2" }, Long, "monitor appwatch normal on server2");
            await Task.Delay(2500);
            Assert.Equal(("online", "server2"), (TestCluster.Group(await t.StatusAsync("server2")).State, TestCluster.Group(await t.StatusAsync("server2")).Owner));
            Assert.Equal(3, t.ReadLines("events.txt").Count);
        });
    }

    [Fact]
    public async Task SuspendedMonitor_IgnoresTheFailure_ResumedMonitorActsOnIt()
    {
        using var t = new TestCluster(output, (c, dir) =>
        {
            TestCluster.RecordAppStarts(c, dir);
            c.Monitors.Add(TestCluster.MarkerMonitor(dir, restarts: 1, failovers: 0));
        });
        await t.Run(async () =>
        {
            await t.StartAll();
            Assert.Equal("server1", await t.WaitForStartAsync());
            await t.WaitFor("server1", s => s.Monitors.Single().State == "normal", Long, "monitor appwatch normal");

            using (var c = t.Client("server2"))
            {
                var r = await c.SuspendMonitorAsync("appwatch");
                Assert.True(r.Ok, r.Message);
            }
            await t.WaitForAll(s => s.Monitors.Single().State == "suspended", TimeSpan.FromSeconds(5), "monitor appwatch suspended in every node's view");

            File.WriteAllText(t.FailMarker("server1"), "");
            await Task.Delay(3000); // three monitor intervals
            Assert.DoesNotContain(t.Alerts("server1"), a => a.Module == "rm" && a.EventId == 9);
            Assert.Equal(new[] { "server1 start app" }, t.ReadLines("events.txt"));
            Assert.Equal("suspended", (await t.StatusAsync("server1")).Monitors.Single().State);

            using (var c = t.Client("server1"))
            {
                var r = await c.ResumeMonitorAsync("appwatch");
                Assert.True(r.Ok, r.Message);
            }
            await Eventually.UntilAsync(() => t.ReadLines("events.txt").Count >= 2, TimeSpan.FromSeconds(10), "two events",
                () => string.Join(" | ", t.ReadLines("events.txt")), pollMs: 50);
            Assert.Equal(new[] { "server1 start app", "server1 start app" }, t.ReadLines("events.txt"));
            Assert.Contains(t.Alerts("server1"), a => a.Module == "rm" && a.EventId == 9 && a.Message.Contains("appwatch"));
        });
    }

    [Fact]
    public async Task SuspendedNode_StopsItsMonitors_ShowsSuspended_KeepsItsGroup_AndResumes()
    {
        using var t = new TestCluster(output, (c, dir) =>
        {
            TestCluster.RecordAppStarts(c, dir);
            c.Monitors.Add(TestCluster.MarkerMonitor(dir, restarts: 1, failovers: 0));
        });
        await t.Run(async () =>
        {
            await t.StartAll();
            Assert.Equal("server1", await t.WaitForStartAsync());
            await t.WaitFor("server1", s => s.Monitors.Single().State == "normal", Long, "monitor appwatch normal");

            using (var c = t.Client("server2"))
            {
                var r = await c.SuspendNodeAsync("server1");
                Assert.True(r.Ok, r.Message);
            }
            await t.WaitForAll(s => s.Nodes.First(n => n.Name == "server1").State == "suspended", TimeSpan.FromSeconds(5), "server1 suspended in every node's view");
            var s1 = await t.StatusAsync("server1");
            Assert.Equal("suspended", s1.ServiceState);
            Assert.Equal(("online", "server1"), (TestCluster.Group(s1).State, TestCluster.Group(s1).Owner));
            Assert.Equal("server1", await t.AppAnswer("server1"));

            File.WriteAllText(t.FailMarker("server1"), "");
            await Task.Delay(3000);
            Assert.DoesNotContain(t.Alerts("server1"), a => a.Module == "rm" && a.EventId == 9);
            Assert.Equal(new[] { "server1 start app" }, t.ReadLines("events.txt"));
            Assert.Contains(t.Alerts("server1"), a => a.Module == "pm" && a.EventId == 11);

            using (var c = t.Client("server1"))
            {
                var r = await c.ResumeNodeAsync("server1");
                Assert.True(r.Ok, r.Message);
            }
            await t.WaitForAll(s => s.Nodes.All(n => n.State == "online"), TimeSpan.FromSeconds(5), "server1 running again");
            await Eventually.UntilAsync(() => t.ReadLines("events.txt").Count >= 2, TimeSpan.FromSeconds(10), "two events",
                () => string.Join(" | ", t.ReadLines("events.txt")), pollMs: 50);
            Assert.Equal(new[] { "server1 start app", "server1 start app" }, t.ReadLines("events.txt"));
        });
    }

    [Fact]
    public async Task SuspendedCoordinator_HandsOverDecisions_AMoveThroughTheOtherNodeWorks()
    {
        using var t = new TestCluster(output);
        await t.Run(async () =>
        {
            await t.StartAll();
            Assert.Equal("server1", await t.WaitForStartAsync());
            using (var c = t.Client("server2"))
                Assert.True((await c.SuspendNodeAsync("server1")).Ok);
            await t.WaitForAll(s => s.Coordinator == "server2", TimeSpan.FromSeconds(5), "server2 coordinates while server1 is suspended");
            using (var c = t.Client("server2"))
            {
                var r = await c.MoveGroupAsync("web", "server2");
                Assert.True(r.Ok, r.Message);
            }
            await t.WaitForAll(s => TestCluster.Group(s) is { State: "online", Owner: "server2" }, TimeSpan.FromSeconds(20), "group web online on server2");
            Assert.Equal("server2", await t.AppAnswer("server2"));
        });
    }

    [Fact]
    public async Task StartFailingEverywhere_EndsInTheShutdownFinalAction_ThroughTheConfiguredCommand()
    {
        using var t = new TestCluster(output, (c, dir) =>
        {
            var app = c.Groups[0].FindResource("app")!;
            app.OnActivationFailure = new ActivationPolicy { Retries = 0, Failovers = 1, FinalAction = FinalActions.Shutdown };
            TestCluster.RecordAppStarts(c, dir, "echo 'broken everywhere'; exit 1; ");
            c.Groups[0].Startup = GroupPolicies.Manual;
            c.Cluster.ShutdownCommand = $"touch {dir}/shutdown-called";
        });
        await t.Run(async () =>
        {
            await t.StartAll();
            await t.WaitForAll(s => s.Nodes.All(n => n.State == "online"), Long, "both nodes online");
            using (var c = t.Client("server1"))
                Assert.True((await c.StartGroupAsync("web")).Ok);
            var marker = Path.Combine(t.Dir, "shutdown-called");
            await Eventually.UntilAsync(() => File.Exists(marker), TimeSpan.FromSeconds(20), "the shutdown command to run",
                () => string.Join(" | ", t.ReadLines("events.txt")), pollMs: 50);
            Assert.Equal(new[] { "server1 start app", "server2 start app" }, t.ReadLines("events.txt"));
            Assert.Contains(t.Alerts("server2"), a => a.Module == "rc" && a.EventId == 60 && a.Message.Contains("shutdown"));
            // After the final action the node's service stops itself; server1 still runs and the group is not online anywhere.
            await Eventually.UntilAsync(() => !t.C.IsRunning("server2"), TimeSpan.FromSeconds(15),
                "server2's service to stop itself after the shutdown final action", pollMs: 50);
            Assert.NotEqual("online", TestCluster.Group(await t.StatusAsync("server1")).State);
        });
    }
}
