namespace ExpressHa.Service.Mirror;

/// <summary>What the metadata and the link say about this copy, as the disk-state rule needs it.</summary>
public readonly record struct CopyFacts(bool Open, MetaFlags Flags, bool HasData, bool PeerHasData)
{
    public bool Has(MetaFlags f) => (Flags & f) == f;
}

/// <summary>PURE: the disk state of this copy from its persisted flags, its role and what the connected peer agreed.
/// The order matters: a resync target is Inconsistent even when outdated; a copy without data is Inconsistent unless
/// the connected peer holds none either; the newest data is the primary's, the in-sync or source side's, or a
/// suspended source's; anything else is Consistent (complete, but whether it is the newest is unknown).</summary>
public static class DiskStateRule
{
    public static DiskState Decide(CopyFacts c, MirrorRole role, ReplicationState replication)
    {
        bool connected = replication != ReplicationState.Off;
        if (!c.Open) return DiskState.Diskless;
        if (c.Has(MetaFlags.SyncTargetInProgress) || replication == ReplicationState.SyncTarget) return DiskState.Inconsistent;
        if (c.Has(MetaFlags.Outdated)) return DiskState.Outdated;
        if (!c.HasData && !(connected && !c.PeerHasData)) return DiskState.Inconsistent;
        if (role == MirrorRole.Primary || IsNewestSide(replication) || c.Has(MetaFlags.SuspendedSource)) return DiskState.UpToDate;
        return DiskState.Consistent;
    }

    /// <summary>The connected side whose data is the newest: in sync, or the resync's source.</summary>
    public static bool IsNewestSide(ReplicationState r) =>
        r is ReplicationState.Established or ReplicationState.StartingSyncSource or ReplicationState.SyncSource;
}
