using ExpressHa.Config;
using ExpressHa.Service.Partition;

namespace ExpressHa.Service.Tests.Partition;

/// <summary>Golden cases of <see cref="PartitionDecision.Decide"/>: inputs in, Survive/Stop and the reason out.</summary>
public class PartitionDecisionTests
{
    static readonly CheckResult Up = CheckResult.Ok("answered");
    static readonly CheckResult Down = CheckResult.Failed("no answer");

    static List<NodeConfig> Nodes(params (string Name, int Priority)[] nodes)
        => nodes.Select(n => new NodeConfig { Name = n.Name, Priority = n.Priority }).ToList();

    static readonly List<NodeConfig> Two = Nodes(("n1", 0), ("n2", 1));
    static readonly List<NodeConfig> Three = Nodes(("n1", 0), ("n2", 1), ("n3", 2));

    static PartitionResolutionSettings WithWitness() => new() { Http = new HttpResolution { Url = "http://w:8080" } };
    static PartitionResolutionSettings WithPing() => new() { Ping = new PingResolution { Targets = { "10.0.0.1" } } };
    static PartitionResolutionSettings WithTcp() => new() { Tcp = new TcpResolution { Host = "ec2.ap-northeast-1.amazonaws.com", Port = 443 } };
    static PartitionResolutionSettings WithMajority() => new() { Majority = true };

    static WitnessResult Witness(params (string Node, long AgeMs)[] ages)
        => new(true, "ok", ages.ToDictionary(a => a.Node, a => a.AgeMs), new Dictionary<string, IReadOnlyList<string>>());

    static PartitionVerdict Decide(PartitionResolutionSettings s, string self, List<NodeConfig> nodes, string[] visible,
        CheckResult? ping = null, CheckResult? tcp = null, WitnessResult? witness = null)
        => PartitionDecision.Decide(new PartitionInputs
        {
            Settings = s, Self = self, Nodes = nodes, VisiblePeers = visible, Ping = ping, Tcp = tcp, Witness = witness,
            WitnessSeenWithinMs = 1500,
        });

    static void AssertVerdict(PartitionVerdict v, PartitionOutcome expected, string reasonContains)
    {
        Assert.True(v.Outcome == expected, $"expected {expected}, got {v}");
        Assert.Contains(reasonContains, v.Reason);
    }

    // ---- two nodes + witness

    [Fact]
    public void Witness_InterconnectBroken_BothReachWitness_PreferredSurvives()
        => AssertVerdict(Decide(WithWitness(), "n1", Two, [], witness: Witness(("n1", 5), ("n2", 300))),
            PartitionOutcome.Survive, "this side holds n1 (priority 0)");

    [Fact]
    public void Witness_InterconnectBroken_BothReachWitness_OtherStops()
        => AssertVerdict(Decide(WithWitness(), "n2", Two, [], witness: Witness(("n1", 300), ("n2", 5))),
            PartitionOutcome.Stop, "the other side holds n1 (priority 0)");

    [Fact]
    public void Witness_PeerDead_WitnessNoLongerSeesIt_SecondarySurvives()
        => AssertVerdict(Decide(WithWitness(), "n2", Two, [], witness: Witness(("n1", 4000), ("n2", 5))),
            PartitionOutcome.Survive, "does not see n1");

    [Fact]
    public void Witness_PeerNeverPosted_Survive()
        => AssertVerdict(Decide(WithWitness(), "n2", Two, [], witness: Witness(("n2", 5))),
            PartitionOutcome.Survive, "does not see n1");

    [Fact]
    public void Witness_Unreachable_Stop_EvenThePreferredNode()
        => AssertVerdict(Decide(WithWitness(), "n1", Two, [], witness: WitnessResult.Unreachable("connection refused")),
            PartitionOutcome.Stop, "witness unreachable from this node (connection refused)");

    [Fact]
    public void Witness_NotChecked_Stop()
        => AssertVerdict(Decide(WithWitness(), "n1", Two, []), PartitionOutcome.Stop, "witness not checked");

