namespace ExpressHa.Service.Mirror;

/// <summary>PURE: the allowed state changes of one mirror side, one row per change with the event that causes it, and
/// the invariants that tie the four states together. <see cref="MirrorStateMachine"/> checks every change against
/// these; anything else is a bug in the engine. Staying in the same state is always allowed (not a change).</summary>
public static class MirrorTransitions
{
    public static readonly IReadOnlyList<(MirrorRole From, MirrorRole To, string Event)> Role =
    [
        (MirrorRole.Secondary, MirrorRole.Primary, "promoted while not connected (the promotion checks allowed it)"),
        (MirrorRole.Secondary, MirrorRole.Promoting, "promotion asks the connected peer to agree"),
        (MirrorRole.Promoting, MirrorRole.Primary, "the peer agreed"),
        (MirrorRole.Promoting, MirrorRole.Secondary, "the peer refused, or the link failed during the promotion"),
        (MirrorRole.Primary, MirrorRole.Secondary, "demoted"),
    ];

    public static readonly IReadOnlyList<(ConnectionState From, ConnectionState To, string Event)> Connection =
    [
        (ConnectionState.StandAlone, ConnectionState.Connecting, "started"),
        (ConnectionState.Connecting, ConnectionState.Handshaking, "a link to the peer opened"),
        (ConnectionState.Disconnected, ConnectionState.Handshaking, "a link to the peer opened"),
        (ConnectionState.AuthFailed, ConnectionState.Handshaking, "a link to the peer opened"),
        (ConnectionState.KeyMismatch, ConnectionState.Handshaking, "a link to the peer opened"),
        (ConnectionState.Handshaking, ConnectionState.Connected, "both sides agreed on a sync decision"),
        (ConnectionState.Handshaking, ConnectionState.AuthFailed, "the cluster-key challenge failed (or the handshake broke after an earlier failure)"),
        (ConnectionState.Handshaking, ConnectionState.KeyMismatch, "the mirror-key check failed (or the handshake broke after an earlier mismatch)"),
        (ConnectionState.Handshaking, ConnectionState.Connecting, "the handshake broke or was refused, never connected yet"),
        (ConnectionState.Handshaking, ConnectionState.Disconnected, "the handshake broke or was refused, connected before"),
        (ConnectionState.Connected, ConnectionState.Disconnecting, "the session ended (link loss, timeout, or on purpose)"),
        (ConnectionState.Disconnecting, ConnectionState.Disconnected, "the session's link task finished"),
    ];

    public static readonly IReadOnlyList<(ReplicationState From, ReplicationState To, string Event)> Replication =
    [
        (ReplicationState.Off, ReplicationState.Established, "connected, same data"),
        (ReplicationState.Off, ReplicationState.StartingSyncSource, "connected, this copy is newer"),
        (ReplicationState.Off, ReplicationState.StartingSyncTarget, "connected, the peer's copy is newer"),
        (ReplicationState.Off, ReplicationState.SplitBrain, "connected, both went on independently"),
        (ReplicationState.StartingSyncSource, ReplicationState.SyncSource, "the peer acknowledged SyncBegin"),
        (ReplicationState.StartingSyncTarget, ReplicationState.SyncTarget, "SyncBegin received"),
        (ReplicationState.Established, ReplicationState.SyncSource, "a primary with recorded blocks (or a new primary's full copy) resyncs"),
        (ReplicationState.Established, ReplicationState.SyncTarget, "SyncBegin received from a primary with recorded blocks"),
        (ReplicationState.Established, ReplicationState.StartingSyncTarget, "the peer suspended replication and outdated this copy"),
        (ReplicationState.SyncSource, ReplicationState.Established, "resync finished"),
        (ReplicationState.SyncTarget, ReplicationState.Established, "resync finished"),
        (ReplicationState.Established, ReplicationState.Off, "disconnected"),
        (ReplicationState.StartingSyncSource, ReplicationState.Off, "disconnected"),
        (ReplicationState.StartingSyncTarget, ReplicationState.Off, "disconnected"),
        (ReplicationState.SyncSource, ReplicationState.Off, "disconnected (the resync resumes at the next connect)"),
        (ReplicationState.SyncTarget, ReplicationState.Off, "disconnected (the resync resumes at the next connect)"),
        (ReplicationState.SplitBrain, ReplicationState.Off, "disconnected (repair renegotiates)"),
    ];

