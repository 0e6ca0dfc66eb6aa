using System.Diagnostics;
using Xunit.Abstractions;

namespace ExpressHa.Service.Tests.Integration;

/// <summary>A service that starts probes every resource it may run before it joins (the exec resource's <c>probe</c>
/// command): an application a crashed run left behind is stopped even when no journal names it (here the state
/// directory's journal is gone, as after a reinstall).</summary>
[Trait("Category", TestCategory.Process)]
[Collection(IntegrationCollection.Name)]
public sealed class ProbeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ARestartedServiceWithoutAJournal_FindsTheLeftApplicationByItsProbe_AndStopsItBeforeJoining()
    {
        using var t = new TestCluster(output, (c, dir) =>
        {
            var app = c.Groups[0].FindResource("app")!;
            app.Parameters["probe"] = "[ -s \"$EXPRESSHA_STATE_DIR/app.pid\" ] && kill -0 \"$(cat \"$EXPRESSHA_STATE_DIR/app.pid\")\" 2>/dev/null";
        });
        await t.Run(async () =>
        {
            await t.StartAll();
            Assert.Equal("server1", await t.WaitForStartAsync());
            var pidFile = Path.Combine(t.C.StateDir("server1"), "app.pid");
            var appPid = int.Parse(File.ReadAllText(pidFile).Trim());

            // The service dies, its application runs on; the journal that would name it is lost.
            var service = t.C.ProcessOf("server1")!;
            service.Kill();
            service.WaitForExit(10_000);
            File.Delete(Path.Combine(t.C.StateDir("server1"), ExpressHa.Service.Runtime.OwnershipJournal.FileName));
            Assert.True(Alive(appPid), "the application should outlive its crashed service");

            var restartedAt = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ");
            t.C.Start("server1");
            await Eventually.UntilAsync(() => t.Alerts("server1").Any(a => a.Module == "pm" && a.EventId == 8), TimeSpan.FromSeconds(30),
                "server1's probe alert after the restart", () => TestCluster.Lines(t.Alerts("server1")), pollMs: 50);
            var alerts = t.Alerts("server1");
            Assert.True(alerts.Any(a => a.Module == "pm" && a.EventId == 8 && a.Message.Contains("app of group web already active")),
                "the restarted service did not report the probed leftover:\n" + TestCluster.Lines(alerts));
            await Eventually.UntilAsync(() => !Alive(appPid), TimeSpan.FromSeconds(30), $"the leftover application (pid {appPid}) to be stopped after the restart",
                () => TestCluster.Lines(t.Alerts("server1")), pollMs: 50);
            // The application is gone once the stop command killed it; the completion alert follows when that command returns.
            ExpressHa.Api.AlertEntry? Stopped() => t.Alerts("server1").FirstOrDefault(a => a.Module == "rc" && a.EventId == 41 && string.CompareOrdinal(a.Time, restartedAt) >= 0);
            await Eventually.UntilAsync(() => Stopped() is not null, TimeSpan.FromSeconds(30), "server1's deactivation after its restart",
                () => TestCluster.Lines(t.AllAlerts()), pollMs: 50);
            var stopped = Stopped();
            var joined = t.Alerts("server2").Where(a => a.Module == "nm" && a.EventId == 1 && a.Message.Contains("server1") && string.CompareOrdinal(a.Time, restartedAt) >= 0)
                .Select(a => a.Time).DefaultIfEmpty("").Min(StringComparer.Ordinal);
            Assert.True(stopped != null, "no deactivation on server1 after its restart:\n" + TestCluster.Lines(t.AllAlerts()));
            Assert.True(string.CompareOrdinal(stopped!.Time, joined) <= 0 || joined == "",
                $"server1 joined ({joined}) before it stopped the leftover ({stopped.Time}):\n" + TestCluster.Lines(t.AllAlerts()));
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