    [Fact]
    public void Witness_EqualPriorities_BrokenByName()
    {
        var nodes = Nodes(("a", 5), ("b", 5));
        AssertVerdict(Decide(WithWitness(), "a", nodes, [], witness: Witness(("a", 1), ("b", 1))), PartitionOutcome.Survive, "this side holds a");
        AssertVerdict(Decide(WithWitness(), "b", nodes, [], witness: Witness(("a", 1), ("b", 1))), PartitionOutcome.Stop, "the other side holds a");
    }

    [Fact]
    public void Witness_PriorityNumberNotListOrder_Decides()
    {
        var nodes = Nodes(("n1", 7), ("n2", 2));
        AssertVerdict(Decide(WithWitness(), "n1", nodes, [], witness: Witness(("n1", 1), ("n2", 1))), PartitionOutcome.Stop, "n2 (priority 2)");
    }

    // ---- two nodes + ping

    [Fact]
    public void Ping_TargetAnswers_Survive()
        => AssertVerdict(Decide(WithPing(), "n2", Two, [], ping: Up), PartitionOutcome.Survive, "ping: answered");

    [Fact]
    public void Ping_NoTargetAnswers_Isolated_Stop()
        => AssertVerdict(Decide(WithPing(), "n1", Two, [], ping: Down), PartitionOutcome.Stop, "ping: this node is isolated (no answer)");

    [Fact]
    public void Ping_NotChecked_Stop()
        => AssertVerdict(Decide(WithPing(), "n1", Two, []), PartitionOutcome.Stop, "ping not checked");

    // ---- tcp

    [Fact]
    public void Tcp_Connected_Survive()
        => AssertVerdict(Decide(WithTcp(), "n1", Two, [], tcp: CheckResult.Ok("connected")), PartitionOutcome.Survive, "tcp ec2.ap-northeast-1.amazonaws.com:443: connected");

    [Fact]
    public void Tcp_Refused_Stop()
        => AssertVerdict(Decide(WithTcp(), "n1", Two, [], tcp: CheckResult.Failed("ConnectionRefused")), PartitionOutcome.Stop, "this node is isolated (ConnectionRefused)");

    // ---- majority

    [Fact]
    public void Majority_ThreeNodes_TwoSide_Survives()
        => AssertVerdict(Decide(WithMajority(), "n3", Three, ["n2"]), PartitionOutcome.Survive, "majority: 2 of 3 nodes visible");

    [Fact]
    public void Majority_ThreeNodes_OneSide_Stops_EvenThePreferred()
        => AssertVerdict(Decide(WithMajority(), "n1", Three, []), PartitionOutcome.Stop, "majority lost: 1 of 3 nodes visible");

    [Fact]
    public void Majority_ThreeNodes_OneOneOne_EveryoneStops()
    {
        foreach (var self in new[] { "n1", "n2", "n3" })
            AssertVerdict(Decide(WithMajority(), self, Three, []), PartitionOutcome.Stop, "1 of 3");
    }

    [Fact]
    public void Majority_FourNodes_TwoTwo_HalfWithLowestPriorityNumberSurvives()
    {
        var four = Nodes(("n1", 3), ("n2", 1), ("n3", 2), ("n4", 4));
        AssertVerdict(Decide(WithMajority(), "n1", four, ["n2"]), PartitionOutcome.Survive, "this half holds n2 (priority 1)");
        AssertVerdict(Decide(WithMajority(), "n2", four, ["n1"]), PartitionOutcome.Survive, "this half holds n2");
        AssertVerdict(Decide(WithMajority(), "n3", four, ["n4"]), PartitionOutcome.Stop, "the other half holds n2 (priority 1)");
        AssertVerdict(Decide(WithMajority(), "n4", four, ["n3"]), PartitionOutcome.Stop, "the other half holds n2");
    }

    [Fact]
    public void Majority_FiveNodes_ThreeTwo()
    {
        var five = Nodes(("n1", 0), ("n2", 1), ("n3", 2), ("n4", 3), ("n5", 4));
        AssertVerdict(Decide(WithMajority(), "n5", five, ["n3", "n4"]), PartitionOutcome.Survive, "3 of 5");
        AssertVerdict(Decide(WithMajority(), "n1", five, ["n2"]), PartitionOutcome.Stop, "2 of 5");
    }

