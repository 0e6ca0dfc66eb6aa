using ExpressHa.Config;
using ExpressHa.Policy;

namespace ExpressHa.Service.Tests.Policy;

public class DependencyOrderTests
{
    static GroupConfig Group(params (string Name, string[] Deps)[] resources) => new()
    {
        Name = "g",
        Servers = { "a", "b" },
        Resources = resources.Select(r => new ResourceConfig { Name = r.Name, Type = "exec", DependsOn = r.Deps.ToList() }).ToList(),
    };

    static string Names(IEnumerable<ResourceConfig> rs) => string.Join(" ", rs.Select(r => r.Name));

    [Fact]
    public void IndependentResourcesKeepConfigOrder()
        => Assert.Equal("c a b", Names(DependencyOrder.StartOrder(Group(("c", []), ("a", []), ("b", [])))));

    [Fact]
    public void DependenciesComeFirst()
        => Assert.Equal("ip app", Names(DependencyOrder.StartOrder(Group(("app", ["ip"]), ("ip", [])))));

    [Fact]
    public void DiamondBreaksTiesByConfigOrder()
    {
        var g = Group(("app", ["fs", "ip"]), ("ip", ["disk"]), ("fs", ["disk"]), ("disk", []), ("log", []));
        Assert.Equal("disk ip fs app log", Names(DependencyOrder.StartOrder(g)));
        Assert.Equal("log app fs ip disk", Names(DependencyOrder.StopOrder(g)));
    }

    [Fact]
    public void StopIsTheExactReverseOfStart()
    {
        var g = Group(("e", ["d"]), ("d", ["b", "c"]), ("c", ["a"]), ("b", ["a"]), ("a", []), ("f", ["a"]));
        Assert.Equal(DependencyOrder.StartOrder(g).Reverse().Select(r => r.Name), DependencyOrder.StopOrder(g).Select(r => r.Name));
    }

    [Fact]
    public void UnknownDependenciesAreIgnoredAndCyclesStayDeterministic()
    {
        Assert.Equal("a b", Names(DependencyOrder.StartOrder(Group(("a", ["ghost"]), ("b", ["a"])))));
        Assert.Equal("z x y", Names(DependencyOrder.StartOrder(Group(("x", ["y"]), ("y", ["x"]), ("z", [])))));
    }

    [Fact]
    public void WithDependentsFollowsTransitiveDependents()
    {
        var g = Group(("app", ["fs", "ip"]), ("ip", ["disk"]), ("fs", ["disk"]), ("disk", []), ("log", []));
        Assert.Equal("fs app", Names(DependencyOrder.WithDependents(g, "fs")));
        Assert.Equal("disk ip fs app", Names(DependencyOrder.WithDependents(g, "disk")));
        Assert.Equal("log", Names(DependencyOrder.WithDependents(g, "log")));
    }
}

public class PlacementTests
{
    static readonly GroupConfig G = new() { Name = "g", Servers = { "s1", "s2", "s3" } };

    static ClusterState State(params (string, NodeState)[] nodes)
    {
        var s = new ClusterState();
        foreach (var (n, st) in nodes) s.Nodes[n] = new NodeStatus { State = st };
        return s;
    }

    [Fact]
    public void FirstOnlineSkipsSuspendedLostAndOffline()
    {
        var s = State(("s1", NodeState.Suspended), ("s2", NodeState.Lost), ("s3", NodeState.Online));
        Assert.Equal("s3", Placement.FirstOnline(G, s));
        Assert.Null(Placement.FirstOnline(G, s, "s3"));
    }

    [Fact]
    public void NextAfterWrapsRound()
    {
        var s = State(("s1", NodeState.Online), ("s2", NodeState.Online), ("s3", NodeState.Offline));
        Assert.Equal("s1", Placement.NextAfter(G, s, "s2"));
        Assert.Equal("s2", Placement.NextAfter(G, s, "s1"));
        Assert.Null(Placement.NextAfter(G, State(("s1", NodeState.Online)), "s1"));
    }

    [Fact]
    public void RefusalNamesTheProblem()
    {
        var s = State(("s1", NodeState.Online), ("s2", NodeState.Offline));
        Assert.Null(Placement.Refusal(G, s, "s1"));
        Assert.Contains("not online", Placement.Refusal(G, s, "s2"));
        Assert.Contains("not one of the servers", Placement.Refusal(G, s, "s9"));
    }
}
