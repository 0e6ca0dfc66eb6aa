using ExpressHa.Config;
using ExpressHa.Service.Heartbeat;
using ExpressHa.Service.Runtime;

namespace ExpressHa.Service.Tests.Policy;

/// <summary>Which copy this node (server2, priority 1) must stop: a live peer runs the same group under a newer ownership
/// (<see cref="OwnershipRule"/>).</summary>
public sealed class StaleOwnershipTests
{
    static readonly ClusterConfig Config = new()
    {
        Cluster = { Name = "c1" },
        Nodes = { new NodeConfig { Name = "server1", Priority = 0 }, new NodeConfig { Name = "server2", Priority = 1 }, new NodeConfig { Name = "server3", Priority = 2 } },
    };

    static GroupReport G(string state, long gen) => new() { Name = "failover1", State = state, Generation = gen };

    static HeartbeatReport Peer(string node, string state, long gen) => new() { Node = node, Groups = [G(state, gen)] };

    public static TheoryData<string, string, long, HeartbeatReport[], string?> Cases => new()
    {
        { "nobody else runs it", "online", 5, [], null },
        { "a peer runs it under a newer generation", "online", 5, [Peer("server1", "online", 6)], "server1" },
        { "a less preferred peer under a newer generation", "online", 5, [Peer("server3", "online", 6)], "server3" },
        { "a peer starts it under a newer generation", "online", 5, [Peer("server1", "starting", 6)], "server1" },
        { "this node is still starting its stale copy", "starting", 5, [Peer("server1", "online", 6)], "server1" },
        { "tie: a more preferred peer under the same generation", "online", 5, [Peer("server1", "online", 5)], "server1" },
        { "tie: a less preferred peer under the same generation", "online", 5, [Peer("server3", "online", 5)], null },
        { "a peer with an older generation", "online", 5, [Peer("server1", "online", 4)], null },
        { "a peer that records it offline", "online", 5, [Peer("server1", "offline", 9)], null },
        { "a peer that is stopping it", "online", 5, [Peer("server1", "stopping", 9)], null },
        { "this node does not run it", "stopping", 5, [Peer("server1", "online", 6)], null },
        { "two peers: the first found holds it", "online", 5, [Peer("server3", "online", 7), Peer("server1", "online", 6)], "server3" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decides(string scenario, string myState, long myGeneration, HeartbeatReport[] peers, string? holder)
    {
        var found = StaleOwnership.Find(Config, "server2", [G(myState, myGeneration)], peers);
        Assert.True(found.Count == (holder == null ? 0 : 1), $"{scenario}: expected {(holder == null ? "nothing" : "a stop")}, got {found.Count}");
        if (holder != null) Assert.Equal(("failover1", holder), found[0]);
    }
}
