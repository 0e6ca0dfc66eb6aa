namespace ExpressHa.Service.Runtime;

/// <summary>One node's record of a group, as the ownership rule weighs it.</summary>
/// <param name="Live">The node is online or suspended (a lost node's record is its last word, not current).</param>
/// <param name="Held">The record says the group is held there (any state but offline).</param>
/// <param name="Priority">The node's priority (lower is more preferred).</param>
public sealed record OwnershipClaim(string Node, long Generation, bool Live, bool Held, int Priority);

/// <summary>The one rule for which record of a group is the newest, used by the cluster view (who owns the group) and by
/// stale ownership (whose copy must stop). Two claims are compared key by key; the first key that differs decides:
/// <code>
/// key  the claim that wins                     why
/// 1    the higher generation                   every new ownership takes a higher generation: the newest decision wins,
///                                              an offline record included (a live node marking a lost node's group
///                                              offline supersedes what the lost node last said)
/// 2    the live node's                         a lost node's record is its last word; a live node's is current
/// 3    the held record (not offline)           the same ownership recorded as held and as released: show what runs
/// 4    the more preferred node (priority,      two live copies under one generation (a split brain the generations did
///      then name, ordinal)                     not separate): every node must name the same holder, and the copy on
///                                              the other node stops (stale ownership). Earlier the view preferred
///                                              whichever record it read first (its own), so two nodes could each see
///                                              themselves as the holder while stale ownership chose by preference
/// </code></summary>
public static class OwnershipRule
{
    /// <summary>Positive when <paramref name="a"/> is newer than <paramref name="b"/>, negative when older, 0 for the same node.</summary>
    public static int Compare(OwnershipClaim a, OwnershipClaim b)
    {
        if (a.Generation != b.Generation) return a.Generation.CompareTo(b.Generation);
        if (a.Live != b.Live) return a.Live ? 1 : -1;
        if (a.Held != b.Held) return a.Held ? 1 : -1;
        if (a.Priority != b.Priority) return b.Priority.CompareTo(a.Priority);
        return string.CompareOrdinal(b.Node, a.Node);
    }

    /// <summary>The newest claim; null when there is none.</summary>
    public static OwnershipClaim? Newest(IEnumerable<OwnershipClaim> claims)
    {
        OwnershipClaim? best = null;
        foreach (var c in claims)
            if (best == null || Compare(c, best) > 0) best = c;
        return best;
    }
}
