using ExpressHa.AwsLocal;
using ExpressHa.Config;
using ExpressHa.Service.Monitors;
using ExpressHa.Service.Monitors.Aws;
using ExpressHa.Service.Resources;
using ExpressHa.Service.Resources.Aws;
using static ExpressHa.Service.Tests.AwsResources.AwsWorld;

namespace ExpressHa.Service.Tests.AwsResources;

/// <summary>awsvip, awseip, awssip, awsdns and their monitors against the local AWS endpoint through the real
/// AWSSDK.EC2 and our Route 53 client.</summary>
public sealed class AwsVipTests
{
    static (string, object)[] VipParams(string? eni1 = Eni1, string vpc = VpcId, string ip = Vip, long timeout = 10)
    {
        var p = new List<(string, object)> { ("ip", ip), ("vpcId", vpc), ("timeoutSeconds", timeout) };
        if (eni1 != null) p.Add(("eni", new SortedDictionary<string, string>(StringComparer.Ordinal) { [Server1] = eni1 }));
        return p.ToArray();
    }

    [Fact]
    public async Task Failover_MovesEveryRoute_MonitorDetectsAChangedRoute_RestartRepairs()
    {
        await using var w = await StartAsync(s => { foreach (var t in s.RouteTables) t.Routes.Single(r => r.Destination == Vip + "/32").Target = Eni2; });
        var p = VipParams(); // server1: eni from the config; server2: from IMDS
        var c1 = w.Ctx(Server1, "awsvip1", "awsvip", p);
        var c2 = w.Ctx(Server2, "awsvip1", "awsvip", p);

        await w.VipDriver(Server1).StartAsync(c1, default);
        foreach (var rtb in new[] { RtbPublic, RtbA, RtbB }) Assert.Equal(Eni1, w.RouteTarget(rtb, Vip + "/32"));
        Assert.Equal((32, "eth0"), w.Os(Server1).Addresses[Vip]);
        Assert.True((await new AwsVipProbe(w.Provider(Server1), w.Os(Server1)).ProbeAsync(w.MonCtx(c1, "awsvip"), default)).Healthy);
        var replaces = w.Faults.Calls("ec2:ReplaceRoute");
        await w.VipDriver(Server1).StartAsync(c1, default); // idempotent: no further ReplaceRoute
        Assert.Equal(replaces, w.Faults.Calls("ec2:ReplaceRoute"));

        // failover: server1 stops (OS address only, the route stays), server2 starts with its ENI from IMDS
        await w.VipDriver(Server1).StopAsync(c1, default);
        Assert.False(w.Os(Server1).Addresses.ContainsKey(Vip));
        Assert.Equal(Eni1, w.RouteTarget(RtbA, Vip + "/32"));
        await w.VipDriver(Server2).StartAsync(c2, default);
        foreach (var rtb in new[] { RtbPublic, RtbA, RtbB }) Assert.Equal(Eni2, w.RouteTarget(rtb, Vip + "/32"));
        Assert.True(w.Os(Server2).Addresses.ContainsKey(Vip));

        // someone points a route elsewhere behind the cluster's back
        var probe = new AwsVipProbe(w.Provider(Server2), w.Os(Server2));
        Assert.True((await probe.ProbeAsync(w.MonCtx(c2, "awsvip"), default)).Healthy);
        w.World.Write(s => s.RouteTables.Single(t => t.Id == RtbB).Routes.Single(r => r.Destination == Vip + "/32").Target = Eni1);
        var bad = await probe.ProbeAsync(w.MonCtx(c2, "awsvip"), default);
        Assert.False(bad.Healthy);
        Assert.False(bad.ApiFailure);
        Assert.Equal(56, ProbeCodes.Split(bad.Message).Code);
        Assert.StartsWith($"The routing for VIP {Vip} was changed.", ProbeCodes.Split(bad.Message).Text);
        Assert.Contains(RtbB, bad.Message);

        // recovery = restart of the resource
        await w.VipDriver(Server2).StopAsync(c2, default);
        await w.VipDriver(Server2).StartAsync(c2, default);
        Assert.Equal(Eni2, w.RouteTarget(RtbB, Vip + "/32"));
        Assert.True((await probe.ProbeAsync(w.MonCtx(c2, "awsvip"), default)).Healthy);

        // the OS address gone → 57
        w.Os(Server2).Addresses.Clear();
        Assert.Equal(57, ProbeCodes.Split((await probe.ProbeAsync(w.MonCtx(c2, "awsvip"), default)).Message).Code);
    }

