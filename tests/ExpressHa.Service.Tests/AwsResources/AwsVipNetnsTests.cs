using ExpressHa.Service.Monitors.Aws;
using ExpressHa.Service.Resources.Aws;
using ExpressHa.Service.Tests.Resources;
using static ExpressHa.Service.Tests.AwsResources.AwsWorld;

namespace ExpressHa.Service.Tests.AwsResources;

/// <summary>awsvip with the real OS step (ip addr add/del through iproute2) in a network namespace, a VIP in
/// 198.18.0.0/15 (outside the VPC's 10.0.0.0/16) routed by the local endpoint's route tables.</summary>
[Trait("Category", TestCategory.Namespace)]
public sealed class AwsVipNetnsTests : IDisposable
{
    const string NsVip = "198.19.0.20";
    readonly NetNs _ns = new();
    readonly string _a;

    public AwsVipNetnsTests()
    {
        _a = _ns.Create("awsvip");
        Sh.Must("ip", "-n", _a, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0p");
        Sh.Must("ip", "-n", _a, "link", "set", "eth0", "up");
    }

    public void Dispose() => _ns.Dispose();

    [NeedsFact(Need.Namespaces)]
    public async Task StartAddsTheVipToTheNamespaceInterface_MonitorOk_StopRemovesItOnly()
    {
        await using var w = await StartAsync(s =>
        {
            foreach (var t in s.RouteTables) t.Routes.Add(new ExpressHa.AwsLocal.Route { Destination = NsVip + "/32", Target = Eni2 });
        });
        var os = new IpCommandAddresses(NetNs.Exec(_a));
        var driver = new AwsVipResource(w.Provider(Server1), os);
        var ctx = w.Ctx(Server1, "awsvip1", "awsvip", ("ip", NsVip), ("vpcId", VpcId), ("interface", "eth0"), ("timeoutSeconds", 10L));

        await driver.StartAsync(ctx, default); // ENI from server1's IMDS
        Assert.Equal(Eni1, w.RouteTarget(RtbA, NsVip + "/32"));
        Assert.Contains($" {NsVip}/32 ", Sh.Must("ip", "-n", _a, "-o", "-4", "addr", "show", "dev", "eth0"));
        var probe = new AwsVipProbe(w.Provider(Server1), os);
        var r = await probe.ProbeAsync(w.MonCtx(ctx, "awsvip"), default);
        Assert.True(r.Healthy, r.Message);

        await driver.StopAsync(ctx, default);
        Assert.DoesNotContain(NsVip, Sh.Must("ip", "-n", _a, "-o", "-4", "addr", "show", "dev", "eth0"));
        Assert.Equal(Eni1, w.RouteTarget(RtbA, NsVip + "/32")); // the route stays on the last owner
        await driver.StopAsync(ctx, default); // idempotent
        Assert.Equal(57, ExpressHa.Service.Monitors.ProbeCodes.Split((await probe.ProbeAsync(w.MonCtx(ctx, "awsvip"), default)).Message).Code);
    }
}
