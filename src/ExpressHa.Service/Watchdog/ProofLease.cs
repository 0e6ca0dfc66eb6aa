using ExpressHa.Config;

namespace ExpressHa.Service.Watchdog;

/// <summary>How old a node's newest proof that a peer still counts it alive may be before it stops feeding its
/// watchdog (<see cref="FeedRule"/>): the "lease" a survivor's wait rests on (<see cref="Partition.LostNodeWait"/>:
/// last sign of life + lease + watchdog). A pure function of the settings, so both sides compute it alike; the node
/// also reports its lease in its heartbeats.
/// <para>Shorter is a faster failover, but a node that runs a group must stay fed while it wins partition resolution
/// against a crashed peer. Its proofs from that peer stop with the crash and can be one interval older than its last
/// heartbeat from it, so without other proofs the lease must cover: that interval + the heartbeat timeout + the
/// resolution (the witness's pause of one interval, the slowest check) + a feeder period + a margin − the watchdog's
/// own countdown. A witness that is also a heartbeat path keeps vouching for the survivor from the crashed node's last
/// post, so there the lease only has to cover the echo rhythm: one interval plus half an interval (at least 100 ms).
/// Never longer than the heartbeat timeout (the bound before leases were shortened).</para></summary>
public static class ProofLease
{
    public const int MarginMs = 250;

    public static int Ms(ClusterConfig config, int watchdogMs)
    {
        ArgumentNullException.ThrowIfNull(config);
        var hb = config.Cluster.Heartbeat;
        var pr = config.Cluster.PartitionResolution;
        var checks = Math.Max(pr.Ping?.TimeoutMs ?? 0, Math.Max(pr.Tcp?.TimeoutMs ?? 0, pr.Http?.TimeoutMs ?? 0));
        var resolution = (pr.Http != null ? hb.IntervalMs : 0) + checks;
        return Ms(hb.IntervalMs, hb.TimeoutMs, watchdogMs, resolution, witnessVouches: pr.Http is { Heartbeat: true });
    }

    public static int Ms(int intervalMs, int timeoutMs, int watchdogMs, int resolutionMs, bool witnessVouches)
    {
        var floor = intervalMs + Math.Max(100, intervalMs / 2);
        var needed = witnessVouches
            ? floor
            : (long)intervalMs + timeoutMs + resolutionMs + FeedRule.PeriodMs(intervalMs, watchdogMs) + MarginMs - watchdogMs;
        return (int)Math.Min(timeoutMs, Math.Max(floor, needed));
    }
}
