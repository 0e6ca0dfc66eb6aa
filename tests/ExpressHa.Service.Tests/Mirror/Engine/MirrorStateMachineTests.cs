using ExpressHa.Service.Mirror;

namespace ExpressHa.Service.Tests.Mirror.Engine;

public class MirrorStateMachineTests
{
    const MetaFlags C = MetaFlags.Consistent;

    static CopyFacts Copy(MetaFlags flags = C, bool data = true, bool peerData = true, bool open = true) => new(open, flags, data, peerData);

    public static TheoryData<string, CopyFacts, MirrorRole, ReplicationState, DiskState> DiskTable => new()
    {
        { "not open", Copy(open: false), MirrorRole.Secondary, ReplicationState.Off, DiskState.Diskless },
        { "alone, complete", Copy(), MirrorRole.Secondary, ReplicationState.Off, DiskState.Consistent },
        { "alone, primary", Copy(), MirrorRole.Primary, ReplicationState.Off, DiskState.UpToDate },
        { "promoting is not primary yet", Copy(), MirrorRole.Promoting, ReplicationState.Off, DiskState.Consistent },
        { "alone, suspended source", Copy(C | MetaFlags.SuspendedSource), MirrorRole.Secondary, ReplicationState.Off, DiskState.UpToDate },
        { "connected in sync", Copy(), MirrorRole.Secondary, ReplicationState.Established, DiskState.UpToDate },
        { "connected, about to send", Copy(), MirrorRole.Secondary, ReplicationState.StartingSyncSource, DiskState.UpToDate },
        { "connected, sending", Copy(), MirrorRole.Secondary, ReplicationState.SyncSource, DiskState.UpToDate },
        { "connected, waiting for the peer's resync", Copy(), MirrorRole.Secondary, ReplicationState.StartingSyncTarget, DiskState.Consistent },
        { "connected, receiving", Copy(), MirrorRole.Secondary, ReplicationState.SyncTarget, DiskState.Inconsistent },
        { "connected in split brain", Copy(C | MetaFlags.SplitBrain), MirrorRole.Secondary, ReplicationState.SplitBrain, DiskState.Consistent },
        { "interrupted resync, alone", Copy(MetaFlags.SyncTargetInProgress), MirrorRole.Secondary, ReplicationState.Off, DiskState.Inconsistent },
        { "outdated", Copy(C | MetaFlags.Outdated), MirrorRole.Secondary, ReplicationState.Off, DiskState.Outdated },
        { "outdated but in sync with an outdated peer: outdated wins", Copy(C | MetaFlags.Outdated), MirrorRole.Secondary, ReplicationState.Established, DiskState.Outdated },
        { "outdated and receiving: inconsistent wins", Copy(C | MetaFlags.Outdated | MetaFlags.SyncTargetInProgress), MirrorRole.Secondary, ReplicationState.SyncTarget, DiskState.Inconsistent },
        { "no data, alone", Copy(data: false), MirrorRole.Secondary, ReplicationState.Off, DiskState.Inconsistent },
        { "no data, the peer holds data", Copy(data: false), MirrorRole.Secondary, ReplicationState.StartingSyncTarget, DiskState.Inconsistent },
        { "no data on either side, connected", Copy(data: false, peerData: false), MirrorRole.Secondary, ReplicationState.Established, DiskState.UpToDate },
    };

    [Theory]
    [MemberData(nameof(DiskTable))]
    public void Disk_state_follows_the_rule(string why, CopyFacts copy, MirrorRole role, ReplicationState replication, DiskState expected) =>
        Assert.True(DiskStateRule.Decide(copy, role, replication) == expected, $"{why}: expected {expected}, got {DiskStateRule.Decide(copy, role, replication)}");

    [Fact]
    public void A_handshake_owns_the_link_and_falls_back_to_where_it_started()
    {
        var m = new MirrorStateMachine();
        m.Settle(Copy());
        m.Started();
        Assert.True(m.TryBeginHandshake());
        Assert.False(m.TryBeginHandshake());               // one link at a time
        Assert.Equal(ConnectionState.Connecting, m.ShownConnection);
        m.HandshakeAuthFailed();
        Assert.True(m.TryBeginHandshake());
        Assert.Equal(ConnectionState.AuthFailed, m.ShownConnection); // shown until a handshake succeeds
        m.HandshakeBroke();
        Assert.Equal(ConnectionState.AuthFailed, m.Connection);
        Assert.True(m.TryBeginHandshake());
        m.HandshakeRefused();                                // authenticated, but no session (suspended): never connected yet
        Assert.Equal(ConnectionState.Connecting, m.Connection);

        Assert.True(m.TryBeginHandshake());
        m.SessionEstablished(SyncAction.InSync);
        m.Settle(Copy());
        Assert.Equal((ConnectionState.Connected, ReplicationState.Established, DiskState.UpToDate), (m.Connection, m.Replication, m.Disk));
        Assert.False(m.TryBeginHandshake());

        m.SessionEnded(planned: false, hasData: true);
        m.Settle(Copy());
        Assert.Equal((ConnectionState.Disconnecting, ReplicationState.Off, DiskState.Consistent), (m.Connection, m.Replication, m.Disk));
        Assert.True(m.UpToDateAtLinkLoss);                   // lost while UpToDate: may be promoted alone
        Assert.False(m.TryBeginHandshake());                 // the old link task still winds down
        m.LinkTaskFinished();
        Assert.True(m.TryBeginHandshake());
        m.HandshakeRefused();
        Assert.Equal(ConnectionState.Disconnected, m.Connection); // connected before
        Assert.Equal(0, m.IllegalChanges);
    }

