using System.Diagnostics;
using ExpressHa.Config;
using ExpressHa.Service.Runtime;
using Xunit.Abstractions;

namespace ExpressHa.Service.Tests.Integration;

/// <summary>Two expresshad processes on loopback: the group starts on the first server, moves, fails over after a
/// SIGKILL, and the crashed node comes back as a standby (failback manual) or takes the group back (failback auto).</summary>
[Trait("Category", TestCategory.Process)]
[Collection(IntegrationCollection.Name)]
public sealed class LifecycleTests(ITestOutputHelper output)
{
    static readonly TimeSpan Long = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Start_GroupOnlineOnFirstServer_EveryNodeReportsTheSameOwner()
    {
        using var t = new TestCluster(output);
        await t.Run(async () =>
        {
            var sw = Stopwatch.StartNew();
            await t.StartAll();
            var owner = await t.WaitForStartAsync();
            t.Log($"cluster up and group online in {sw.ElapsedMilliseconds} ms");
            Assert.Equal("server1", owner);
            foreach (var node in t.NodeNames)
            {
                var s = await t.StatusAsync(node);
                Assert.Equal(node, s.ReportingNode);
                Assert.Equal("server1", s.Coordinator);
                Assert.Equal(1, s.ConfigGeneration);
                Assert.All(s.Nodes, n => Assert.Equal("online", n.State));
                var g = TestCluster.Group(s);
                Assert.Equal(("online", "server1"), (g.State, g.Owner));
                Assert.Equal("online", Assert.Single(g.Resources).State);
            }
            Assert.Equal("server1", await t.AppAnswer("server1"));
            Assert.Null(await t.AppAnswer("server2"));
        });
    }

    [Fact]
    public async Task Move_ToServer2_OnlineThere_AppAnswersThere_AndStoppedOnServer1()
    {
        using var t = new TestCluster(output);
        await t.Run(async () =>
        {
            await t.StartAll();
            Assert.Equal("server1", await t.WaitForStartAsync());
            var before = TestCluster.Group(await t.StatusAsync("server1")).Generation;

            // Sent to server2, which is not the coordinator: it forwards the request to server1.
            var sw = Stopwatch.StartNew();
            using (var c = t.Client("server2"))
            {
                var r = await c.MoveGroupAsync("web", "server2");
                Assert.True(r.Ok, r.Message);
            }
            await t.WaitForAll(s => TestCluster.Group(s) is { State: "online", Owner: "server2" }, Long, "group web online on server2");
            t.Log($"switchover: online on server2 {sw.ElapsedMilliseconds} ms after the move request");

            Assert.Equal("server2", await t.AppAnswer("server2"));
            Assert.Null(await t.AppAnswer("server1"));
            Assert.False(File.Exists(Path.Combine(t.C.StateDir("server1"), "app.pid")), "server1's app pid file is still there after the move");
            var after = TestCluster.Group(await t.StatusAsync("server1")).Generation;
            Assert.True(after > before, $"the group generation did not grow with the move ({before} -> {after})");
            Assert.Contains(t.Alerts("server1"), a => a.Module == "rc" && a.EventId == 41 && a.Message.Contains("Deactivating app"));
            Assert.Contains(t.Alerts("server2"), a => a.Module == "rc" && a.EventId == 31 && a.Message.Contains("Activating app"));

            // A move to a node that does not exist is refused with a reason, and nothing changes.
            using (var c = t.Client("server1"))
            {
                var refused = await Assert.ThrowsAsync<ExpressHa.Client.HaApiException>(() => c.MoveGroupAsync("web", "nowhere"));
                Assert.Contains("nowhere", refused.Message);
            }
            var g = TestCluster.Group(await t.StatusAsync("server1"));
            Assert.Equal(("online", "server2", after), (g.State, g.Owner, g.Generation));
        });
    }

    [Fact]
    public async Task CrashOfTheOwner_FailsOverToTheSurvivor_WithinTimeoutPlusBound()
    {
        using var t = new TestCluster(output);
        await t.Run(async () =>
        {
            await t.StartAll();
            Assert.Equal("server1", await t.WaitForStartAsync());

            var crashAt = DateTimeOffset.UtcNow;
            var sw = Stopwatch.StartNew();
            t.C.Crash("server1");
            var after = await t.WaitFor("server2", s => TestCluster.Group(s) is { State: "online", Owner: "server2" }, Long, "group web online on server2 after the crash");
            var failoverMs = sw.ElapsedMilliseconds;
            t.Log($"failover: {failoverMs} ms after SIGKILL (heartbeat timeout {TestCluster.TimeoutMs} ms, overhead {failoverMs - TestCluster.TimeoutMs} ms)");

            Assert.Equal("lost", after.Nodes.First(n => n.Name == "server1").State);
            Assert.Equal("server2", after.Coordinator);
            Assert.Equal("server2", await t.AppAnswer("server2"));
            Assert.Null(await t.AppAnswer("server1"));
            var alerts = t.Alerts("server2").Where(a => DateTimeOffset.Parse(a.Time) >= crashAt.AddMilliseconds(-5)).ToList();
            t.Log("server2's alerts since the crash:\n" + TestCluster.Lines(alerts));
            Assert.Contains(alerts, a => a.Module == "nm" && a.EventId == 2 && a.Message.Contains("server1"));
            Assert.Contains(alerts, a => a.Module == "rc" && a.EventId == 31);
            // Detection cannot beat the timeout; everything after it (planning, starting the app) has a 2 s budget here.
            Assert.InRange(failoverMs, TestCluster.TimeoutMs - 50, TestCluster.TimeoutMs + 2000);
        });
    }

