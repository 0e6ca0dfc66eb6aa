namespace ExpressHa.Service.Watchdog;

/// <summary>How this node sees one peer, for <see cref="FeedRule"/>.</summary>
public enum PeerStanding
{
    /// <summary>Not heard since this service started: it never counted this node alive, so it cannot count it lost.</summary>
    NeverHeard,
    /// <summary>Heard within the heartbeat timeout.</summary>
    Online,
    /// <summary>Lost (every heartbeat path timed out).</summary>
    Lost,
}

/// <summary>One peer: its standing, whether its loss is settled here (confirmed down, or this node survived partition
/// resolution for it), and how long ago this node last had proof that the peer still counted it alive: the send time
/// of this node's newest heartbeat the peer echoed back, or of its newest witness post whose answer showed the peer
/// still seeing it.</summary>
public sealed record PeerFeedView(string Node, PeerStanding Standing, bool LossSettled, long? ProofAgeMs);

/// <summary>Why the watchdog is fed or not; <see cref="Feed"/> is all the feeder needs.</summary>
public sealed record FeedVerdict(bool Feed, string Reason);

public sealed record FeedInputs
{
    /// <summary>The service's own loops ran within the allowed stall (the coordinator tick noticed no stall).</summary>
    public required bool LoopsAlive { get; init; }
    /// <summary>This node lost partition resolution: it stops itself, and the watchdog bounds how long that may take.</summary>
    public required bool LostResolution { get; init; }
    /// <summary>Survivors wait on the watchdog bound (no fencing configured, partition resolution configured). With fencing
    /// the fence is the guarantee and the watchdog only catches a dead or stalled service.</summary>
    public required bool SurvivorsRelyOnWatchdog { get; init; }
    /// <summary>Something of a group may run on this node (its own report says so).</summary>
    public required bool RunsGroups { get; init; }
    public required int HeartbeatTimeoutMs { get; init; }
    /// <summary>The oldest proof an online peer may give (<see cref="ProofLease"/>); the heartbeat timeout when not set.</summary>
    public int? ProofLeaseMs { get; init; }
    public required IReadOnlyList<PeerFeedView> Peers { get; init; }
}

/// <summary>When a node feeds its watchdog: a pure function, so the bound a survivor waits on can be read off it.
/// <para>A survivor S that lost node L last heard L at time h. Every proof L holds that S still counts it alive was sent
/// by L before h (S heard that heartbeat, or saw that witness post, before it stopped hearing L), so L stops feeding
/// at the latest at h + its proof lease (<see cref="ProofLease"/>, at most the heartbeat timeout) and the machine is
/// reset by h + lease + the watchdog timeout. That is the bound <see cref="Partition.LostNodeWait"/> makes a survivor
/// without fencing wait.</para>
/// Not fed: the service's loops stalled; this node lost partition resolution; or, when survivors rely on the bound and
/// this node runs a group, some peer may be counting this node as lost: a lost peer whose loss is not settled here
/// yet, or an online peer whose last proof is older than the lease (it may hear this node no more, even though this
/// node still hears it).</summary>
public static class FeedRule
{
    public static FeedVerdict Decide(FeedInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (!inputs.LoopsAlive) return new FeedVerdict(false, "the service's loops stalled");
        if (inputs.LostResolution) return new FeedVerdict(false, "this node lost partition resolution and is stopping itself");
        if (!inputs.SurvivorsRelyOnWatchdog) return new FeedVerdict(true, "healthy (fencing, not the watchdog, guards the survivors)");
        // A node that runs nothing cannot be a second owner, and any group it starts later that a lost peer may run
        // waits for that peer to be confirmed down first (WaitForNodeDown): so a standby resolving a loss, even through
        // the witness's second look, is not reset for it.
        if (!inputs.RunsGroups) return new FeedVerdict(true, "healthy (runs no group)");
        var lease = inputs.ProofLeaseMs ?? inputs.HeartbeatTimeoutMs;
        foreach (var p in inputs.Peers)
        {
            switch (p.Standing)
            {
                case PeerStanding.Lost when !p.LossSettled:
                    return new FeedVerdict(false, $"{p.Node} is lost and partition resolution has not let this node survive it yet");
                case PeerStanding.Online when p.ProofAgeMs is not long age || age > lease:
                    return new FeedVerdict(false, p.ProofAgeMs is long a
                        ? $"{p.Node} has not shown for {a} ms (lease {lease} ms) that it still hears this node (one-way loss?)"
                        : $"{p.Node} has never shown that it hears this node");
            }
        }
        return new FeedVerdict(true, "healthy");
    }

    /// <summary>How often the feeder looks: often enough that a stop is noticed well within the countdown.</summary>
    public static int PeriodMs(int heartbeatIntervalMs, int watchdogTimeoutMs)
        => Math.Clamp(Math.Min(heartbeatIntervalMs / 2, watchdogTimeoutMs / 5), 10, 1000);
}
