using ExpressHa.Service.Mirror;

namespace ExpressHa.Service.Tests.Mirror.Engine;

/// <summary>The mirror state machine's transition table, written out here a second time: every allowed change, and
/// every other pair refused (the whole product of each enum with itself is checked against this list).</summary>
public class MirrorTransitionsTests
{
    const MirrorRole Sec = MirrorRole.Secondary, Prom = MirrorRole.Promoting, Pri = MirrorRole.Primary;
    const ConnectionState Alone = ConnectionState.StandAlone, Conn = ConnectionState.Connecting, Hs = ConnectionState.Handshaking,
        Up = ConnectionState.Connected, Ending = ConnectionState.Disconnecting, Disc = ConnectionState.Disconnected,
        Auth = ConnectionState.AuthFailed, Key = ConnectionState.KeyMismatch;
    const ReplicationState Off = ReplicationState.Off, Est = ReplicationState.Established, StartS = ReplicationState.StartingSyncSource,
        StartT = ReplicationState.StartingSyncTarget, SyncS = ReplicationState.SyncSource, SyncT = ReplicationState.SyncTarget,
        Split = ReplicationState.SplitBrain;
    const DiskState None = DiskState.Diskless, Inc = DiskState.Inconsistent, Out = DiskState.Outdated, Cons = DiskState.Consistent,
        Utd = DiskState.UpToDate;

    static readonly (MirrorRole, MirrorRole)[] AllowedRole = [(Sec, Pri), (Sec, Prom), (Prom, Pri), (Prom, Sec), (Pri, Sec)];

    static readonly (ConnectionState, ConnectionState)[] AllowedConnection =
    [
        (Alone, Conn), (Conn, Hs), (Disc, Hs), (Auth, Hs), (Key, Hs),
        (Hs, Up), (Hs, Auth), (Hs, Key), (Hs, Conn), (Hs, Disc), (Up, Ending), (Ending, Disc),
    ];

    static readonly (ReplicationState, ReplicationState)[] AllowedReplication =
    [
        (Off, Est), (Off, StartS), (Off, StartT), (Off, Split),
        (StartS, SyncS), (StartT, SyncT), (Est, SyncS), (Est, SyncT), (Est, StartT), (SyncS, Est), (SyncT, Est),
        (Est, Off), (StartS, Off), (StartT, Off), (SyncS, Off), (SyncT, Off), (Split, Off),
    ];

    static readonly (DiskState, DiskState)[] AllowedDisk =
    [
        (None, Inc), (None, Out), (None, Cons), (None, Utd),
        (Inc, Utd), (Inc, Cons), (Inc, Out), (Out, Inc), (Out, Cons),
        (Cons, Utd), (Cons, Out), (Cons, Inc), (Utd, Cons), (Utd, Out), (Utd, Inc),
    ];

    [Fact]
    public void Role_changes_are_exactly_the_listed_ones() => ExactlyAllowed(AllowedRole, MirrorTransitions.Allows, MirrorTransitions.Role.Select(r => (r.From, r.To)));

    [Fact]
    public void Connection_changes_are_exactly_the_listed_ones() => ExactlyAllowed(AllowedConnection, MirrorTransitions.Allows, MirrorTransitions.Connection.Select(r => (r.From, r.To)));

    [Fact]
    public void Replication_changes_are_exactly_the_listed_ones() => ExactlyAllowed(AllowedReplication, MirrorTransitions.Allows, MirrorTransitions.Replication.Select(r => (r.From, r.To)));

    [Fact]
    public void Disk_changes_are_exactly_the_listed_ones() => ExactlyAllowed(AllowedDisk, MirrorTransitions.Allows, MirrorTransitions.Disk.Select(r => (r.From, r.To)));

    static void ExactlyAllowed<T>((T, T)[] expected, Func<T, T, bool> allows, IEnumerable<(T, T)> table) where T : struct, Enum
    {
        Assert.Equal(expected.ToHashSet(), table.ToHashSet());
        foreach (var from in Enum.GetValues<T>())
            foreach (var to in Enum.GetValues<T>())
            {
                bool want = from.Equals(to) || expected.Contains((from, to));
                Assert.True(allows(from, to) == want, $"{typeof(T).Name} {from} -> {to}: expected {(want ? "allowed" : "refused")}");
            }
    }

    /// <summary>The refusals that matter most, by name (each also covered by the exhaustive checks above).</summary>
    public static TheoryData<string, bool> Refused => new()
    {
        { "an outdated copy becomes UpToDate only through a resync (Inconsistent first) or a forced repair", MirrorTransitions.Allows(Out, Utd) },
        { "Diskless is never re-entered (a copy is not detached)", MirrorTransitions.Allows(Cons, None) },
        { "a split-brain session never starts moving data", MirrorTransitions.Allows(Split, SyncS) },
        { "a split-brain session never becomes in sync", MirrorTransitions.Allows(Split, Est) },
        { "no resync without a session", MirrorTransitions.Allows(Off, SyncT) },
        { "a resync target never turns source", MirrorTransitions.Allows(SyncT, SyncS) },
        { "a waiting target never turns source", MirrorTransitions.Allows(StartT, SyncS) },
        { "no session without a handshake", MirrorTransitions.Allows(Conn, Up) },
        { "no second link while one winds down", MirrorTransitions.Allows(Ending, Hs) },
        { "no second link while connected", MirrorTransitions.Allows(Up, Hs) },
        { "a started engine does not go back to StandAlone", MirrorTransitions.Allows(Disc, Alone) },
        { "a primary does not re-promote", MirrorTransitions.Allows(Pri, Prom) },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Refuses(string why, bool allowed) => Assert.False(allowed, why);

    public static TheoryData<string, MirrorRole, ConnectionState, ReplicationState, DiskState, bool> Invariants => new()
    {
        { "connected primary in sync", Pri, Up, Est, Utd, true },
        { "primary alone", Pri, Disc, Off, Utd, true },
        { "secondary target mid-resync", Sec, Up, SyncT, Inc, true },
        { "secondary alone, outdated", Sec, Disc, Off, Out, true },
        { "promoting while the peer is asked", Prom, Up, Est, Utd, true },
        { "a primary that is not UpToDate", Pri, Disc, Off, Cons, false },
        { "a primary on an outdated copy", Pri, Up, Est, Out, false },
        { "a primary as resync target", Pri, Up, SyncT, Utd, false },
        { "promoting as a waiting target", Prom, Up, StartT, Utd, false },
        { "replicating without a connection", Sec, Disc, Est, Utd, false },
        { "connected without replication state", Sec, Up, Off, Cons, false },
        { "primary before the start", Pri, Alone, Off, Utd, false },
    };

    [Theory]
    [MemberData(nameof(Invariants))]
    public void Invariants_hold_only_for_consistent_combinations(string why, MirrorRole role, ConnectionState c, ReplicationState r, DiskState d, bool ok) =>
        Assert.True((MirrorTransitions.Violation(role, c, r, d) is null) == ok, $"{why}: {MirrorTransitions.Violation(role, c, r, d) ?? "no violation"}");
}