    [Fact]
    public async Task ErrorPaths_BadVpc_BadEni_InsideCidr_Unauthorized()
    {
        await using var w = await StartAsync();
        var e = await Assert.ThrowsAsync<ResourceException>(() => w.VipDriver(Server1).StartAsync(w.Ctx(Server1, "awsvip1", "awsvip", VipParams(vpc: "vpc-x")), default));
        Assert.Equal(50, e.Code);
        Assert.Equal("The vpc ID 'vpc-x' does not exist", e.Message);

        e = await Assert.ThrowsAsync<ResourceException>(() => w.VipDriver(Server1).StartAsync(w.Ctx(Server1, "awsvip1", "awsvip", VipParams(eni1: "eni-x")), default));
        Assert.Equal(50, e.Code);
        Assert.Equal("The networkInterface ID 'eni-x' does not exist", e.Message);

        e = await Assert.ThrowsAsync<ResourceException>(() => w.VipDriver(Server1).StartAsync(w.Ctx(Server1, "awsvip1", "awsvip", VipParams(ip: "10.0.50.20")), default));
        Assert.Equal(53, e.Code);
        Assert.StartsWith("The VIP address belongs to a VPC subnet.", e.Message);
        Assert.Empty(w.Os(Server1).Addresses);

        w.World.Write(s => s.DeniedActions.Add("ec2:ReplaceRoute"));
        e = await Assert.ThrowsAsync<ResourceException>(() => w.VipDriver(Server2).StartAsync(w.Ctx(Server2, "awsvip1", "awsvip", VipParams()), default));
        Assert.Equal(50, e.Code);
        Assert.Equal("You are not authorized to perform this operation.", e.Message);
        Assert.Empty(w.Os(Server2).Addresses); // nothing added on the OS when AWS refused
    }

    [Fact]
    public async Task Timeout_IsCode9_ThrottledThenSuccess_Retries()
    {
        await using var w = await StartAsync();
        w.Faults.Hang("ec2:ReplaceRoute", count: 100, ms: 5000);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<ResourceException>(() => w.VipDriver(Server2).StartAsync(w.Ctx(Server2, "awsvip1", "awsvip", VipParams(timeout: 3)), default));
        Assert.Equal(9, e.Code);
        Assert.StartsWith("Timeout occurred.", e.Message);
        Assert.InRange(sw.Elapsed.TotalSeconds, 2, 6);
        Assert.True(w.Faults.Calls("ec2:ReplaceRoute") >= 2, "per-call timeout shorter than timeoutSeconds: the call is retried");

        w.Faults.Clear();
        w.Faults.ResetCalls();
        w.Faults.Throttle("ec2:ReplaceRoute", 2);
        await w.VipDriver(Server2).StartAsync(w.Ctx(Server2, "awsvip1", "awsvip", VipParams()), default);
        Assert.Equal(Eni2, w.RouteTarget(RtbA, Vip + "/32"));
        Assert.True(w.Faults.Calls("ec2:ReplaceRoute") >= 3 + 2); // 2 throttled + one success per table (3 tables)
    }
}

