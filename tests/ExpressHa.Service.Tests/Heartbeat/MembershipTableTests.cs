using ExpressHa.Config;
using ExpressHa.Service.Heartbeat;
using ExpressHa.Service.Membership;

namespace ExpressHa.Service.Tests.Heartbeat;

public class MembershipTableTests
{
    static ClusterConfig Config()
    {
        var c = new ClusterConfig();
        c.Cluster.Name = "c";
        c.Cluster.Interconnects.Add(new InterconnectConfig { Name = "lan1" });
        c.Cluster.Interconnects.Add(new InterconnectConfig { Name = "lan2" });
        c.Nodes.Add(new NodeConfig { Name = "server1", Addresses = { ["lan1"] = "198.18.1.1", ["lan2"] = "198.18.2.1" } });
        c.Nodes.Add(new NodeConfig { Name = "server2", Addresses = { ["lan1"] = "198.18.1.2", ["lan2"] = "198.18.2.2" } });
        return c;
    }

    static HeartbeatReport From(long seq, long incarnation = 1, long sentAt = 1000) => new() { Cluster = "c", Node = "server2", Seq = seq, Incarnation = incarnation, SentAtMs = sentAt + seq };

    [Fact]
    public void One_path_down_is_a_warning_both_down_is_a_loss()
    {
        var t = new MembershipTable(Config(), "server1", 1000);
        Assert.Contains(t.Receive(From(1), "lan1", 0), c => c is PeerJoined);
        t.Receive(From(1), "lan2", 0);
        for (long ms = 100, seq = 2; ms <= 1500; ms += 100, seq++)
        {
            t.Receive(From(seq), "lan1", ms); // lan2 silent from now on
            var changes = t.Tick(ms);
            if (ms == 1000) Assert.Equal(new MembershipChange[] { new PathDown("server2", "lan2") }, changes);
            else Assert.Empty(changes);
        }
        Assert.Equal(PeerState.Online, t.StateOf("server2"));
        Assert.Empty(t.Tick(2400));
        Assert.Equal(new MembershipChange[] { new PeerLost("server2") }, t.Tick(2500));
        Assert.Equal(PeerState.Lost, t.StateOf("server2"));
        Assert.Contains(t.Receive(From(100), "lan2", 3000), c => c is PeerJoined);
    }

    [Fact]
    public void A_replayed_or_older_packet_does_not_refresh_a_path()
    {
        var t = new MembershipTable(Config(), "server1", 1000);
        t.Receive(From(5), "lan1", 0);
        t.Receive(From(5), "lan2", 0);
        t.Receive(From(5), "lan1", 900);      // replay of the same sequence number
        t.Receive(From(4), "lan1", 950);      // older
        Assert.Contains(new PeerLost("server2"), t.Tick(1000));
    }

    [Fact]
    public void A_restart_within_the_timeout_is_a_loss_and_the_new_incarnation_waits_a_timeout()
    {
        var t = new MembershipTable(Config(), "server1", 1000);
        t.Receive(From(1, incarnation: 1), "lan1", 0);
        var changes = t.Receive(From(1, incarnation: 2, sentAt: 5000), "lan1", 300);
        Assert.Equal(new MembershipChange[] { new PeerRestarted("server2") }, changes);
        Assert.Equal(PeerState.Lost, t.StateOf("server2"));
        Assert.Equal(1, t.LastReport("server2")!.Incarnation);   // the old report stays for the recovery decision
        Assert.Empty(t.Receive(From(2, incarnation: 2, sentAt: 5000), "lan1", 800));
        Assert.Contains(t.Receive(From(3, incarnation: 2, sentAt: 5000), "lan1", 1400), c => c is PeerJoined);
        Assert.Equal(2, t.LastReport("server2")!.Incarnation);
    }

    [Fact]
    public void A_new_incarnation_that_resumed_exactly_the_online_one_continues_it_any_other_is_a_restart()
    {
        var t = new MembershipTable(Config(), "server1", 1000);
        t.Receive(From(7, incarnation: 1), "lan1", 0);
        var resumed = From(1, incarnation: 2, sentAt: 5000);
        resumed.ResumedFrom = 1;
        Assert.Empty(t.Receive(resumed, "lan1", 300));
        Assert.Equal(PeerState.Online, t.StateOf("server2"));
        Assert.Equal(2, t.IncarnationOf("server2"));
        Assert.Equal(2, t.LastReport("server2")!.Incarnation);

        var other = From(1, incarnation: 3, sentAt: 9000);
        other.ResumedFrom = 1; // resumes an incarnation this node no longer counts online
        Assert.Equal(new MembershipChange[] { new PeerRestarted("server2") }, t.Receive(other, "lan1", 600));
        Assert.Equal(PeerState.Lost, t.StateOf("server2"));
    }

    [Fact]
    public void An_old_incarnation_cannot_replace_a_newer_one()
    {
        var t = new MembershipTable(Config(), "server1", 1000);
        t.Receive(From(1, incarnation: 9, sentAt: 9000), "lan1", 0);
        Assert.Empty(t.Receive(From(50, incarnation: 3, sentAt: 1000), "lan1", 10));
        Assert.Equal(9, t.LastReport("server2")!.Incarnation);
    }

    [Fact]
    public void The_witness_path_keeps_a_peer_online_when_every_interconnect_is_down_but_never_makes_it_join()
    {
        var c = Config();
        c.Cluster.PartitionResolution.Http = new HttpResolution { Url = "http://198.18.1.254:29180", Heartbeat = true };
        var t = new MembershipTable(c, "server1", 1000);
        Assert.Empty(t.Witnessed("server2", 0, 0));            // not joined yet: the witness alone does not make it join
        Assert.Equal(PeerState.Offline, t.StateOf("server2"));
        t.Receive(From(1), "lan1", 0);
        t.Receive(From(1), "lan2", 0);
        Assert.Empty(t.Witnessed("server2", 50, 100));          // first sighting: simply up
        for (long ms = 200; ms <= 3000; ms += 100)
        {
            t.Witnessed("server2", ms - 50, ms);
            var changes = t.Tick(ms);
            Assert.DoesNotContain(changes, x => x is PeerLost);
            if (ms == 1000) Assert.Equal(new MembershipChange[] { new PathDown("server2", "lan1"), new PathDown("server2", "lan2") }, changes);
        }
        Assert.Equal(PeerState.Online, t.StateOf("server2"));
        Assert.Empty(t.Witnessed("server2", 1000, 3100));      // an old sighting changes nothing
        Assert.Equal(new MembershipChange[] { new PeerLost("server2") }, t.Tick(3950 + 1000));
        Assert.Empty(t.Witnessed("server2", 4900, 5000));      // lost stays lost until a real heartbeat
        Assert.Equal(PeerState.Lost, t.StateOf("server2"));
    }

    [Fact]
    public void Without_witness_heartbeat_there_is_no_witness_path()
    {
        var c = Config();
        c.Cluster.PartitionResolution.Http = new HttpResolution { Url = "http://198.18.1.254:29180", Heartbeat = false };
        var t = new MembershipTable(c, "server1", 1000);
        t.Receive(From(1), "lan1", 0);
        Assert.DoesNotContain(MembershipTable.WitnessPath, t.PathAges("server2", 10).Keys);
    }
}
