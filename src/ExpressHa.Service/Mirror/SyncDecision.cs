namespace ExpressHa.Service.Mirror;

public enum SyncAction
{
    /// <summary>Same data: replicate, no resync.</summary>
    InSync,
    /// <summary>This side's copy is newer: it sends.</summary>
    Source,
    /// <summary>The peer's copy is newer: this side receives.</summary>
    Target,
    /// <summary>Both went on independently (or the data is unrelated): nothing moves until Repair.</summary>
    SplitBrain,
    /// <summary>One side suspended replication: no session.</summary>
    Suspended,
    /// <summary>Different sizes or block sizes: no session.</summary>
    Incompatible,
}

public readonly record struct SyncDecisionResult(SyncAction Action, bool Full, string Reason)
{
    public override string ToString() => $"{Action}{(Full ? " (full)" : "")}: {Reason}";
}

/// <summary>The latest-data rule, PURE: both sides compute it from the two exchanged states and reach mirrored
/// answers (Decide(a, b) is the mirror of Decide(b, a)).</summary>
public static class SyncDecision
{
    public static SyncDecisionResult Decide(MirrorNodeState local, MirrorNodeState peer)
    {
        if (local.Size != peer.Size || local.BlockSize != peer.BlockSize)
            return new(SyncAction.Incompatible, false, $"size {local.Size}/{local.BlockSize} here, {peer.Size}/{peer.BlockSize} on the peer");
        if (local.Has(MetaFlags.SuspendedSource) || peer.Has(MetaFlags.SuspendedSource))
            return new(SyncAction.Suspended, false, "replication is suspended");
        if (local.Primary && peer.Primary)
            return new(SyncAction.SplitBrain, false, "both copies are primary");

        var r = Core(local, peer);
        if ((r.Action == SyncAction.Target && local.Primary) || (r.Action == SyncAction.Source && peer.Primary))
            return new(SyncAction.SplitBrain, false, $"the primary's copy would be overwritten ({r.Reason})");
        if (r.Action == SyncAction.Target && local.CrashedPrimary && !r.Full)
            return r with { Full = true, Reason = r.Reason + "; this copy was a crashed primary" };
        if (r.Action == SyncAction.Source && peer.CrashedPrimary && !r.Full)
            return r with { Full = true, Reason = r.Reason + "; the peer was a crashed primary" };
        return r;
    }

    static SyncDecisionResult Source(bool full, string why) => new(SyncAction.Source, full, why);
    static SyncDecisionResult Target(bool full, string why) => new(SyncAction.Target, full, why);
    static SyncDecisionResult Split(string why) => new(SyncAction.SplitBrain, false, why);

    static SyncDecisionResult Core(MirrorNodeState l, MirrorNodeState p)
    {
        // 1. An explicit repair decides.
        bool ld = l.Has(MetaFlags.DiscardMine), pd = p.Has(MetaFlags.DiscardMine);
        if (ld != pd) return ld ? Target(true, "repair discards this copy") : Source(true, "repair discards the peer's copy");
        bool lf = l.Has(MetaFlags.ForcedSource), pf = p.Has(MetaFlags.ForcedSource);
        if (lf != pf) return lf ? Source(true, "repair chose this copy") : Target(true, "repair chose the peer's copy");
        if (lf && pf) return Split("repair chose both copies");
        if (ld && pd) return Split("repair discarded both copies");

        // 2. An interrupted resync resumes.
        bool lt = l.Has(MetaFlags.SyncTargetInProgress), pt = p.Has(MetaFlags.SyncTargetInProgress);
        if (lt && pt) return Split("both copies are inconsistent (interrupted resyncs)");
        if (lt) return Target(!Covers(p, l.SyncTowards), "resuming the resync of this copy");
        if (pt) return Source(!Covers(l, p.SyncTowards), "resuming the resync of the peer");

        // 3. Same generation.
        if (l.Current == p.Current)
        {
            if (l.Current == 0) return new(SyncAction.InSync, false, "both copies are new");
            bool lo = l.Has(MetaFlags.Outdated), po = p.Has(MetaFlags.Outdated);
            if (lo != po) return lo ? Target(false, "this copy is outdated") : Source(false, "the peer's copy is outdated");
            // A primary that crashed may hold writes that never reached the peer (and the peer some it lost): its copy
            // wins, and since nothing recorded the blocks in flight, the copy is full.
            if (l.CrashedPrimary != p.CrashedPrimary && !l.Primary && !p.Primary)
                return l.CrashedPrimary ? Source(true, "this side was a crashed primary") : Target(true, "the peer was a crashed primary");
            if (l.DirtyBlocks == 0 && p.DirtyBlocks == 0) return new(SyncAction.InSync, false, "same generation");
            if (l.Primary != p.Primary) return l.Primary ? Source(false, "merge: this side is primary") : Target(false, "merge: the peer is primary");
            if (l.CrashedPrimary != p.CrashedPrimary)
                return l.CrashedPrimary ? Source(false, "merge: this side was primary") : Target(false, "merge: the peer was primary");
            if ((l.DirtyBlocks > 0) != (p.DirtyBlocks > 0))
                return l.DirtyBlocks > 0 ? Source(false, "merge: only this side recorded blocks") : Target(false, "merge: only the peer recorded blocks");
            return string.CompareOrdinal(l.Node, p.Node) < 0 ? Source(false, "merge: tie broken by node name") : Target(false, "merge: tie broken by node name");
        }

        // 4. One side has never held data.
        if (l.Current == 0) return Target(true, "this copy is new");
        if (p.Current == 0) return Source(true, "the peer's copy is new");

        // 5. Both went on from the same point.
        if (l.BitmapGen != 0 && l.BitmapGen == p.BitmapGen) return Split("both copies went on from the same data");
        if (l.Has(MetaFlags.SplitBrain) || p.Has(MetaFlags.SplitBrain)) return Split("split brain not repaired yet");

        // 6. One side went on alone from the other's current point.
        if (l.BitmapGen != 0 && l.BitmapGen == p.Current) return Source(false, "this copy went on from the peer's data");
        if (p.BitmapGen != 0 && p.BitmapGen == l.Current) return Target(false, "the peer went on from this copy's data");
        if (l.History1 == p.Current || l.History2 == p.Current) return Source(true, "this copy descends from the peer's (older) data");
        if (p.History1 == l.Current || p.History2 == l.Current) return Target(true, "the peer's copy descends from this copy's data");

        // 7. Unrelated data.
        bool lp = l.Primary || l.Has(MetaFlags.WasPrimary), pp = p.Primary || p.Has(MetaFlags.WasPrimary);
        if (lp && pp) return Split("unrelated data on two primaries");
        if (lp) return Source(true, "unrelated data: this side was primary");
        if (pp) return Target(true, "unrelated data: the peer was primary");
        return Split("unrelated data");
    }

    /// <summary>True when <paramref name="source"/>'s bitmap covers every change since generation <paramref name="towards"/>.</summary>
    static bool Covers(MirrorNodeState source, ulong towards) =>
        towards != 0 && (source.Current == towards || source.BitmapGen == towards || source.History1 == towards || source.History2 == towards);

    /// <summary>The decision as the peer computes it.</summary>
    public static SyncAction Mirror(SyncAction a) => a switch
    {
        SyncAction.Source => SyncAction.Target,
        SyncAction.Target => SyncAction.Source,
        _ => a,
    };
}