    [Fact]
    public async Task CrashedNodeRestarted_RejoinsAsStandby_GroupStaysWithFailbackManual()
    {
        using var t = new TestCluster(output);
        await t.Run(async () =>
        {
            await t.StartAll();
            Assert.Equal("server1", await t.WaitForStartAsync());
            t.C.Crash("server1");
            await t.WaitFor("server2", s => TestCluster.Group(s) is { State: "online", Owner: "server2" }, Long, "failover to server2");
            var generation = TestCluster.Group(await t.StatusAsync("server2")).Generation;

            t.C.Start("server1");
            t.Log("server1 restarted");
            await t.WaitForAll(s => s.Nodes.All(n => n.State == "online") && TestCluster.Group(s) is { State: "online", Owner: "server2" },
                Long, "server1 back online with group web still on server2");
            // Give a failback that should not happen time to happen.
            await Task.Delay(3 * TestCluster.TimeoutMs);
            foreach (var node in t.NodeNames)
            {
                var s = await t.StatusAsync(node);
                Assert.Equal(("online", "server2", generation), (TestCluster.Group(s).State, TestCluster.Group(s).Owner, TestCluster.Group(s).Generation));
                Assert.Equal("online", s.Nodes.First(n => n.Name == "server1").State);
            }
            Assert.Equal("server2", await t.AppAnswer("server2"));
            Assert.Null(await t.AppAnswer("server1"));
        });
    }

    [Fact]
    public async Task CrashedNodeRestarted_TakesTheGroupBack_WithFailbackAuto()
    {
        using var t = new TestCluster(output, (c, _) => c.Groups[0].Failback = GroupPolicies.Auto);
        await t.Run(async () =>
        {
            await t.StartAll();
            Assert.Equal("server1", await t.WaitForStartAsync());
            t.C.Crash("server1");
            await t.WaitFor("server2", s => TestCluster.Group(s) is { State: "online", Owner: "server2" }, Long, "failover to server2");

            var sw = Stopwatch.StartNew();
            t.C.Start("server1");
            await t.WaitForAll(s => s.Nodes.All(n => n.State == "online") && TestCluster.Group(s) is { State: "online", Owner: "server1" },
                Long, "group web back on server1 (failback auto)");
            t.Log($"failback: group online on server1 {sw.ElapsedMilliseconds} ms after its restart");
            Assert.Equal("server1", await t.AppAnswer("server1"));
            Assert.Null(await t.AppAnswer("server2"));
        });
    }

    [Fact]
    public async Task Restart_of_every_node_the_next_ownership_takes_a_higher_generation()
    {
        using var t = new TestCluster(output);
        await t.Run(async () =>
        {
            await t.StartAll();
            Assert.Equal("server1", await t.WaitForStartAsync());
            using (var c = t.Client("server1"))
                Assert.True((await c.MoveGroupAsync("web", "server2")).Ok);
            await t.WaitForAll(s => TestCluster.Group(s) is { State: "online", Owner: "server2" }, Long, "group web online on server2");
            var before = TestCluster.Group(await t.StatusAsync("server1")).Generation;

            using (var c = t.Client("server1"))
                Assert.True((await c.StopClusterAsync()).Ok);
            await t.WaitForAll(s => TestCluster.Group(s).State == "offline", Long, "group web offline everywhere");
            foreach (var n in t.NodeNames) Assert.True(t.C.Stop(n, TimeSpan.FromSeconds(20)), $"{n} did not stop");
            var journaled = t.NodeNames.SelectMany(n => OwnershipJournal.Read(t.C.StateDir(n))).Where(r => r.Group == "web").Max(r => r.Generation);
            Assert.True(journaled >= before, $"the journals hold generation {journaled}, the cluster reported {before}");

            await t.StartAll();
            var owner = await t.WaitForStartAsync();
            var after = TestCluster.Group(await t.StatusAsync(owner)).Generation;
            Assert.True(after > before, $"after a restart of every node the group started under generation {after}, not above {before}");
        });
    }
}