    [Fact]
    public void A_planned_end_or_an_outdate_does_not_allow_promoting_alone()
    {
        var m = Connected(SyncAction.InSync);
        m.SessionEnded(planned: true, hasData: true);
        Assert.False(m.UpToDateAtLinkLoss);

        m = Connected(SyncAction.InSync);
        m.SessionEnded(planned: false, hasData: true);
        Assert.True(m.UpToDateAtLinkLoss);
        m.Outdated();
        Assert.False(m.UpToDateAtLinkLoss);

        m = Connected(SyncAction.Target);                   // not the newest copy
        m.SessionEnded(planned: false, hasData: true);
        Assert.False(m.UpToDateAtLinkLoss);
    }

    [Fact]
    public void An_illegal_change_is_applied_counted_and_thrown_in_a_debug_build()
    {
        var lines = new List<string>();
        var m = new MirrorStateMachine(lines.Add);
        m.Settle(Copy());
        m.Started();
        m.MoveRole(MirrorRole.Primary);
        m.Settle(Copy());
        var e = Assert.Throws<InvalidOperationException>(() => m.MoveRole(MirrorRole.Promoting));
        Assert.Contains("role Primary -> Promoting", e.Message);
        Assert.Equal(MirrorRole.Promoting, m.Role);
        Assert.Equal(1, m.IllegalChanges);
        Assert.Single(lines, l => l.Contains("BUG: illegal mirror state change"));
    }

    [Fact]
    public void A_change_without_the_owners_lock_is_illegal()
    {
        var owner = new object();
        var m = new MirrorStateMachine(ownerLockHeld: () => Monitor.IsEntered(owner));
        lock (owner)
        {
            m.Settle(Copy());
            m.Started();
        }
        Assert.Equal(0, m.IllegalChanges);
        var e = Assert.Throws<InvalidOperationException>(() => m.TryBeginHandshake());
        Assert.Contains("without holding the engine's state lock", e.Message);
        Assert.Equal(1, m.IllegalChanges);
    }

    [Fact]
    public void A_primary_that_loses_its_disk_state_is_a_violation()
    {
        var m = Connected(SyncAction.InSync);
        m.MoveRole(MirrorRole.Primary);
        m.Settle(Copy());
        Assert.Equal(DiskState.UpToDate, m.Disk);
        // The rule keeps a primary UpToDate; flags that say otherwise are a bug in the engine (it refuses to outdate a primary).
        Assert.Throws<InvalidOperationException>(() => m.Settle(Copy(C | MetaFlags.Outdated)));
        Assert.Equal(1, m.IllegalChanges);
    }

    static MirrorStateMachine Connected(SyncAction decision)
    {
        var m = new MirrorStateMachine();
        m.Settle(Copy());
        m.Started();
        Assert.True(m.TryBeginHandshake());
        m.SessionEstablished(decision);
        m.Settle(Copy());
        return m;
    }

    public static TheoryData<ConnectionState, ReplicationState, MetaFlags, string> ConnectionNames => new()
    {
        { ConnectionState.Connected, ReplicationState.Established, C, "Connected" },
        { ConnectionState.Connected, ReplicationState.SplitBrain, C | MetaFlags.SplitBrain, "SplitBrain" },
        { ConnectionState.Connected, ReplicationState.SyncTarget, C | MetaFlags.SuspendedTarget, "Connected" },
        { ConnectionState.StandAlone, ReplicationState.Off, C, "Disconnected" },
        { ConnectionState.Connecting, ReplicationState.Off, C, "Connecting" },
        { ConnectionState.Disconnecting, ReplicationState.Off, C, "Disconnected" },
        { ConnectionState.Disconnected, ReplicationState.Off, C, "Disconnected" },
        { ConnectionState.Disconnected, ReplicationState.Off, C | MetaFlags.SplitBrain, "SplitBrain" },
        { ConnectionState.AuthFailed, ReplicationState.Off, C | MetaFlags.SplitBrain, "AuthFailed" },
        { ConnectionState.KeyMismatch, ReplicationState.Off, C, "KeyMismatch" },
        { ConnectionState.KeyMismatch, ReplicationState.Off, C | MetaFlags.SuspendedSource, "Suspended" },
        { ConnectionState.Connecting, ReplicationState.Off, C | MetaFlags.SuspendedTarget, "Suspended" },
    };

    [Theory]
    [MemberData(nameof(ConnectionNames))]
    public void Connection_names_stay_those_the_api_shows(ConnectionState c, ReplicationState r, MetaFlags flags, string shown) =>
        Assert.Equal(shown, MirrorStatusNames.Connection(c, r, flags));

    [Fact]
    public void Disk_role_and_sync_names_stay_those_the_api_shows()
    {
        Assert.Equal(["Failed", "Inconsistent", "Outdated", "Consistent", "UpToDate"], Enum.GetValues<DiskState>().Select(MirrorStatusNames.Disk));
        Assert.Equal(["Secondary", "Secondary", "Primary"], Enum.GetValues<MirrorRole>().Select(MirrorStatusNames.Role));
        Assert.Equal(["None", "None", "None", "None", "SyncSource", "SyncTarget", "None"], Enum.GetValues<ReplicationState>().Select(MirrorStatusNames.Sync));
    }
}
