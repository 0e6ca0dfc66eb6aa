using ExpressHa.Service.Resources;
using static ExpressHa.Service.Tests.AwsResources.AwsWorld;

namespace ExpressHa.Service.Tests.AwsResources;

/// <summary>The start-up probe of awsvip, awseip, awssip and awsdns against the local AWS endpoint through the real
/// SDK: active on the node the resource points at, inactive on the other, unknown when AWS fails (never active by guess).</summary>
public sealed class AwsProbeTests
{
    static readonly (string, object)[] VipNoOs = { ("ip", Vip), ("vpcId", VpcId), ("timeoutSeconds", 10L), ("interface", "none") };

    [Fact]
    public async Task Awsvip_WithoutOsAddress_IsUnknownWhereverTheRoutesPoint()
    {
        // The routes stay on the last owner after a clean stop: a route pointing here is no sign of a running resource.
        await using var w = await StartAsync(s => { foreach (var t in s.RouteTables) t.Routes.Single(r => r.Destination == Vip + "/32").Target = Eni2; });
        var c1 = w.Ctx(Server1, "awsvip1", "awsvip", VipNoOs);
        var c2 = w.Ctx(Server2, "awsvip1", "awsvip", VipNoOs);
        Assert.Equal(ResourceProbe.Unknown, await w.VipDriver(Server1).ProbeAsync(c1, default));
        Assert.Equal(ResourceProbe.Unknown, await w.VipDriver(Server2).ProbeAsync(c2, default));

        await w.VipDriver(Server1).StartAsync(c1, default);
        Assert.Equal(Eni1, w.RouteTarget(RtbA, Vip + "/32"));
        Assert.Equal(ResourceProbe.Unknown, await w.VipDriver(Server1).ProbeAsync(c1, default));
        Assert.Equal(ResourceProbe.Unknown, await w.VipDriver(Server2).ProbeAsync(c2, default));
        Assert.Equal(ResourceProbe.Unknown, await w.VipDriver(Server1).ProbeAsync(w.Ctx(Server1, "awsvip1", "awsvip", ("ip", "not-an-ip"), ("vpcId", VpcId), ("interface", "none")), default));
    }

    [Fact]
    public async Task Awsvip_WithOsAddress_ActiveWhileTheOsHoldsIt_RoutesLeftByACleanStopAreInactive()
    {
        await using var w = await StartAsync();
        var p = new (string, object)[] { ("ip", Vip), ("vpcId", VpcId), ("timeoutSeconds", 10L), ("eni", PerNode(Eni1, Eni2)) };
        var c1 = w.Ctx(Server1, "awsvip1", "awsvip", p);
        await w.VipDriver(Server1).StartAsync(c1, default);
        Assert.Equal(ResourceProbe.Active, await w.VipDriver(Server1).ProbeAsync(c1, default));
        await w.VipDriver(Server1).StopAsync(c1, default);
        Assert.Equal(Eni1, w.RouteTarget(RtbA, Vip + "/32")); // the route stays on the last owner
        Assert.Equal(ResourceProbe.Inactive, await w.VipDriver(Server1).ProbeAsync(c1, default));
    }

    [Fact]
    public async Task Awseip_ActiveWhereAssociated_UnknownOnMissingAllocationDeniedOrTimeout()
    {
        await using var w = await StartAsync();
        var p = new (string, object)[] { ("allocationId", Eip2), ("timeoutSeconds", 10L) };
        var c1 = w.Ctx(Server1, "awseip1", "awseip", p);
        var c2 = w.Ctx(Server2, "awseip1", "awseip", p);
        await w.EipDriver(Server1).StartAsync(c1, default);
        Assert.Equal(ResourceProbe.Active, await w.EipDriver(Server1).ProbeAsync(c1, default));
        Assert.Equal(ResourceProbe.Inactive, await w.EipDriver(Server2).ProbeAsync(c2, default));
        await w.EipDriver(Server2).StartAsync(c2, default);
        Assert.Equal(ResourceProbe.Inactive, await w.EipDriver(Server1).ProbeAsync(c1, default));
        Assert.Equal(ResourceProbe.Active, await w.EipDriver(Server2).ProbeAsync(c2, default));
        await w.EipDriver(Server2).StopAsync(c2, default);
        Assert.Equal(ResourceProbe.Inactive, await w.EipDriver(Server2).ProbeAsync(c2, default));

        Assert.Equal(ResourceProbe.Unknown, await w.EipDriver(Server1).ProbeAsync(w.Ctx(Server1, "awseip1", "awseip", ("allocationId", "eipalloc-x")), default));
        await w.EipDriver(Server1).StartAsync(c1, default);
        w.Faults.Hang("ec2:DescribeAddresses", 100, 5000);
        Assert.Equal(ResourceProbe.Unknown, await w.EipDriver(Server1).ProbeAsync(w.Ctx(Server1, "awseip1", "awseip", ("allocationId", Eip2), ("timeoutSeconds", 2L)), default));
        w.Faults.Clear();
        w.World.Write(s => s.DeniedActions.Add("ec2:DescribeAddresses"));
        Assert.Equal(ResourceProbe.Unknown, await w.EipDriver(Server1).ProbeAsync(c1, default));
    }