public sealed class AwsEipTests
{
    [Fact]
    public async Task Failover_MovesTheAssociation_MonitorAndStop()
    {
        await using var w = await StartAsync();
        var p = new (string, object)[] { ("allocationId", Eip2), ("timeoutSeconds", 10L) };
        var c1 = w.Ctx(Server1, "awseip1", "awseip", p);
        var c2 = w.Ctx(Server2, "awseip1", "awseip", p);
        await w.EipDriver(Server1).StartAsync(c1, default);
        Assert.Equal(Eni1, w.EipEni(Eip2));
        Assert.True((await new AwsEipProbe(w.Provider(Server1)).ProbeAsync(w.MonCtx(c1, "awseip"), default)).Healthy);

        await w.EipDriver(Server2).StartAsync(c2, default); // AllowReassociation: moves without a stop on server1
        Assert.Equal(Eni2, w.EipEni(Eip2));
        var r = await new AwsEipProbe(w.Provider(Server1)).ProbeAsync(w.MonCtx(c1, "awseip"), default);
        Assert.Equal(52, ProbeCodes.Split(r.Message).Code);
        Assert.Contains($"The EIP address does not exist. (EIP ALLOCATION ID={Eip2}", r.Message);

        await w.EipDriver(Server1).StopAsync(c1, default); // not ours any more: left alone
        Assert.Equal(Eni2, w.EipEni(Eip2));
        await w.EipDriver(Server2).StopAsync(c2, default);
        Assert.Null(w.EipEni(Eip2));
        await w.EipDriver(Server2).StopAsync(c2, default); // idempotent
    }

    [Fact]
    public async Task BadAllocation_50_Timeout_53()
    {
        await using var w = await StartAsync();
        var e = await Assert.ThrowsAsync<ResourceException>(() => w.EipDriver(Server1).StartAsync(w.Ctx(Server1, "awseip1", "awseip", ("allocationId", "eipalloc-x")), default));
        Assert.Equal(50, e.Code);
        Assert.Equal("The allocation ID 'eipalloc-x' does not exist", e.Message);

        w.Faults.Hang("ec2:AssociateAddress", 100, 5000);
        e = await Assert.ThrowsAsync<ResourceException>(() => w.EipDriver(Server2).StartAsync(w.Ctx(Server2, "awseip1", "awseip", ("allocationId", Eip1), ("timeoutSeconds", 2L)), default));
        Assert.Equal(53, e.Code);
        Assert.StartsWith("Timeout occurred.", e.Message);
    }
}

public sealed class AwsSipTests
{
    [Fact]
    public async Task AssignReadBackOs_Failover_Monitor_Stop_AndErrors()
    {
        await using var w = await StartAsync(s => { var e2 = s.Enis.Single(e => e.Id == Eni2); e2.Subnet = "subnet-0private0000000a"; e2.PrivateIp = "10.0.110.11"; s.Instances.Single(i => i.Id == Node2).Az = "ap-northeast-1a"; }); // one subnet for both
        var p = new (string, object)[] { ("ip", "10.0.110.50"), ("timeoutSeconds", 10L) };
        var c1 = w.Ctx(Server1, "awssip1", "awssip", p);
        var c2 = w.Ctx(Server2, "awssip1", "awssip", p);
        await w.SipDriver(Server1).StartAsync(c1, default);
        Assert.Contains("10.0.110.50", w.World.Read(s => s.Enis.Single(e => e.Id == Eni1).SecondaryIps));
        Assert.Equal((24, "eth0"), w.Os(Server1).Addresses["10.0.110.50"]);
        var probe1 = new AwsSipProbe(w.Provider(Server1), w.Os(Server1));
        Assert.True((await probe1.ProbeAsync(w.MonCtx(c1, "awssip"), default)).Healthy);

        await w.SipDriver(Server2).StartAsync(c2, default); // AllowReassignment
        Assert.Contains("10.0.110.50", w.World.Read(s => s.Enis.Single(e => e.Id == Eni2).SecondaryIps));
        Assert.DoesNotContain("10.0.110.50", w.World.Read(s => s.Enis.Single(e => e.Id == Eni1).SecondaryIps));
        Assert.Equal(58, ProbeCodes.Split((await probe1.ProbeAsync(w.MonCtx(c1, "awssip"), default)).Message).Code);

        await w.SipDriver(Server2).StopAsync(c2, default);
        Assert.DoesNotContain("10.0.110.50", w.World.Read(s => s.Enis.Single(e => e.Id == Eni2).SecondaryIps));
        Assert.False(w.Os(Server2).Addresses.ContainsKey("10.0.110.50"));

        var e = await Assert.ThrowsAsync<ResourceException>(() => w.SipDriver(Server1).StartAsync(w.Ctx(Server1, "awssip1", "awssip", ("ip", "10.0.120.50")), default));
        Assert.Equal(55, e.Code);
        Assert.StartsWith("Failed to assign the secondary IP address on the AWS side.(Address does not fall within the subnet's address range", e.Message);

        e = await Assert.ThrowsAsync<ResourceException>(() => w.SipDriver(Server1).StartAsync(w.Ctx(Server1, "awssip1", "awssip", ("ip", "10.0.110.50"),
            ("eni", PerNode("eni-x", "eni-x"))), default));
        Assert.Equal(68, e.Code);
        Assert.Equal("Failed to obtain a primary private IP address.(The networkInterface ID 'eni-x' does not exist)", e.Message);
    }
}

