using System.Diagnostics;
using Xunit.Abstractions;

namespace ExpressHa.Service.Tests.Integration;

/// <summary>A service killed and restarted within the heartbeat timeout, its application still running: the group
/// resumes on that node untouched (same process, same generation, no stop, no restart seen by the peer). When the
/// peer took the group over first, the restarted service stops what it left instead.</summary>
[Trait("Category", TestCategory.Process)]
[Collection(IntegrationCollection.Name)]
public sealed class AdoptionTests(ITestOutputHelper output)
{
    /// <summary>Long enough for a killed expresshad to come back before the peer counts it lost, even on a busy machine.</summary>
    const int TimeoutMs = 6000;

    static TestCluster Cluster(ITestOutputHelper output) => new(output, (c, _) =>
    {
        c.Cluster.Heartbeat.TimeoutMs = TimeoutMs;
        c.Groups[0].FindResource("app")!.Parameters["probe"] =
            "[ -s \"$EXPRESSHA_STATE_DIR/app.pid\" ] && kill -0 \"$(cat \"$EXPRESSHA_STATE_DIR/app.pid\")\" 2>/dev/null";
    });

    [Fact]
    public async Task AQuickRestartWhileThePeerStillCountsItOwner_ResumesTheGroupWithoutStopOrStart()
    {
        using var t = Cluster(output);
        await t.Run(async () =>
        {
            await t.StartAll();
            Assert.Equal("server1", await t.WaitForStartAsync());
            var generation = TestCluster.Group(await t.StatusAsync("server2")).Generation;
            var pidFile = Path.Combine(t.C.StateDir("server1"), "app.pid");
            var appPid = int.Parse(File.ReadAllText(pidFile).Trim());

            var service = t.C.ProcessOf("server1")!;
            service.Kill(); // SIGKILL: the application runs on
            service.WaitForExit(10_000);
            var restartedAt = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ");
            var sw = Stopwatch.StartNew();
            t.C.Start("server1");

            await Eventually.UntilAsync(() => t.Alerts("server1").Any(a => a.Module == "pm" && a.EventId == 15 && string.CompareOrdinal(a.Time, restartedAt) >= 0),
                TimeSpan.FromSeconds(30), "server1's adoption alert after the restart", () => TestCluster.Lines(t.AllAlerts()), pollMs: 50);
            t.Log($"restart to adoption: {sw.ElapsedMilliseconds} ms");
            Assert.True(t.Alerts("server1").Any(a => a.Module == "pm" && a.EventId == 15 && a.Message.Contains("group web")),
                "the restarted service did not adopt the group:\n" + TestCluster.Lines(t.AllAlerts()));

            foreach (var node in new[] { "server1", "server2" })
                await t.WaitFor(node, s => s.Nodes.All(n => n.State == "online") && TestCluster.Group(s) is { State: "online", Owner: "server1" },
                    TimeSpan.FromSeconds(15), $"group web online on server1 as {node} sees it");
            // Hold on past the peer's heartbeat timeout: the group must stay where it is.
            await Task.Delay(TimeoutMs + 1000);
            var status = await t.StatusAsync("server2");
            Assert.True(TestCluster.Group(status) is { State: "online", Owner: "server1" }, "after the timeout: " + TestCluster.Summary(status));
            Assert.Equal(generation, TestCluster.Group(status).Generation);
            Assert.Equal(appPid, int.Parse(File.ReadAllText(pidFile).Trim()));
            Assert.True(Alive(appPid), $"the application (pid {appPid}) was stopped");

            var after = t.AllAlerts().Where(a => string.CompareOrdinal(a.Time, restartedAt) >= 0).ToList();
            Assert.DoesNotContain(after, a => a.Module == "rc"); // no activation or deactivation anywhere
            Assert.DoesNotContain(after, a => a.Module == "nm" && a.EventId == 5); // the peer saw no restart
            Assert.False(File.Exists(Path.Combine(t.C.StateDir("server2"), "app.pid")), "the application started on server2 too");
        });
    }

    [Fact]
    public async Task ARestartAfterThePeerTookTheGroupOver_StopsWhatItLeft()
    {
        using var t = Cluster(output);
        await t.Run(async () =>
        {
            await t.StartAll();
            Assert.Equal("server1", await t.WaitForStartAsync());
            var appPid = int.Parse(File.ReadAllText(Path.Combine(t.C.StateDir("server1"), "app.pid")).Trim());

            var service = t.C.ProcessOf("server1")!;
            service.Kill();
            service.WaitForExit(10_000);
            await t.WaitFor("server2", s => TestCluster.Group(s) is { State: "online", Owner: "server2" }, TimeSpan.FromSeconds(30), "server2 takes group web over");
            Assert.True(Alive(appPid), "the application should outlive its crashed service");

            var restartedAt = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ");
            t.C.Start("server1");
            await Eventually.UntilAsync(() => !Alive(appPid), TimeSpan.FromSeconds(30), $"the leftover application (pid {appPid}) to be stopped after the restart",
                () => TestCluster.Lines(t.Alerts("server1")), pollMs: 50);
            var since = t.Alerts("server1").Where(a => string.CompareOrdinal(a.Time, restartedAt) >= 0).ToList();
            Assert.DoesNotContain(since, a => a.Module == "pm" && a.EventId == 15);
            Assert.Contains(since, a => a.Module == "pm" && a.EventId == 6);
            await t.WaitFor("server1", s => s.Nodes.All(n => n.State == "online") && TestCluster.Group(s) is { State: "online", Owner: "server2" },
                TimeSpan.FromSeconds(20), "server1 back, group web still on server2");
        });
    }

    static bool Alive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].FirstOrDefault() != 'Z';
        }
        catch (IOException) { return false; }
    }
}
