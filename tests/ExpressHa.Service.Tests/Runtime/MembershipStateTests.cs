using ExpressHa.Config;
using ExpressHa.Service.Heartbeat;
using ExpressHa.Service.Membership;
using ExpressHa.Service.Runtime;

namespace ExpressHa.Service.Tests.Runtime;

/// <summary>The owner of the cluster-state lock: who counts as down, and where a plan waiting for a lost node stands.</summary>
public sealed class MembershipStateTests
{
    static readonly ClusterConfig Config = new()
    {
        Cluster = { Name = "c1", Heartbeat = { IntervalMs = 100, TimeoutMs = 1000 } },
        Nodes =
        {
            new NodeConfig { Name = "server1", Addresses = { ["lan1"] = "127.0.0.1" } },
            new NodeConfig { Name = "server2", Addresses = { ["lan1"] = "127.0.0.2" } },
            new NodeConfig { Name = "server3", Addresses = { ["lan1"] = "127.0.0.3" } },
        },
    };

    static HeartbeatReport Report(long incarnation, long seq, long sentAt, params GroupReport[] groups)
        => new() { Cluster = "c1", Node = "server2", Incarnation = incarnation, Seq = seq, SentAtMs = sentAt, Groups = groups.ToList() };

    [Fact]
    public void A_lost_node_is_down_once_confirmed_and_back_when_the_same_run_is_heard_again()
    {
        var m = new MembershipState(Config, "server1");
        Assert.Contains(m.Receive(Report(7, 1, 1), "lan1", 0), c => c is PeerJoined { Node: "server2" });
        Assert.Equal(LostNodeStatus.Back, m.LostNode("server2", 7));
        Assert.Contains(m.Tick(1500), c => c is PeerLost { Node: "server2" });
        Assert.Equal(LostNodeStatus.Lost, m.LostNode("server2", 7));
        Assert.True(m.ConfirmDown("server2"));
        Assert.False(m.ConfirmDown("server2"));
        Assert.Equal(LostNodeStatus.Down, m.LostNode("server2", 7));
        Assert.Equal(["server2"], m.ConfirmedDown());
        Assert.Contains("server2", m.Snapshot(1500).ConfirmedDown);
    }

    [Fact]
    public void A_new_run_of_the_lost_node_settles_it_only_once_it_runs_nothing()
    {
        var m = new MembershipState(Config, "server1");
        m.Receive(Report(7, 1, 1), "lan1", 0);
        m.Tick(1500);
        m.Receive(Report(8, 1, 2000, new GroupReport { Name = "failover1", State = "online", Generation = 3 }), "lan1", 1600);
        Assert.Equal(LostNodeStatus.Lost, m.LostNode("server2", 7));
        m.Receive(Report(8, 2, 2100, new GroupReport { Name = "failover1", State = "offline", Generation = 3 }), "lan1", 1700);
        Assert.Equal(LostNodeStatus.Down, m.LostNode("server2", 7));
    }

    [Fact]
    public void A_peer_s_word_counts_for_nodes_not_online_here_and_never_for_this_node()
    {
        var m = new MembershipState(Config, "server1");
        m.Receive(Report(7, 1, 1), "lan1", 0);
        Assert.Equal(["server3"], m.ConfirmDownFromPeer(["server1", "server2", "server3"]));
        Assert.Empty(m.ConfirmDownFromPeer(["server3"]));
        m.Rejoined("server3");
        Assert.Empty(m.ConfirmedDown());
    }

    [Fact]
    public void The_snapshot_holds_every_peer_and_the_path_ages_when_asked()
    {
        var m = new MembershipState(Config, "server1");
        m.Receive(Report(7, 1, 1), "lan1", 100);
        var s = m.Snapshot(400, withPathAges: true);
        Assert.Equal((PeerState.Online, PeerState.Offline), (s.StateOf("server2"), s.StateOf("server3")));
        Assert.Equal(7, s.ReportOf("server2")!.Incarnation);
        Assert.Equal(300, s.PathAgesOf("server2")["lan1"]);
        Assert.Empty(m.Snapshot(400).PathAges);
    }

    [Fact]
    public void A_wait_for_a_lost_node_is_woken_when_it_comes_to_count_as_down_and_not_by_nothing()
    {
        var m = new MembershipState(Config, "server1");
        var first = m.Changed();
        Assert.False(first.IsCompleted);
        Assert.True(m.ConfirmDown("server2"));
        Assert.True(first.IsCompleted, "counting a node as down wakes the waiters");
        var second = m.Changed();
        Assert.False(second.IsCompleted);
        Assert.False(m.ConfirmDown("server2"));
        Assert.False(second.IsCompleted, "nothing new, nothing to wake for");
        m.Rejoined("server2");
        Assert.Single(m.ConfirmDownFromPeer(new[] { "server2" }));
        Assert.True(second.IsCompleted, "a peer's word that a node is down wakes them too");
    }
}
