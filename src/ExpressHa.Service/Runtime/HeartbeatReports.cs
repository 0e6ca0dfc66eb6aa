using System.Security.Cryptography;
using ExpressHa.Service.Heartbeat;

namespace ExpressHa.Service.Runtime;

/// <summary>This node's heartbeat report: what it runs (LocalState), its service state, whom it heard, whom it counts
/// as down. <see cref="Next"/> numbers each report sent; <see cref="Self"/> is the same picture for this node's own
/// view of the cluster.</summary>
public sealed class HeartbeatReports(ConfigStore config, string self, LocalState local, ServiceLifecycle life, MembershipState members,
    PeerProofs proofs, NodeClock clock, Dictionary<string, long> journalGenerations)
{
    long _seq;

    /// <summary>This run of the service, random: a peer that sees it change knows the service restarted.</summary>
    public long Incarnation { get; } = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8)) & long.MaxValue;

    /// <summary>The management API's certificate fingerprint, once it listens (peers pin it).</summary>
    public string? ApiFingerprint { get; set; }

    /// <summary>The armed watchdog's timeout: survivors of this node's loss may wait on it.</summary>
    public int? WatchdogMs { get; set; }

    /// <summary>With a watchdog: how old a peer's proof may be before this node stops feeding (<see cref="Watchdog.ProofLease"/>).</summary>
    public Func<int?> ProofLeaseMs { get; set; } = () => null;

    /// <summary>The incarnation whose groups this one adopted at start; null when none.</summary>
    public long? ResumedFrom { get; set; }

    /// <summary>The next report to send (a new sequence number, remembered for the peers' echoes).</summary>
    public HeartbeatReport Next()
    {
        var (groups, monitors) = local.Snapshot();
        var seq = Interlocked.Increment(ref _seq);
        proofs.Sent(seq, clock.NowMs);
        var c = config.Current;
        return new HeartbeatReport
        {
            Cluster = c.Cluster.Name,
            Node = self,
            Incarnation = Incarnation,
            Seq = seq,
            Heard = members.HeardEchoes(),
            WatchdogMs = WatchdogMs,
            ProofLeaseMs = ProofLeaseMs(),
            ResumedFrom = ResumedFrom,
            SentAtMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            ConfigGeneration = config.Generation,
            ServiceState = life.State.Wire(),
            ApiFingerprint = ApiFingerprint,
            ClusterStarted = life.ClusterStarted,
            Groups = groups,
            Monitors = monitors,
            ConfirmedDown = members.ConfirmedDown(),
            JournalGenerations = journalGenerations,
        };
    }

    /// <summary>This node's own record for its view of the cluster (not sent, no sequence number).</summary>
    public HeartbeatReport Self()
    {
        var (groups, monitors) = local.Snapshot();
        return new HeartbeatReport
        {
            Cluster = config.Current.Cluster.Name, Node = self, Incarnation = Incarnation, ServiceState = life.State.Wire(), Groups = groups,
            Monitors = monitors, ClusterStarted = life.ClusterStarted, JournalGenerations = journalGenerations,
        };
    }
}