public sealed class AwsDnsTests
{
    const string Name = "cluster.srv.hz1.local.";

    static (string, object)[] DnsParams(params (string, object)[] more) =>
        new (string, object)[] { ("hostedZoneId", Zone), ("recordName", Name), ("insyncIntervalSeconds", 1L), ("updateIntervalSeconds", 1L), ("timeoutSeconds", 20L) }
            .Concat(more).ToArray();

    [Fact]
    public async Task PendingPollsThenInsync_Failover_DeleteOnDeactivate()
    {
        await using var w = await StartAsync(s => s.Route53.PendingPolls = 2);
        var p = DnsParams(("deleteOnDeactivate", true), ("ttl", 30L));
        var c1 = w.Ctx(Server1, "awsdns1", "awsdns", p);
        var c2 = w.Ctx(Server2, "awsdns1", "awsdns", p);
        w.World.Write(s => s.HostedZones[0].Records.RemoveAll(r => r.Name == Name && r.Type == "A"));

        await w.DnsDriver(Server1).StartAsync(c1, default);
        Assert.Equal(["10.0.110.10"], w.Record(Name)!.Values);
        Assert.Equal(30, w.Record(Name)!.Ttl);
        Assert.True(w.Faults.Calls("route53:GetChange") >= 3, "PENDING twice, then INSYNC");

        await w.DnsDriver(Server2).StartAsync(c2, default);
        Assert.Equal(["10.0.120.10"], w.Record(Name)!.Values);

        // monitor: resolution unavailable here → one API read
        var probe = new AwsDnsProbe(w.Provider(Server2), (_, _) => Task.FromResult<IReadOnlyList<System.Net.IPAddress>?>(null));
        Assert.True((await probe.ProbeAsync(w.MonCtx(c2, "awsdns"), default)).Healthy);
        Assert.Equal(1, probe.ApiReads);
        // resolution answers our address → no API call at all
        var resolving = new AwsDnsProbe(w.Provider(Server2), (_, _) => Task.FromResult<IReadOnlyList<System.Net.IPAddress>?>([System.Net.IPAddress.Parse("10.0.120.10")]));
        Assert.True((await resolving.ProbeAsync(w.MonCtx(c2, "awsdns"), default)).Healthy);
        Assert.Equal(0, resolving.ApiReads);
        // the resolver answers another address while Route 53 holds ours → 55 (one API read to tell)
        var stale = new AwsDnsProbe(w.Provider(Server2), (_, _) => Task.FromResult<IReadOnlyList<System.Net.IPAddress>?>([System.Net.IPAddress.Parse("10.0.110.10")]));
        Assert.Equal(55, ProbeCodes.Split((await stale.ProbeAsync(w.MonCtx(c2, "awsdns"), default)).Message).Code);
        Assert.Equal(1, stale.ApiReads);
        // checkResolution false: straight to the API
        var noRes = new AwsDnsProbe(w.Provider(Server2), (_, _) => throw new InvalidOperationException("must not resolve"));
        Assert.True((await noRes.ProbeAsync(w.MonCtx(c2, "awsdns", p: ("checkResolution", false)), default)).Healthy);
        // server1's monitor sees a different IP registered
        var probe1 = new AwsDnsProbe(w.Provider(Server1), (_, _) => Task.FromResult<IReadOnlyList<System.Net.IPAddress>?>(null));
        Assert.Equal(53, ProbeCodes.Split((await probe1.ProbeAsync(w.MonCtx(c1, "awsdns"), default)).Message).Code);

        await w.DnsDriver(Server1).StopAsync(c1, default); // holds server2's address: not deleted
        Assert.NotNull(w.Record(Name));
        await w.DnsDriver(Server2).StopAsync(c2, default);
        Assert.Null(w.Record(Name));
        Assert.Equal(52, ProbeCodes.Split((await probe.ProbeAsync(w.MonCtx(c2, "awsdns"), default)).Message).Code);
    }

