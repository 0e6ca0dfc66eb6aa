using ExpressHa.Service.Watchdog;

namespace ExpressHa.Service.Tests.Watchdog;

/// <summary>Table of <see cref="ProofLease.Ms(int,int,int,int,bool)"/>: how old a proof may be before a node stops feeding.</summary>
public class ProofLeaseTests
{
    public static TheoryData<string, int, int, int, int, bool, int> Cases => new()
    {
        // name, interval, timeout, watchdog, resolution (pause + slowest check), witness vouches → lease
        { "fast, witness heartbeat path: the echo rhythm", 200, 1000, 1000, 280, true, 300 },
        { "witness path, 1 s interval: one and a half intervals", 1000, 3000, 2000, 1500, true, 1500 },
        { "witness path, lease never above the timeout", 1000, 1200, 2000, 1500, true, 1200 },
        { "ping, 1 s watchdog: the survivor's resolution needs the whole timeout", 1000, 3000, 1000, 500, false, 3000 },
        // 200 + 1500 + 1200 + 100 (feeder period) + 250 - 2000 = 1050
        { "ping, chaos-like 200/1500, 2 s watchdog", 200, 1500, 2000, 1000, false, 1050 },
        // 200 + 1000 + 80 + 100 + 250 - 5000 < floor
        { "ping, long watchdog: the floor", 200, 1000, 5000, 80, false, 300 },
        { "small interval: at least 100 ms above it", 50, 500, 1000, 100, true, 150 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decides(string name, int interval, int timeout, int watchdog, int resolution, bool vouches, int lease)
    {
        var got = ProofLease.Ms(interval, timeout, watchdog, resolution, vouches);
        Assert.True(got == lease, $"{name}: expected {lease} ms, got {got}");
        // Whatever the inputs, a lease neither exceeds the timeout nor undercuts one interval's echo rhythm.
        Assert.InRange(got, Math.Min(timeout, interval + 100), timeout);
    }

    [Fact]
    public void From_the_config_the_witness_pause_and_the_slowest_check_count()
    {
        var c = new ExpressHa.Config.ClusterConfig();
        c.Cluster.Heartbeat.IntervalMs = 200;
        c.Cluster.Heartbeat.TimeoutMs = 1500;
        c.Cluster.PartitionResolution.Ping = new ExpressHa.Config.PingResolution { Targets = { "198.18.0.1" }, TimeoutMs = 1000 };
        Assert.Equal(1050, ProofLease.Ms(c, 2000));
        c.Cluster.PartitionResolution.Ping = null;
        c.Cluster.PartitionResolution.Http = new ExpressHa.Config.HttpResolution { Url = "http://198.18.0.2:1", TimeoutMs = 80, Heartbeat = false };
        // 200 + 1500 + (200 + 80) + 100 + 250 - 1000 = 1330
        Assert.Equal(1330, ProofLease.Ms(c, 1000));
        c.Cluster.PartitionResolution.Http.Heartbeat = true;
        Assert.Equal(300, ProofLease.Ms(c, 1000));
    }
}
