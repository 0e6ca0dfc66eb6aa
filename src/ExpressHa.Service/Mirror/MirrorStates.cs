namespace ExpressHa.Service.Mirror;

// The states of one node's side of one mirror, after DRBD's: role, connection, replication (what the connected pair
// does with the data) and disk (what this copy is worth). MirrorStateMachine holds them; MirrorTransitions says which
// changes are allowed; MirrorStatusNames maps them to the names the API shows.

public enum MirrorRole
{
    Secondary,
    /// <summary>Asking the connected peer to agree to this node's promotion (the peer refuses its own meanwhile).</summary>
    Promoting,
    Primary,
}

public enum ConnectionState
{
    /// <summary>Not started: no listener, no dialling.</summary>
    StandAlone,
    /// <summary>Started, trying to reach the peer, never connected since the start.</summary>
    Connecting,
    /// <summary>A link to the peer is being authenticated and the states exchanged.</summary>
    Handshaking,
    /// <summary>A session is established: both sides agreed on a <see cref="SyncDecision"/>.</summary>
    Connected,
    /// <summary>The session ended; its link task is winding down (no new link until it has).</summary>
    Disconnecting,
    /// <summary>Was connected since the start; trying to reach the peer again.</summary>
    Disconnected,
    /// <summary>The last handshake failed the cluster-key challenge; still trying.</summary>
    AuthFailed,
    /// <summary>The last handshake failed the mirror-key check; still trying.</summary>
    KeyMismatch,
}

public enum ReplicationState
{
    /// <summary>No session.</summary>
    Off,
    /// <summary>Same data on both sides: a primary replicates every write.</summary>
    Established,
    /// <summary>This side's copy is newer: the resync to the peer is about to begin (the primary replicates meanwhile).</summary>
    StartingSyncSource,
    /// <summary>The peer's copy is newer (or the peer outdated this one): waiting for its resync.</summary>
    StartingSyncTarget,
    SyncSource,
    SyncTarget,
    /// <summary>Both went on independently: the session stays up, nothing moves until Repair.</summary>
    SplitBrain,
}

public enum DiskState
{
    /// <summary>The data and metadata areas are not open (shown as Failed).</summary>
    Diskless,
    /// <summary>Mid-resync target, or a copy that never held data: never promoted.</summary>
    Inconsistent,
    /// <summary>The peer went on without this copy: never promoted until a resync (or a forced repair).</summary>
    Outdated,
    /// <summary>A complete image of some generation; whether it is the newest is unknown (peer not connected).</summary>
    Consistent,
    /// <summary>The newest data: primary, connected in sync or as source, or suspended source.</summary>
    UpToDate,
}