    [Fact]
    public async Task DeleteOnDeactivate_DefaultDeletes_FalseKeeps()
    {
        await using var w = await StartAsync();
        var byDefault = w.Ctx(Server1, "awsdns1", "awsdns", DnsParams());
        await w.DnsDriver(Server1).StartAsync(byDefault, default);
        Assert.NotNull(w.Record(Name));
        await w.DnsDriver(Server1).StopAsync(byDefault, default);
        Assert.Null(w.Record(Name));

        var keep = w.Ctx(Server1, "awsdns1", "awsdns", DnsParams(("deleteOnDeactivate", false)));
        await w.DnsDriver(Server1).StartAsync(keep, default);
        await w.DnsDriver(Server1).StopAsync(keep, default);
        Assert.Equal(["10.0.110.10"], w.Record(Name)!.Values);
    }

    [Fact]
    public async Task FixedIp_CapitalsNormalised_NoSuchZone_NeverInsync_Throttled()
    {
        await using var w = await StartAsync();
        var c = w.Ctx(Server1, "awsdns1", "awsdns", DnsParams(("recordName", "VIP.Srv.HZ1.local"), ("fixedIp", "10.1.0.20")));
        await w.DnsDriver(Server1).StartAsync(c, default);
        Assert.Equal(["10.1.0.20"], w.Record("vip.srv.hz1.local.")!.Values);
        Assert.Contains(w.Alerts.LogLines("awsdns"), l => l.Contains("used as 'vip.srv.hz1.local.'"));
        Assert.True((await new AwsDnsProbe(w.Provider(Server2), (_, _) => Task.FromResult<IReadOnlyList<System.Net.IPAddress>?>(null))
            .ProbeAsync(w.MonCtx(w.Ctx(Server2, "awsdns1", "awsdns", DnsParams(("recordName", "VIP.Srv.HZ1.local"), ("fixedIp", "10.1.0.20"))), "awsdns"), default)).Healthy);

        var e = await Assert.ThrowsAsync<ResourceException>(() => w.DnsDriver(Server1).StartAsync(w.Ctx(Server1, "awsdns1", "awsdns", DnsParams(("hostedZoneId", "ZNOSUCHZONE000"))), default));
        Assert.Equal(50, e.Code);
        Assert.Equal("No hosted zone found with ID: ZNOSUCHZONE000", e.Message);

        w.World.Write(s => s.Route53.PendingPolls = 1000);
        e = await Assert.ThrowsAsync<ResourceException>(() => w.DnsDriver(Server1).StartAsync(w.Ctx(Server1, "awsdns1", "awsdns", DnsParams(("insyncTries", 2L))), default));
        Assert.Equal(51, e.Code);
        Assert.StartsWith("Timeout occurred.", e.Message);
        Assert.Contains("PENDING after 2 GetChange polls", e.Message);

        w.World.Write(s => s.Route53.PendingPolls = 0);
        w.Faults.ResetCalls();
        w.Faults.Throttle("route53:ChangeResourceRecordSets", 2);
        await w.DnsDriver(Server2).StartAsync(w.Ctx(Server2, "awsdns1", "awsdns", DnsParams(("updateTries", 3L))), default);
        Assert.Equal(3, w.Faults.Calls("route53:ChangeResourceRecordSets"));
        Assert.Equal(["10.0.120.10"], w.Record(Name)!.Values);
    }
}

