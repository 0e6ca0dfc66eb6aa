using ExpressHa.Service.Runtime;

namespace ExpressHa.Service.Tests.Policy;

/// <summary>The one ownership rule: generation, then a live node, then a held record, then the more preferred node.</summary>
public sealed class OwnershipRuleTests
{
    static OwnershipClaim C(string node, long gen, bool live = true, bool held = true, int priority = -1)
        => new(node, gen, live, held, priority >= 0 ? priority : node switch { "server1" => 0, "server2" => 1, _ => 2 });

    public static TheoryData<string, OwnershipClaim, OwnershipClaim, string> Cases => new()
    {
        { "higher generation wins", C("server2", 5), C("server1", 4), "server2" },
        { "higher generation wins over a live node", C("server2", 5, live: false), C("server1", 4), "server2" },
        { "higher generation wins even offline", C("server2", 5, held: false), C("server1", 4), "server2" },
        { "tie: live beats lost", C("server2", 4), C("server1", 4, live: false), "server2" },
        { "tie: a live offline record beats a lost node's online one", C("server2", 4, held: false), C("server1", 4, live: false), "server2" },
        { "tie: held beats offline", C("server2", 4), C("server1", 4, held: false), "server2" },
        { "tie: both live and held, the more preferred node", C("server1", 4), C("server2", 4), "server1" },
        { "tie: both lost and held, the more preferred node", C("server1", 4, live: false), C("server3", 4, live: false), "server1" },
        { "tie: equal priority, the lower name", C("server2", 4, priority: 1), C("server3", 4, priority: 1), "server2" },
        { "priority before name", C("serverB", 4, priority: 0), C("serverA", 4, priority: 1), "serverB" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Compares(string scenario, OwnershipClaim a, OwnershipClaim b, string winner)
    {
        Assert.True(Math.Sign(OwnershipRule.Compare(a, b)) == -Math.Sign(OwnershipRule.Compare(b, a)), $"{scenario}: not antisymmetric");
        Assert.True(winner == OwnershipRule.Newest([a, b])!.Node, $"{scenario}: expected {winner}");
        Assert.True(winner == OwnershipRule.Newest([b, a])!.Node, $"{scenario}: expected {winner} whatever the order");
    }

    [Fact]
    public void Newest_of_none_is_null() => Assert.Null(OwnershipRule.Newest([]));

    [Fact]
    public void Newest_does_not_depend_on_the_order_of_the_records()
    {
        OwnershipClaim[] claims = [C("server3", 7), C("server2", 7, held: false), C("server1", 7, live: false), C("server2", 6)];
        foreach (var order in Permutations(claims))
            Assert.Equal("server3", OwnershipRule.Newest(order)!.Node);
    }

    static IEnumerable<OwnershipClaim[]> Permutations(OwnershipClaim[] items)
    {
        if (items.Length <= 1) { yield return items; yield break; }
        for (var i = 0; i < items.Length; i++)
            foreach (var rest in Permutations(items.Where((_, j) => j != i).ToArray()))
                yield return [items[i], .. rest];
    }
}
