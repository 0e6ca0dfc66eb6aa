using ExpressHa.Service.Heartbeat;
using ExpressHa.Service.Membership;

namespace ExpressHa.Service.Tests.Heartbeat;

/// <summary>A lost incarnation that held a group stays the node's record (a new incarnation is not accepted) until it is
/// settled, so the decision about what it held is made on its last report, whatever the node does next.</summary>
public class LostIncarnationHoldTests
{
    const int TimeoutMs = 1000;

    static HeartbeatReport Report(long incarnation, long seq, string? groupState)
        => new()
        {
            Cluster = "c", Node = "server2", Incarnation = incarnation, Seq = seq, SentAtMs = incarnation * 100_000 + seq,
            Groups = groupState == null ? new() : new() { new GroupReport { Name = "g1", State = groupState, Generation = 2, Next = "server1", Owner = "server2" } },
        };

    public enum Exit { Lost, RestartedWithinTimeout }

    public static TheoryData<Exit, string?, bool> Rows => new()
    {
        // how the old incarnation ended, its last record of g1, whether the new incarnation waits for Settle
        { Exit.Lost, "stopping", true },          // stopped to move: the intent must outlive it
        { Exit.Lost, "online", true },
        { Exit.Lost, "offline", false },
        { Exit.Lost, null, false },
        { Exit.RestartedWithinTimeout, "stopping", true },
        { Exit.RestartedWithinTimeout, "online", true },
        { Exit.RestartedWithinTimeout, null, false },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void A_new_incarnation_joins_only_once_a_lost_one_that_held_a_group_is_settled(Exit exit, string? lastRecord, bool held)
    {
        var t = new MembershipTable(MembershipTableTests.Config(), "server1", TimeoutMs);
        t.Receive(Report(1, 1, lastRecord), "lan1", 0);
        if (exit == Exit.Lost) Assert.Contains(new PeerLost("server2"), t.Tick(TimeoutMs));
        else Assert.Contains(new PeerRestarted("server2"), t.Receive(Report(2, 1, null), "lan1", 300));
        Assert.Equal(held, t.IsHeldUntilSettled("server2"));

        // Well after any timeout-based hold: only the settle lets the new incarnation in.
        var now = 5 * TimeoutMs;
        var joined = t.Receive(Report(2, 2, null), "lan1", now).Contains(new PeerJoined("server2"));
        Assert.Equal(!held, joined);
        if (!held) return;
        Assert.Equal(1, t.LastReport("server2")!.Incarnation);
        Assert.Equal(PeerState.Lost, t.StateOf("server2"));

        t.Settle("server2");
        Assert.Contains(new PeerJoined("server2"), t.Receive(Report(2, 3, null), "lan1", now + 100));
        Assert.Equal(2, t.IncarnationOf("server2"));
    }

    [Fact]
    public void The_same_incarnation_coming_back_is_not_held_it_never_went_down()
    {
        var t = new MembershipTable(MembershipTableTests.Config(), "server1", TimeoutMs);
        t.Receive(Report(1, 1, "online"), "lan1", 0);
        t.Tick(TimeoutMs);
        Assert.True(t.IsHeldUntilSettled("server2"));
        Assert.Contains(new PeerJoined("server2"), t.Receive(Report(1, 2, "online"), "lan1", TimeoutMs + 200));
        Assert.False(t.IsHeldUntilSettled("server2"));
    }
}