    [Fact]
    public async Task Awssip_ActiveWhileTheEniOrTheOsHoldsIt_UnknownOnAwsError()
    {
        await using var w = await StartAsync(s => { var e2 = s.Enis.Single(e => e.Id == Eni2); e2.Subnet = "subnet-0private0000000a"; e2.PrivateIp = "10.0.110.11"; s.Instances.Single(i => i.Id == Node2).Az = "ap-northeast-1a"; });
        var p = new (string, object)[] { ("ip", "10.0.110.50"), ("timeoutSeconds", 10L) };
        var c1 = w.Ctx(Server1, "awssip1", "awssip", p);
        var c2 = w.Ctx(Server2, "awssip1", "awssip", p);
        await w.SipDriver(Server1).StartAsync(c1, default);
        Assert.Equal(ResourceProbe.Active, await w.SipDriver(Server1).ProbeAsync(c1, default));
        Assert.Equal(ResourceProbe.Inactive, await w.SipDriver(Server2).ProbeAsync(c2, default));

        await w.SipDriver(Server2).StartAsync(c2, default); // reassigned on the AWS side; server1's OS still holds it
        Assert.Equal(ResourceProbe.Active, await w.SipDriver(Server1).ProbeAsync(c1, default));
        w.Os(Server1).Addresses.Clear();
        Assert.Equal(ResourceProbe.Inactive, await w.SipDriver(Server1).ProbeAsync(c1, default));
        w.Os(Server2).Addresses.Clear();
        Assert.Equal(ResourceProbe.Active, await w.SipDriver(Server2).ProbeAsync(c2, default)); // the ENI alone is enough

        w.World.Write(s => s.DeniedActions.Add("ec2:DescribeNetworkInterfaces"));
        Assert.Equal(ResourceProbe.Unknown, await w.SipDriver(Server2).ProbeAsync(c2, default));
    }

    [Fact]
    public async Task Awsdns_ActiveWhereTheRecordHoldsOurAddress_UnknownForAMissingZone()
    {
        const string name = "cluster.srv.hz1.local.";
        await using var w = await StartAsync();
        w.World.Write(s => s.HostedZones[0].Records.RemoveAll(r => r.Name == name && r.Type == "A"));
        var p = new (string, object)[] { ("hostedZoneId", Zone), ("recordName", name), ("insyncIntervalSeconds", 1L), ("timeoutSeconds", 10L) };
        var c1 = w.Ctx(Server1, "awsdns1", "awsdns", p);
        var c2 = w.Ctx(Server2, "awsdns1", "awsdns", p);
        Assert.Equal(ResourceProbe.Inactive, await w.DnsDriver(Server1).ProbeAsync(c1, default));
        await w.DnsDriver(Server1).StartAsync(c1, default);
        Assert.Equal(ResourceProbe.Active, await w.DnsDriver(Server1).ProbeAsync(c1, default));
        Assert.Equal(ResourceProbe.Inactive, await w.DnsDriver(Server2).ProbeAsync(c2, default));
        await w.DnsDriver(Server2).StartAsync(c2, default);
        Assert.Equal(ResourceProbe.Inactive, await w.DnsDriver(Server1).ProbeAsync(c1, default));
        Assert.Equal(ResourceProbe.Active, await w.DnsDriver(Server2).ProbeAsync(c2, default));

        Assert.Equal(ResourceProbe.Unknown, await w.DnsDriver(Server2).ProbeAsync(
            w.Ctx(Server2, "awsdns1", "awsdns", ("hostedZoneId", "Z0NOSUCHZONE"), ("recordName", name), ("timeoutSeconds", 5L)), default));
    }
}
