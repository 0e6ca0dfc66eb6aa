using ExpressHa.Config;
using ExpressHa.Service.Partition;

namespace ExpressHa.Service.Tests.Partition;

public class SidePeersTests
{
    // Heartbeat timeout 1500 ms: a peer counts while heard within 750 ms.
    [Theory]
    [InlineData(true, 100L, true)]
    [InlineData(true, 750L, true)]
    [InlineData(true, 751L, false)]   // still online (its timer runs to 1500 ms) but as silent as the peer just lost
    [InlineData(true, 1300L, false)]
    [InlineData(true, null, false)]   // never heard
    [InlineData(false, 10L, false)]   // lost or offline, whatever the age
    public void A_peer_counts_only_while_online_and_heard_within_half_the_timeout(bool online, long? ageMs, bool counts)
    {
        var side = SidePeers.Select(new[] { new PeerSighting("n3", online, ageMs) }, 1500);
        Assert.Equal(counts, side.Contains("n3"));
    }

    [Fact]
    public void A_node_cut_off_from_both_peers_does_not_count_the_one_whose_timer_runs_out_later()
    {
        // n2 stopped hearing n1 and n3 at the same moment; n1 timed out first, n3's timer has 201 ms left.
        var side = SidePeers.Select(new[] { new PeerSighting("n1", false, 1500), new PeerSighting("n3", true, 1299) }, 1500);
        Assert.Empty(side);
        var verdict = PartitionDecision.Decide(new PartitionInputs
        {
            Settings = new PartitionResolutionSettings { Majority = true },
            Self = "n2",
            Nodes = new[] { new NodeConfig { Name = "n1" }, new NodeConfig { Name = "n2" }, new NodeConfig { Name = "n3" } },
            VisiblePeers = side,
        });
        Assert.Equal(PartitionOutcome.Stop, verdict.Outcome);
    }
}
