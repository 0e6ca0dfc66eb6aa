using ExpressHa.Policy;
using ExpressHa.Service.Heartbeat;
using ExpressHa.Service.Membership;
using ExpressHa.Service.Runtime;

namespace ExpressHa.Service.Tests.Policy;

/// <summary>A starting node seeds its ownership generations from its journal, and the next ownership of a group takes a
/// generation above every one any node reports or journaled.</summary>
public sealed class GenerationSeedTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("expressha-genseed-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_seed_is_the_highest_generation_the_journal_recorded_per_group()
    {
        var journal = new OwnershipJournal(_dir, "server1");
        journal.Record("failover1", GroupState.Starting, 3, "server1");
        journal.Record("failover1", GroupState.Online, 3, "server1");
        journal.Record("failover1", GroupState.Stopping, 3, "server1", next: "server2");
        journal.Record("failover1", GroupState.Offline, 5, null);   // marked offline after server2 ran it under 4
        journal.Record("failover1", GroupState.Offline, 2, null);   // an older generation later in the file does not lower it
        journal.Record("failover2", GroupState.Online, 1, "server1");
        journal.Record("failover3", GroupState.Offline, 0, null);
        File.AppendAllText(Path.Combine(_dir, OwnershipJournal.FileName), "{\"time\":\"torn");

        var seed = GenerationSeed.Highest(OwnershipJournal.Read(_dir));
        Assert.Equal(new Dictionary<string, long> { ["failover1"] = 5, ["failover2"] = 1 }, seed);
        Assert.Empty(GenerationSeed.Highest(OwnershipJournal.Read(Path.Combine(_dir, "no-such-dir"))));
    }

    [Fact]
    public void Next_is_one_above_the_newest_report_and_every_journal()
    {
        var j1 = new Dictionary<string, long> { ["failover1"] = 7 };
        var j2 = new Dictionary<string, long> { ["failover1"] = 9, ["failover2"] = 30 };
        Assert.Equal(10, GenerationSeed.Next(0, [j1, j2, null], "failover1"));
        Assert.Equal(13, GenerationSeed.Next(12, [j1, j2], "failover1"));
        Assert.Equal(1, GenerationSeed.Next(0, [j1], "failover2"));
        Assert.Equal(1, GenerationSeed.Next(0, [], "failover1"));
    }

    [Fact]
    public void After_every_node_restarted_the_view_takes_the_generation_above_the_peers_journal()
    {
        var config = ScenarioFile.Load(Path.Combine(ScenarioFile.ScenarioDirectory(), "78-restart-releases-leftovers.scenario")).Config;
        // Both nodes freshly started: nothing reported, only the journals remember (server2 ran the group last, under 4).
        var self = new HeartbeatReport { Node = "server1", JournalGenerations = new() { ["failover1"] = 3 } };
        var peer = new HeartbeatReport { Node = "server2", JournalGenerations = new() { ["failover1"] = 4 } };
        ClusterView.Inputs Inputs(HeartbeatReport? peerReport) => new(config, "server1", NodeState.Online, self, new MembershipSnapshot(
            new Dictionary<string, PeerState> { ["server2"] = peerReport != null ? PeerState.Online : PeerState.Offline },
            peerReport != null ? new Dictionary<string, HeartbeatReport> { ["server2"] = peerReport } : new Dictionary<string, HeartbeatReport>(),
            new HashSet<string>(), new Dictionary<string, IReadOnlyDictionary<string, long?>>()));

        Assert.Equal(0, ClusterView.MaxGeneration(Inputs(peer), "failover1"));
        Assert.Equal(5, ClusterView.NextGeneration(Inputs(peer), "failover1"));
        Assert.Equal(4, ClusterView.NextGeneration(Inputs(null), "failover1"));   // its own journal alone
        // the journal floor is no claim on the group: the view still shows it offline and unowned
        var state = ClusterView.BuildState(Inputs(peer));
        Assert.Equal((GroupState.Offline, (string?)null), (state.Groups["failover1"].State, state.Groups["failover1"].Owner));
    }
}