public sealed class AwsAzAndApiFailureTests
{
    [Fact]
    public async Task AzMonitor_Available_Invalid_Impaired_Timeout()
    {
        await using var w = await StartAsync();
        var probe = new AwsAzProbe(w.Provider(Server1));
        var ctx = w.MonCtx(w.Ctx(Server1, "x", "awsvip"), "awsaz");
        var ok = await probe.ProbeAsync(ctx, default); // AZ from IMDS
        Assert.True(ok.Healthy, ok.Message);
        Assert.Contains("ap-northeast-1a", ok.Message);

        var bad = await probe.ProbeAsync(w.MonCtx(w.Ctx(Server1, "x", "awsvip"), "awsaz", p: ("availabilityZone", PerNode("ap-northeast-1x", "ap-northeast-1x"))), default);
        Assert.Equal("5 : Invalid availability zone: [ap-northeast-1x]", bad.Message);
        Assert.False(bad.ApiFailure);

        w.World.Write(s => s.AvailabilityZones.Single(z => z.Name == "ap-northeast-1a").State = "impaired");
        Assert.Equal(5, ProbeCodes.Split((await probe.ProbeAsync(ctx, default)).Message).Code);

        w.Faults.Hang("ec2:DescribeAvailabilityZones", 100, 5000);
        var t = await probe.ProbeAsync(w.MonCtx(w.Ctx(Server1, "x", "awsvip"), "awsaz", timeoutSeconds: 2), default);
        Assert.True(t.ApiFailure);
        Assert.Equal(6, ProbeCodes.Split(t.Message).Code);
    }

    [Fact]
    public async Task OnApiFailureWarn_HangingEndpoint_WarningWithCode151_NoError()
    {
        await using var w = await StartAsync();
        var c1 = w.Ctx(Server1, "awsvip1", "awsvip", ("ip", Vip), ("vpcId", VpcId), ("eni", PerNode(Eni1, Eni2)));
        await w.VipDriver(Server1).StartAsync(c1, default);
        w.Faults.Hang("*", 1000, 5000);

        var onError = 0;
        var mctx = w.MonCtx(c1, "awsvip", timeoutSeconds: 2, onApiFailure: ApiFailureActions.Warn);
        mctx.Monitor.Retry = 0;
        mctx.Monitor.Timing = MonitorTimings.Always;
        await using var runner = new MonitorRunner(mctx, new AwsVipProbe(w.Provider(Server1), w.Os(Server1)), (_, _) => { onError++; return Task.CompletedTask; });
        var r = await runner.CheckOnceAsync(TimeSpan.Zero, default);
        Assert.True(r.ApiFailure, r.Message);
        Assert.Equal(ExpressHa.Policy.MonitorState.Warning, runner.State);
        Assert.Equal(0, onError);
        Assert.Contains(w.Alerts.Alerts, a => a.EventId == 151 && a.Message.StartsWith("Monitor awsvipw1 is in the warning status. (151 : Timeout occurred."));

        // the same with recover: an error and onError
        var rctx = w.MonCtx(c1, "awsvip", timeoutSeconds: 2, onApiFailure: ApiFailureActions.Recover);
        rctx.Monitor.Retry = 0;
        rctx.Monitor.Timing = MonitorTimings.Always;
        await using var runner2 = new MonitorRunner(rctx, new AwsVipProbe(w.Provider(Server1), w.Os(Server1)), (_, _) => { onError++; return Task.CompletedTask; });
        await runner2.CheckOnceAsync(TimeSpan.Zero, default);
        Assert.Equal(ExpressHa.Policy.MonitorState.Error, runner2.State);
        Assert.Equal(1, onError);
    }
}
