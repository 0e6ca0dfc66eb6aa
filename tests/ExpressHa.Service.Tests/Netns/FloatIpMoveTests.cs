using ExpressHa.Config;
using Xunit.Abstractions;

namespace ExpressHa.Service.Tests.Netns;

/// <summary>A group holding a floating address on lan1: the address is on the active node's interface and answers;
/// after a move it is gone from the old node and answers from the new one.</summary>
[Trait("Category", TestCategory.Namespace)]
[Collection("Netns")]
public sealed class FloatIpMoveTests : IDisposable
{
    const string Vip = "198.18.1.100";
    readonly NetnsCluster _c;

    public FloatIpMoveTests(ITestOutputHelper output)
    {
        _c = new NetnsCluster(output, g =>
        {
            var vip = new ResourceConfig { Name = "vip", Type = "floatip" };
            vip.Parameters["ip"] = Vip;
            vip.Parameters["prefixLength"] = 24L;
            g.Resources.Add(vip);
        });
    }

    public void Dispose() => _c.Dispose();

    bool Holds(string node) => NetnsCluster.Addresses(_c.Ns(node), "lan1").Contains(Vip + "/24");

    [NeedsFact(Need.Namespaces, "arping")]
    public Task TheFloatingAddressFollowsTheGroup() => _c.Run(async () =>
    {
        _c.StartAll();
        foreach (var n in NetnsCluster.NodeNames)
            await _c.WaitStatus(n, s => s.Nodes.All(x => x.State == "online") && s.Groups[0].State == "online" && s.Groups[0].Owner == "n1",
                TimeSpan.FromSeconds(30), "group g1 (floatip vip) online on n1");

        Assert.True(Holds("n1"), $"{Vip} on n1's lan1: {string.Join(", ", NetnsCluster.Addresses(_c.Ns("n1"), "lan1"))}");
        Assert.False(Holds("n2"), $"{Vip} must not be on n2 while n1 runs the group");
        Assert.True(NetnsCluster.Ping(_c.Switch, Vip, TimeSpan.FromSeconds(5)), $"a client on lan1 (the switch, 198.18.1.254) pings {Vip} on n1");
        Assert.True(NetnsCluster.Ping(_c.Ns("n2"), Vip, TimeSpan.FromSeconds(5)), $"n2 pings {Vip} on n1");

        using (var client = _c.Client("n1"))
        {
            var result = await client.MoveGroupAsync("g1", "n2");
            Assert.True(result.Ok, result.Message);
        }
        foreach (var n in NetnsCluster.NodeNames)
            await _c.WaitStatus(n, s => s.Groups[0].State == "online" && s.Groups[0].Owner == "n2", TimeSpan.FromSeconds(20), "group g1 online on n2 after the move");

        Assert.False(Holds("n1"), $"{Vip} must be gone from n1 after the move: {string.Join(", ", NetnsCluster.Addresses(_c.Ns("n1"), "lan1"))}");
        Assert.True(Holds("n2"), $"{Vip} on n2's lan1: {string.Join(", ", NetnsCluster.Addresses(_c.Ns("n2"), "lan1"))}");
        Assert.Contains("198.18.1.1/24", NetnsCluster.Addresses(_c.Ns("n1"), "lan1")); // n1's own address stays
        // n1 no longer holds the address, so an answer to n1's ping can only come from n2.
        Assert.True(NetnsCluster.Ping(_c.Ns("n1"), Vip, TimeSpan.FromSeconds(5)), $"n1 pings {Vip}, now on n2");
        Assert.True(NetnsCluster.Ping(_c.Switch, Vip, TimeSpan.FromSeconds(5)), $"the client on lan1 pings {Vip}, now on n2");
    });
}
