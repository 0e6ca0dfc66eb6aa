namespace ExpressHa.Service.Partition;

/// <summary>What a survivor's wait for a lost node rests on.</summary>
public enum WaitBasis
{
    /// <summary>The lost node is fenced; nothing else is waited for.</summary>
    Fencing,
    /// <summary>The lost node's watchdog: it resets the machine within a bound that holds whatever the node's service does.</summary>
    Watchdog,
    /// <summary>The time a healthy lost node needs to lose partition resolution and stop itself: a stalled node, or one
    /// whose service died and left its resources running, is not bound by it.</summary>
    SelfStopEstimate,
    /// <summary>Neither fencing nor partition resolution: nothing to wait for (unsafe after a network split).</summary>
    Unprotected,
}

public sealed record LostNodeWaitInputs
{
    public required bool FencingEnabled { get; init; }
    public required bool ResolutionConfigured { get; init; }
    public required int HeartbeatIntervalMs { get; init; }
    public required int HeartbeatTimeoutMs { get; init; }
    /// <summary>The slowest configured partition resolution check.</summary>
    public required int ResolutionCheckMs { get; init; }
    /// <summary>The watchdog timeout the lost node reported armed in its last heartbeat; null when it had none.</summary>
    public int? LostNodeWatchdogMs { get; init; }
    /// <summary>The proof lease the lost node reported (<see cref="Watchdog.ProofLease"/>); null from a node that reports
    /// none, which stops feeding at the latest a heartbeat timeout after its last proof.</summary>
    public int? LostNodeProofLeaseMs { get; init; }
    /// <summary>Milliseconds since any heartbeat path last heard the lost node.</summary>
    public required long SinceLastHeardMs { get; init; }
    /// <summary>Milliseconds since the lost node last reached the witness, as the witness answered this node's partition
    /// resolution post; null without a witness. A more recent post than the heartbeats saw moves the bound later.</summary>
    public long? WitnessSilenceMs { get; init; }
}

/// <summary>How long from now to wait, on what, and the sentence the alert carries.</summary>
public sealed record LostNodeWaitPlan(WaitBasis Basis, long WaitMs, string Reason);

/// <summary>How long a survivor waits before a lost node counts as down: a pure function, table-tested.
/// <list type="bullet">
/// <item>Fencing configured: the fence decides, no wait here.</item>
/// <item>Neither fencing nor partition resolution: no wait (the validator warns about this setup; the watchdog is not
/// relied on either, as nothing tells a node it is on the losing side).</item>
/// <item>The lost node armed a watchdog: it stops feeding at the latest its proof lease after its last sign of life
/// (<see cref="Watchdog.FeedRule"/>, <see cref="Watchdog.ProofLease"/>; the heartbeat timeout when it reported no lease),
/// so it is reset by last sign of life + lease + watchdog timeout; a small margin
/// covers the feed's write after its verdict and the reset itself. The last sign of life is the later of the heartbeats
/// and the witness.</item>
/// <item>Partition resolution without a watchdog: the old estimate (timeout + interval + slowest check + 5 s), which a
/// stalled node or a dead service's leftovers can outlast; the reason says so.</item>
/// </list></summary>
public static class LostNodeWait
{
    public const int SelfStopMarginMs = 5000;
    /// <summary>Added to the watchdog bound: a feed's write lands a little after its verdict, and a reset takes a moment.</summary>
    public const int WatchdogMarginMs = 100;

    public static LostNodeWaitPlan Decide(LostNodeWaitInputs i)
    {
        ArgumentNullException.ThrowIfNull(i);
        if (i.FencingEnabled)
            return new LostNodeWaitPlan(WaitBasis.Fencing, 0, "it is fenced before its groups move");
        if (!i.ResolutionConfigured)
            return new LostNodeWaitPlan(WaitBasis.Unprotected, 0,
                "neither fencing nor partition resolution is configured (unsafe: a network split makes both sides active)");
        if (i.LostNodeWatchdogMs is int w && w > 0)
        {
            var silence = Math.Max(0, Math.Min(i.SinceLastHeardMs, i.WitnessSilenceMs ?? long.MaxValue));
            var lease = i.LostNodeProofLeaseMs is int l && l > 0 ? Math.Min(l, i.HeartbeatTimeoutMs) : i.HeartbeatTimeoutMs;
            var bound = (long)lease + w + WatchdogMarginMs;
            var wait = Math.Max(0, bound - silence);
            var leaseText = lease == i.HeartbeatTimeoutMs ? $"{lease} ms (heartbeat timeout)" : $"{lease} ms (its proof lease)";
            return new LostNodeWaitPlan(WaitBasis.Watchdog, wait,
                $"its watchdog resets it within {leaseText} + {w} ms (watchdog) + {WatchdogMarginMs} ms (margin) " +
                $"of its last sign of life {silence} ms ago");
        }
        {
            var wait = (long)i.HeartbeatTimeoutMs + i.HeartbeatIntervalMs + i.ResolutionCheckMs + SelfStopMarginMs;
            return new LostNodeWaitPlan(WaitBasis.SelfStopEstimate, wait,
                $"it stops itself when it loses partition resolution: {i.HeartbeatTimeoutMs} ms (heartbeat timeout) + {i.HeartbeatIntervalMs} ms (interval) + " +
                $"{i.ResolutionCheckMs} ms (slowest check) + {SelfStopMarginMs} ms (its stop); an estimate, not a guarantee: a stalled node, or a crashed " +
                "service's leftovers, can outlast it (configure cluster.watchdog or fencing)");
        }
    }
}