    public static readonly IReadOnlyList<(DiskState From, DiskState To, string Event)> Disk =
    [
        (DiskState.Diskless, DiskState.Inconsistent, "opened: mid-resync target, or no data yet"),
        (DiskState.Diskless, DiskState.Outdated, "opened: outdated"),
        (DiskState.Diskless, DiskState.Consistent, "opened"),
        (DiskState.Diskless, DiskState.UpToDate, "opened: suspended source"),
        (DiskState.Inconsistent, DiskState.UpToDate, "resync finished, or connected to a peer that holds no data either"),
        (DiskState.Inconsistent, DiskState.Consistent, "forced: repair chose this copy, or restored from an image"),
        (DiskState.Inconsistent, DiskState.Outdated, "outdated at the peer's request while holding no data yet"),
        (DiskState.Outdated, DiskState.Inconsistent, "resync from the peer began"),
        (DiskState.Outdated, DiskState.Consistent, "forced: repair chose this copy, or restored from an image"),
        (DiskState.Consistent, DiskState.UpToDate, "promoted, or connected in sync / as the source"),
        (DiskState.Consistent, DiskState.Outdated, "outdated by the peer"),
        (DiskState.Consistent, DiskState.Inconsistent, "resync from the peer began"),
        (DiskState.UpToDate, DiskState.Consistent, "disconnected or demoted without a peer: whether it is still the newest is unknown"),
        (DiskState.UpToDate, DiskState.Outdated, "outdated by the peer (suspend, or a standby that leaves)"),
        (DiskState.UpToDate, DiskState.Inconsistent, "resync from the peer began, or a copy without data lost its equally new peer"),
    ];

    static readonly HashSet<(MirrorRole, MirrorRole)> RoleSet = Role.Select(r => (r.From, r.To)).ToHashSet();
    static readonly HashSet<(ConnectionState, ConnectionState)> ConnectionSet = Connection.Select(r => (r.From, r.To)).ToHashSet();
    static readonly HashSet<(ReplicationState, ReplicationState)> ReplicationSet = Replication.Select(r => (r.From, r.To)).ToHashSet();
    static readonly HashSet<(DiskState, DiskState)> DiskSet = Disk.Select(r => (r.From, r.To)).ToHashSet();

    public static bool Allows(MirrorRole from, MirrorRole to) => from == to || RoleSet.Contains((from, to));
    public static bool Allows(ConnectionState from, ConnectionState to) => from == to || ConnectionSet.Contains((from, to));
    public static bool Allows(ReplicationState from, ReplicationState to) => from == to || ReplicationSet.Contains((from, to));
    public static bool Allows(DiskState from, DiskState to) => from == to || DiskSet.Contains((from, to));

    /// <summary>What must hold between the four states at rest (after each change of the engine); null when it does.</summary>
    public static string? Violation(MirrorRole role, ConnectionState connection, ReplicationState replication, DiskState disk)
    {
        if ((replication != ReplicationState.Off) != (connection == ConnectionState.Connected))
            return $"replication {replication} with connection {connection}: a session replicates exactly while connected";
        if (role == MirrorRole.Primary && disk != DiskState.UpToDate)
            return $"a primary with disk {disk}: only an UpToDate copy is primary";
        if (role != MirrorRole.Secondary && replication is ReplicationState.SyncTarget or ReplicationState.StartingSyncTarget)
            return $"role {role} with replication {replication}: a primary is never a resync target";
        if (role != MirrorRole.Secondary && connection == ConnectionState.StandAlone)
            return $"role {role} while StandAlone: the engine is promoted only once started";
        return null;
    }
}
