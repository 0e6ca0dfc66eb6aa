namespace ExpressHa.Service.Mirror;

/// <summary>The role, connection, replication and disk state of one node's side of one mirror. Every change goes
/// through <see cref="MirrorTransitions"/>; the disk state follows <see cref="DiskStateRule"/> at each
/// <see cref="Settle"/>, which the engine calls after every change of its state, and which checks the invariants.
/// An illegal change is a bug in the engine: it is applied (the machine follows what the engine did), counted, logged as
/// an error, and in a Debug build (the tests) thrown. Not thread-safe: the engine calls it under its state lock, which
/// <paramref name="ownerLockHeld"/> checks at every change.</summary>
public sealed class MirrorStateMachine(Action<string>? log = null, Func<bool>? ownerLockHeld = null)
{
    ConnectionState _beforeHandshake = ConnectionState.Connecting;
    bool _everConnected;

    public MirrorRole Role { get; private set; } = MirrorRole.Secondary;
    public ConnectionState Connection { get; private set; } = ConnectionState.StandAlone;
    public ReplicationState Replication { get; private set; } = ReplicationState.Off;
    public DiskState Disk { get; private set; } = DiskState.Diskless;
    /// <summary>This secondary lost a session it did not close on purpose while its copy was UpToDate: promoting it alone
    /// is allowed (the peer is down or outdated itself). Cleared by the next session and by being outdated.</summary>
    public bool UpToDateAtLinkLoss { get; private set; }
    /// <summary>How many illegal changes were seen (zero unless the engine has a bug).</summary>
    public int IllegalChanges { get; private set; }

    /// <summary>The connection state to show: while handshaking, the state the handshake started from.</summary>
    public ConnectionState ShownConnection => Connection == ConnectionState.Handshaking ? _beforeHandshake : Connection;
    public bool IsPrimary => Role == MirrorRole.Primary;
    public bool IsConnected => Connection == ConnectionState.Connected;
    /// <summary>No link is running (handshake or session): a new one may start.</summary>
    public bool IsUnconnected => Connection is ConnectionState.Connecting or ConnectionState.Disconnected
        or ConnectionState.AuthFailed or ConnectionState.KeyMismatch;
    /// <summary>A handshake or a session (or its winding down) holds the link.</summary>
    public bool HasLink => Connection is ConnectionState.Handshaking or ConnectionState.Connected or ConnectionState.Disconnecting;

    // ---------------------------------------------------------------- events

    public void Started() => MoveConnection(ConnectionState.Connecting);

    /// <summary>A link opened: true when no other link runs (it then owns the handshake).</summary>
    public bool TryBeginHandshake()
    {
        if (!IsUnconnected) return false;
        _beforeHandshake = Connection;
        MoveConnection(ConnectionState.Handshaking);
        return true;
    }

    /// <summary>The handshake broke (I/O, timeout, protocol, or the local state changed meanwhile): back to where it started.</summary>
    public void HandshakeBroke()
    {
        if (Connection == ConnectionState.Handshaking) MoveConnection(_beforeHandshake);
    }

    public void HandshakeAuthFailed() => MoveConnection(ConnectionState.AuthFailed);
    public void HandshakeKeyMismatch() => MoveConnection(ConnectionState.KeyMismatch);

    /// <summary>Authenticated, but the decision allows no session (incompatible sizes, suspended replication).</summary>
    public void HandshakeRefused() => MoveConnection(_everConnected ? ConnectionState.Disconnected : ConnectionState.Connecting);

    /// <summary>Both sides agreed on <paramref name="decision"/>: a session starts.</summary>
    public void SessionEstablished(SyncAction decision)
    {
        MoveConnection(ConnectionState.Connected);
        MoveReplication(decision switch
        {
            SyncAction.InSync => ReplicationState.Established,
            SyncAction.Source => ReplicationState.StartingSyncSource,
            SyncAction.Target => ReplicationState.StartingSyncTarget,
            SyncAction.SplitBrain => ReplicationState.SplitBrain,
            _ => throw new ArgumentOutOfRangeException(nameof(decision), decision, "no session for this decision"),
        });
        _everConnected = true;
        UpToDateAtLinkLoss = false;
    }

    /// <summary>The session ended. <paramref name="planned"/>: closed on purpose (not a mirror break).</summary>
    public void SessionEnded(bool planned, bool hasData)
    {
        if (!planned && Role != MirrorRole.Primary && Disk == DiskState.UpToDate && hasData) UpToDateAtLinkLoss = true;
        MoveConnection(ConnectionState.Disconnecting);
        MoveReplication(ReplicationState.Off);
    }

    /// <summary>The link task of the ended session finished: a new link may start.</summary>
    public void LinkTaskFinished()
    {
        if (Connection == ConnectionState.Disconnecting) MoveConnection(ConnectionState.Disconnected);
    }

    public void Outdated()
    {
        CheckOwner();
        UpToDateAtLinkLoss = false;
    }

    public void MoveRole(MirrorRole to)
    {
        CheckOwner();
        var from = Role;
        Role = to;
        if (!MirrorTransitions.Allows(from, to)) Illegal($"role {from} -> {to}");
    }

    public void MoveReplication(ReplicationState to)
    {
        CheckOwner();
        var from = Replication;
        Replication = to;
        if (!MirrorTransitions.Allows(from, to)) Illegal($"replication {from} -> {to}");
    }

    void MoveConnection(ConnectionState to)
    {
        CheckOwner();
        var from = Connection;
        Connection = to;
        if (!MirrorTransitions.Allows(from, to)) Illegal($"connection {from} -> {to}");
    }

    /// <summary>After each change: the disk state follows the rule, then the invariants must hold.</summary>
    public void Settle(CopyFacts copy)
    {
        CheckOwner();
        var from = Disk;
        Disk = DiskStateRule.Decide(copy, Role, Replication);
        if (!MirrorTransitions.Allows(from, Disk)) Illegal($"disk {from} -> {Disk}");
        if (MirrorTransitions.Violation(Role, Connection, Replication, Disk) is { } v) Illegal(v);
    }

    void CheckOwner()
    {
        if (ownerLockHeld is not null && !ownerLockHeld()) Illegal("changed without holding the engine's state lock");
    }

    public override string ToString() => $"{Role}/{Connection}/{Replication}/{Disk}";

    void Illegal(string what)
    {
        IllegalChanges++;
        string message = $"BUG: illegal mirror state change: {what} (at {this})";
        log?.Invoke(message);
#if DEBUG
        throw new InvalidOperationException(message);
#endif
    }
}
