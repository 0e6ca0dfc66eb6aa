using ExpressHa.Schema;
using Xunit.Abstractions;

namespace ExpressHa.Service.Tests.Integration;

/// <summary>A monitor created with its type's default timing on a real node: a process monitor bound to the exec resource
/// that writes the pid file checks only once the group is online there, so it never reports the pid file the application
/// has not written yet (with timing always it checked at service start and raised an error).</summary>
[Trait("Category", TestCategory.Process)]
[Collection(IntegrationCollection.Name)]
public sealed class MonitorTimingTests(ITestOutputHelper output)
{
    static readonly TimeSpan Long = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task ProcessMonitorWithTheDefaultTiming_ChecksOnlyOnceTheGroupIsOnline()
    {
        using var t = new TestCluster(output, (c, dir) =>
        {
            TestCluster.RecordAppStarts(c, dir);
            var m = SchemaRegistry.NewMonitor("appw", "process", "app");
            m.IntervalSeconds = 1;
            m.TimeoutSeconds = 5;
            m.Parameters["pidFile"] = Path.Combine(dir, "server1", "app.pid");
            c.Monitors.Add(m);
        }, nodes: 1);
        Assert.Equal("active", t.C.BuildConfig().FindMonitor("appw")!.Timing);
        await t.Run(async () =>
        {
            await t.StartAll();
            Assert.Equal("server1", await t.WaitForStartAsync());
            await t.WaitFor("server1", s => s.Monitors.Single().State == "normal", Long, "monitor appw normal");
            await Task.Delay(2500);

            var alerts = t.Alerts("server1");
            t.Log("server1's alerts:\n" + TestCluster.Lines(alerts));
            Assert.DoesNotContain(alerts, a => a.Message.Contains("monitoring appw"));
            Assert.Equal(new[] { "server1 start app" }, t.ReadLines("events.txt"));
            Assert.Equal("normal", (await t.StatusAsync("server1")).Monitors.Single().State);
        });
    }
}
