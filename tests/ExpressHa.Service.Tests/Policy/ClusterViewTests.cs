using ExpressHa.Config;
using ExpressHa.Policy;
using ExpressHa.Service.Heartbeat;
using ExpressHa.Service.Membership;
using ExpressHa.Service.Runtime;

namespace ExpressHa.Service.Tests.Policy;

/// <summary>The cluster view every node builds from its own report and its peers' last reports: who owns a group
/// (<see cref="OwnershipRule"/>), node states, the coordinator.</summary>
public sealed class ClusterViewTests
{
    static readonly ClusterConfig Config = new()
    {
        Cluster = { Name = "c1" },
        Nodes = { new NodeConfig { Name = "server1", Priority = 0 }, new NodeConfig { Name = "server2", Priority = 1 }, new NodeConfig { Name = "server3", Priority = 2 } },
        Groups = { new GroupConfig { Name = "failover1", Servers = { "server1", "server2", "server3" }, Resources = { new ResourceConfig { Name = "app", Type = "exec" } } } },
    };

    /// <summary>One line per node: "name membership service record", membership self|online|lost|offline, record
    /// state@generation of failover1 or "-" for none; a trailing "down" marks it confirmed down.</summary>
    static ClusterView.Inputs Inputs(string self, params string[] lines)
    {
        HeartbeatReport? own = null;
        var states = new Dictionary<string, PeerState>();
        var reports = new Dictionary<string, HeartbeatReport>();
        var down = new HashSet<string>();
        foreach (var line in lines)
        {
            var f = line.Split(' ');
            var report = new HeartbeatReport { Node = f[0], ServiceState = f[2] };
            if (f[3] != "-")
            {
                var (state, gen) = (f[3].Split('@')[0], long.Parse(f[3].Split('@')[1]));
                report.Groups.Add(new GroupReport { Name = "failover1", State = state, Generation = gen, Owner = f[0] });
            }
            if (f.Length > 4 && f[4] == "down") down.Add(f[0]);
            if (f[1] == "self") { own = report; continue; }
            states[f[0]] = Enum.Parse<PeerState>(f[1], ignoreCase: true);
            reports[f[0]] = report;
        }
        own ??= new HeartbeatReport { Node = self };
        return new ClusterView.Inputs(Config, self, own.ServiceState == "suspended" ? NodeState.Suspended : NodeState.Online, own,
            new MembershipSnapshot(states, reports, down, new Dictionary<string, IReadOnlyDictionary<string, long?>>()));
    }

    public static TheoryData<string, string, string[], string?, GroupState, long> Owners => new()
    {
        { "nobody reports the group", "server1", ["server1 self running -", "server2 online running -"], null, GroupState.Offline, 0 },
        { "this node runs it", "server1", ["server1 self running online@3", "server2 online running -"], "server1", GroupState.Online, 3 },
        { "a peer runs it under a newer generation than this node's offline record", "server1",
            ["server1 self running offline@2", "server2 online running online@3"], "server2", GroupState.Online, 3 },
        { "a lost node's newer record still counts", "server1", ["server1 self running offline@4", "server2 lost running online@5"], "server2", GroupState.Online, 5 },
        { "tie: a live node's offline record supersedes a lost node's online one", "server1",
            ["server1 self running offline@4", "server2 lost running online@4"], null, GroupState.Offline, 4 },
        { "tie: a live running record beats a live offline one", "server1", ["server1 self running offline@3", "server2 online running online@3"], "server2", GroupState.Online, 3 },
        { "tie: a suspended peer is live, beats a lost one", "server1",
            ["server1 self running -", "server2 online suspended online@2", "server3 lost running online@2"], "server2", GroupState.Online, 2 },
        { "an offline node's record is no claim (its generation still counts)", "server1",
            ["server1 self running -", "server2 offline running online@9"], null, GroupState.Offline, 9 },
        { "tie: two live copies, seen from the more preferred node", "server1",
            ["server1 self running online@6", "server2 online running online@6"], "server1", GroupState.Online, 6 },
        // Changed by the one ownership rule: before, each node named itself here (its own record came first).
        { "tie: two live copies, seen from the less preferred node", "server2",
            ["server2 self running online@6", "server1 online running online@6"], "server1", GroupState.Online, 6 },
        { "tie: two live peers, the more preferred", "server1",
            ["server1 self running -", "server3 online running online@6", "server2 online running online@6"], "server2", GroupState.Online, 6 },
    };

    [Theory]
    [MemberData(nameof(Owners))]
    public void Owner(string scenario, string self, string[] lines, string? owner, GroupState state, long generation)
    {
        var g = ClusterView.BuildState(Inputs(self, lines)).Groups["failover1"];
        Assert.True((owner, state, generation) == (g.Owner, g.State, g.Generation),
            $"{scenario}: expected {owner ?? "none"} {state} @{generation}, got {g.Owner ?? "none"} {g.State} @{g.Generation}");
    }

    public static TheoryData<string, string, string[], string> Coordinators => new()
    {
        { "this node, the most preferred", "server1", ["server1 self running -", "server2 online running -"], "server1" },
        { "a more preferred peer", "server2", ["server2 self running -", "server1 online running -"], "server1" },
        { "a suspended node does not coordinate", "server2", ["server2 self running -", "server1 online suspended -"], "server2" },
        { "nor a stopped one", "server1", ["server1 self stopped -", "server2 online running -", "server3 online running -"], "server2" },
        { "nor a lost one", "server2", ["server2 self running -", "server1 lost running -"], "server2" },
        { "no service runs: this node", "server3", ["server3 self suspended -", "server1 online stopped -", "server2 lost running -"], "server3" },
    };

    [Theory]
    [MemberData(nameof(Coordinators))]
    public void Coordinator(string scenario, string self, string[] lines, string expected)
        => Assert.True(expected == ClusterView.Coordinator(Inputs(self, lines)), scenario);

    [Fact]
    public void Node_states_come_from_membership_and_service_state()
    {
        var state = ClusterView.BuildState(Inputs("server1", "server1 self running -", "server2 online suspended -", "server3 lost running - down"));
        Assert.Equal((NodeState.Online, false), (state.Nodes["server1"].State, state.Nodes["server1"].ConfirmedDown));
        Assert.Equal((NodeState.Suspended, false), (state.Nodes["server2"].State, state.Nodes["server2"].ConfirmedDown));
        Assert.Equal((NodeState.Lost, true), (state.Nodes["server3"].State, state.Nodes["server3"].ConfirmedDown));
    }

    [Fact]
    public void The_next_generation_is_above_every_report()
    {
        var inputs = Inputs("server1", "server1 self running offline@4", "server2 lost running online@5", "server3 offline running online@7");
        Assert.Equal(7, ClusterView.MaxGeneration(inputs, "failover1"));
        Assert.Equal(8, ClusterView.NextGeneration(inputs, "failover1"));
    }
}