    [Fact]
    public void Majority_UnknownVisiblePeersIgnored()
        => AssertVerdict(Decide(WithMajority(), "n1", Three, ["ghost", "n9"]), PartitionOutcome.Stop, "1 of 3");

    [Fact]
    public void Majority_TwoNodes_Warns()
    {
        var v = Decide(WithMajority(), "n1", Two, []);
        AssertVerdict(v, PartitionOutcome.Survive, "majority tie");
        Assert.Contains(v.Warnings, w => w.Contains("2 node(s)"));
    }

    // ---- combinations

    [Fact]
    public void Combination_PingUp_WitnessPrefersPeer_Stop()
    {
        var s = WithWitness();
        s.Ping = new PingResolution { Targets = { "10.0.0.1" } };
        var v = Decide(s, "n2", Two, [], ping: Up, witness: Witness(("n1", 1), ("n2", 1)));
        AssertVerdict(v, PartitionOutcome.Stop, "the other side holds n1");
        Assert.DoesNotContain("ping", v.Reason);
        Assert.Equal(2, v.Methods.Count);
    }

    [Fact]
    public void Combination_WitnessWins_ButPingLost_Stop()
    {
        var s = WithWitness();
        s.Ping = new PingResolution { Targets = { "10.0.0.1" } };
        AssertVerdict(Decide(s, "n1", Two, [], ping: Down, witness: Witness(("n1", 1), ("n2", 1))), PartitionOutcome.Stop, "ping: this node is isolated");
    }

    [Fact]
    public void Combination_AllPass_Survive_ReasonListsEveryMethod()
    {
        var s = new PartitionResolutionSettings
        {
            Ping = new PingResolution { Targets = { "10.0.0.1" } },
            Tcp = new TcpResolution { Host = "h", Port = 443 },
            Http = new HttpResolution { Url = "http://w" },
            Majority = true,
        };
        var v = Decide(s, "n1", Three, ["n3"], ping: Up, tcp: Up, witness: Witness(("n1", 1), ("n3", 1), ("n2", 9000)));
        AssertVerdict(v, PartitionOutcome.Survive, "ping: answered");
        Assert.Contains("tcp h:443", v.Reason);
        Assert.Contains("does not see n2", v.Reason);
        Assert.Contains("2 of 3", v.Reason);
        Assert.All(v.Methods, m => Assert.True(m.Passed));
    }

    [Fact]
    public void Combination_MajorityAndTcpBothFail_ReasonNamesBoth()
    {
        var s = WithMajority();
        s.Tcp = new TcpResolution { Host = "h", Port = 443 };
        var v = Decide(s, "n2", Three, [], tcp: Down);
        AssertVerdict(v, PartitionOutcome.Stop, "tcp h:443: this node is isolated");
        Assert.Contains("majority lost", v.Reason);
    }

    [Fact]
    public void Witness_ThreeNodes_SideWithPreferredWins()
    {
        // n3 sees n2; both lost n1, which still reaches the witness: n1 (priority 0) is preferred → n3's side stops.
        AssertVerdict(Decide(WithWitness(), "n3", Three, ["n2"], witness: Witness(("n1", 1), ("n2", 1), ("n3", 1))), PartitionOutcome.Stop, "n1 (priority 0)");
        AssertVerdict(Decide(WithWitness(), "n1", Three, [], witness: Witness(("n1", 1), ("n2", 1), ("n3", 1))), PartitionOutcome.Survive, "this side holds n1");
    }

    // ---- nothing configured

    [Fact]
    public void NothingConfigured_Survive_WithWarning()
    {
        var v = Decide(new PartitionResolutionSettings(), "n2", Two, []);
        AssertVerdict(v, PartitionOutcome.Survive, "no partition resolution configured");
        Assert.Single(v.Warnings);
        Assert.Empty(v.Methods);
    }

    [Fact]
    public void SelfNotInNodeList_Warns()
    {
        var v = Decide(WithPing(), "stranger", Two, [], ping: Up);
        Assert.Contains(v.Warnings, w => w.Contains("not in the cluster"));
    }
}
