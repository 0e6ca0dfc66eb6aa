using ExpressHa.Service.Watchdog;

namespace ExpressHa.Service.Tests.Watchdog;

/// <summary>Table of <see cref="FeedRule.Decide"/>: when a node feeds its watchdog.</summary>
public class FeedRuleTests
{
    static PeerFeedView P(PeerStanding s, bool settled = false, long? proofAge = 100) => new("n2", s, settled, proofAge);

    public static TheoryData<string, bool, bool, bool, PeerFeedView[], bool, string> Cases => new()
    {
        // name, loops alive, lost resolution, survivors rely on the watchdog, peers → feed, reason contains (this node runs a group)
        { "healthy pair", true, false, true, new[] { P(PeerStanding.Online) }, true, "healthy" },
        { "alone: the peer never heard", true, false, true, new[] { P(PeerStanding.NeverHeard, proofAge: null) }, true, "healthy" },
        { "stalled loops", false, false, true, new[] { P(PeerStanding.Online) }, false, "stalled" },
        { "lost resolution", true, true, true, new[] { P(PeerStanding.Online) }, false, "lost partition resolution" },
        { "lost resolution, even with fencing", true, true, false, new[] { P(PeerStanding.Online) }, false, "lost partition resolution" },
        { "peer lost, resolution pending", true, false, true, new[] { P(PeerStanding.Lost) }, false, "not let this node survive" },
        { "peer lost, survived", true, false, true, new[] { P(PeerStanding.Lost, settled: true) }, true, "healthy" },
        { "peer lost, with fencing", true, false, false, new[] { P(PeerStanding.Lost) }, true, "fencing" },
        { "one-way loss: the peer stopped echoing", true, false, true, new[] { P(PeerStanding.Online, proofAge: 1001) }, false, "one-way" },
        { "proof exactly at the timeout still feeds", true, false, true, new[] { P(PeerStanding.Online, proofAge: 1000) }, true, "healthy" },
        { "online peer with no proof at all", true, false, true, new[] { P(PeerStanding.Online, proofAge: null) }, false, "never shown" },
        { "one-way loss with fencing: the fence guards", true, false, false, new[] { P(PeerStanding.Online, proofAge: 5000) }, true, "fencing" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decides(string name, bool loopsAlive, bool lostResolution, bool rely, PeerFeedView[] peers, bool feed, string reason)
    {
        var v = FeedRule.Decide(new FeedInputs
        {
            LoopsAlive = loopsAlive, LostResolution = lostResolution, SurvivorsRelyOnWatchdog = rely, HeartbeatTimeoutMs = 1000, Peers = peers,
            RunsGroups = true,
        });
        Assert.True(v.Feed == feed, $"{name}: expected feed={feed}, got {v}");
        Assert.Contains(reason, v.Reason);
    }

    [Theory]
    [InlineData(300, 301L, false)]
    [InlineData(300, 300L, true)]
    [InlineData(null, 999L, true)]
    [InlineData(null, 1001L, false)]
    public void An_online_peers_proof_may_be_as_old_as_the_lease_or_else_the_heartbeat_timeout(int? lease, long proofAge, bool feed)
    {
        var v = FeedRule.Decide(new FeedInputs
        {
            LoopsAlive = true, LostResolution = false, SurvivorsRelyOnWatchdog = true, HeartbeatTimeoutMs = 1000, ProofLeaseMs = lease,
            RunsGroups = true, Peers = new[] { P(PeerStanding.Online, proofAge: proofAge) },
        });
        Assert.Equal(feed, v.Feed);
        if (!feed) Assert.Contains($"lease {lease ?? 1000} ms", v.Reason);
    }

    [Theory]
    [InlineData(true, false, false, "healthy (runs no group)")]
    [InlineData(true, true, false, "lost partition resolution")]
    [InlineData(false, false, false, "stalled")]
    public void A_node_that_runs_no_group_is_fed_while_it_resolves_a_loss_but_not_once_it_lost_or_stalled(bool loops, bool lost, bool dummy, string reason)
    {
        var v = FeedRule.Decide(new FeedInputs
        {
            LoopsAlive = loops, LostResolution = lost, SurvivorsRelyOnWatchdog = true, HeartbeatTimeoutMs = 1000, RunsGroups = dummy,
            Peers = new[] { P(PeerStanding.Lost), P(PeerStanding.Online, proofAge: 5000) },
        });
        Assert.Equal(loops && !lost, v.Feed);
        Assert.Contains(reason, v.Reason);
    }

    [Fact]
    public void The_feeder_looks_several_times_per_countdown()
    {
        Assert.Equal(80, FeedRule.PeriodMs(200, 400));
        Assert.Equal(100, FeedRule.PeriodMs(200, 5000));
        Assert.Equal(500, FeedRule.PeriodMs(1000, 60000));
    }
}
