using ExpressHa.Policy;
using ExpressHa.Service.Resources;
using ExpressHa.Service.Runtime;

namespace ExpressHa.Service.Tests.Policy;

/// <summary>The adopt-or-stop table of a starting service: adopt only when the journal says online here, every
/// resource probes active and every other server still counts this node's previous run as the owner.</summary>
public sealed class LeftoverDecisionTests
{
    const string Self = "server1", Peer = "server2";
    const ResourceProbe A = ResourceProbe.Active, I = ResourceProbe.Inactive, U = ResourceProbe.Unknown;

    static readonly LeftoverJournal OnlineHere = new(GroupState.Online, Self, 4);
    static readonly LeftoverPeer StillCountsUs = new(Peer, PeerSight.CountsPreviousRunOnline, GroupState.Offline, Self, 4, 4);

    public static TheoryData<string, ResourceProbe[], LeftoverJournal?, LeftoverPeer[], LeftoverChoice, string> Cases => new()
    {
        { "clean start, nothing here", [I, I], null, [StillCountsUs], LeftoverChoice.Nothing, "nothing of group" },
        { "clean start, probes unknown", [U, U], null, [StillCountsUs], LeftoverChoice.Nothing, "nothing of group" },
        { "released cleanly last time", [I, I], new(GroupState.Offline, Self, 4), [StillCountsUs], LeftoverChoice.Nothing, "nothing of group" },
        { "quick restart, peer still counts us", [A, A], OnlineHere, [StillCountsUs], LeftoverChoice.Adopt, "resumes online on server1 under generation 4" },
        { "single-server group", [A], OnlineHere, [], LeftoverChoice.Adopt, "no other server can run it" },
        { "active but no journal claim", [A, I], null, [StillCountsUs], LeftoverChoice.Stop, "no journal record" },
        { "journal names another owner", [A, A], new(GroupState.Online, Peer, 4), [StillCountsUs], LeftoverChoice.Stop, "no journal record" },
        { "journal offline, resource found", [A, I], new(GroupState.Offline, Self, 4), [StillCountsUs], LeftoverChoice.Stop, "no journal record" },
        { "left starting", [A, A], new(GroupState.Starting, Self, 4), [StillCountsUs], LeftoverChoice.Stop, "left it starting" },
        { "left stopping", [A, I], new(GroupState.Stopping, Self, 4), [StillCountsUs], LeftoverChoice.Stop, "left it stopping" },
        { "left failed", [A, A], new(GroupState.Failed, Self, 4), [StillCountsUs], LeftoverChoice.Stop, "left it failed" },
        { "journal online, nothing left (daemon died with it)", [I, I], OnlineHere, [StillCountsUs], LeftoverChoice.Stop, "not every resource" },
        { "one resource unknown", [A, U], OnlineHere, [StillCountsUs], LeftoverChoice.Stop, "r2 unknown" },
        { "one resource inactive", [I, A], OnlineHere, [StillCountsUs], LeftoverChoice.Stop, "r1 inactive" },
        { "peer silent", [A, A], OnlineHere, [new(Peer, PeerSight.Silent)], LeftoverChoice.Stop, "did not answer" },
        { "peer declared us lost", [A, A], OnlineHere, [StillCountsUs with { Sight = PeerSight.DeclaredLost }], LeftoverChoice.Stop, "already counts server1 lost" },
        { "peer took it over", [A, A], OnlineHere, [StillCountsUs with { GroupState = GroupState.Online, Owner = Peer, Generation = 5 }], LeftoverChoice.Stop, "reports the group online there" },
        { "peer starting it", [A, A], OnlineHere, [StillCountsUs with { GroupState = GroupState.Starting, Owner = Peer, Generation = 5 }], LeftoverChoice.Stop, "reports the group starting there" },
        { "peer about to start it", [A, A], OnlineHere, [StillCountsUs with { GroupState = GroupState.Pending, Owner = Peer, Generation = 5 }], LeftoverChoice.Stop, "reports the group pending there" },
        { "peer records another owner", [A, A], OnlineHere, [StillCountsUs with { Owner = "server3" }], LeftoverChoice.Stop, "records server3 as its owner" },
        { "peer knows a newer generation", [A, A], OnlineHere, [StillCountsUs with { Generation = 5 }], LeftoverChoice.Stop, "knows generation 5" },
        { "peer's journal knows a newer generation", [A, A], OnlineHere, [StillCountsUs with { JournalGeneration = 6 }], LeftoverChoice.Stop, "knows generation 6" },
        { "older generation on the peer is fine", [A, A], OnlineHere, [StillCountsUs with { Generation = 3, JournalGeneration = 2, Owner = null }], LeftoverChoice.Adopt, "still counts server1" },
        { "one of two peers silent", [A, A], OnlineHere, [StillCountsUs, new("server3", PeerSight.Silent)], LeftoverChoice.Stop, "server3 did not answer" },
        { "both peers count us", [A, A], OnlineHere, [StillCountsUs, StillCountsUs with { Node = "server3" }], LeftoverChoice.Adopt, "server2, server3 still count server1" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decides(string scenario, ResourceProbe[] probes, LeftoverJournal? journal, LeftoverPeer[] peers, LeftoverChoice expected, string reason)
    {
        var verdict = LeftoverDecision.Decide(new LeftoverInputs
        {
            Self = Self,
            Group = "failover1",
            Probes = probes.Select((p, n) => (p, n)).ToDictionary(x => "r" + (x.n + 1), x => x.p),
            Journal = journal,
            Peers = peers,
        });
        Assert.True(expected == verdict.Choice, $"{scenario}: expected {expected}, got {verdict.Choice} ({verdict.Reason})");
        Assert.Contains(reason, verdict.Reason);
    }
}
