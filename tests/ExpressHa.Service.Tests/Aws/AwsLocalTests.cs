using Amazon.EC2.Model;
using Amazon.Runtime;
using ExpressHa.Config;
using ExpressHa.Service.Aws;

namespace ExpressHa.Service.Tests.Aws;

/// <summary>The real AmazonEC2Client and our Route 53 / SNS / IMDS clients against the local AWS-compatible endpoint,
/// which checks every SigV4 signature against the world file's keys.</summary>
[Trait("Category", TestCategory.Process)]
public class AwsLocalTests : IClassFixture<AwsLocalFixture>, IAsyncLifetime
{
    readonly AwsLocalFixture _local;

    public AwsLocalTests(AwsLocalFixture local) => _local = local;

    public Task InitializeAsync() => _local.ClearFaultsAsync();
    public Task DisposeAsync() => _local.ClearFaultsAsync();

    AwsSettings Settings(string? region = "ap-northeast-1")
    {
        var s = new AwsSettings { Region = region };
        s.Endpoints["ec2"] = _local.Url.AbsoluteUri;
        s.Endpoints["route53"] = _local.Url.AbsoluteUri;
        s.Endpoints["sns"] = _local.Url.AbsoluteUri;
        s.Endpoints["imds"] = _local.ImdsUrl.AbsoluteUri;
        return s;
    }

    static AwsClientOptions Keys(string secret = AwsLocalFixture.Secret) => new()
    {
        Credentials = new BasicAWSCredentials(AwsLocalFixture.Key, secret),
        Environment = _ => null,
    };

    static AwsRetryPolicy Policy(double deadline = 10, double perCall = 2) =>
        new(TimeSpan.FromSeconds(deadline), TimeSpan.FromSeconds(perCall)) { BaseDelay = TimeSpan.FromMilliseconds(50) };

    [Fact]
    public async Task Region_and_role_credentials_from_imds_sign_ec2_calls_the_endpoint_accepts()
    {
        var options = new AwsClientOptions
        {
            Environment = _ => null,
            ProfilesLocation = Path.Combine(Path.GetTempPath(), "expressha-no-such-credentials-" + Guid.NewGuid()),
        };
        using var clients = await AwsClientFactory.CreateAsync(Settings(region: null), TimeSpan.FromSeconds(5), options);
        Assert.Equal("ap-northeast-1", clients.Region);
        Assert.Equal(AwsLocalFixture.Node1, await clients.Imds.GetMetadataAsync("instance-id", CancellationToken.None));

        var vpcs = await AwsRetry.RunAsync(ct => clients.Ec2.DescribeVpcsAsync(new DescribeVpcsRequest { VpcIds = [AwsLocalFixture.VpcId] }, ct), Policy(), CancellationToken.None);
        Assert.Equal("10.0.0.0/16", vpcs.Vpcs.Single().CidrBlock);
        Assert.Equal("imds-role", Assert.IsType<AwsCredentialChain>(clients.Credentials).Source);
        var zones = await clients.Route53.ListHostedZonesAsync(CancellationToken.None);
        Assert.Contains(new HostedZone(AwsLocalFixture.Zone, "srv.hz1.local."), zones);
    }

    [Fact]
    public async Task A_wrong_secret_is_refused_by_the_signature_check()
    {
        using var clients = AwsClientFactory.Create(Settings(), TimeSpan.FromSeconds(5), Keys("not-the-secret"));
        var r53 = await Assert.ThrowsAsync<AwsApiException>(() => clients.Route53.ListHostedZonesAsync(CancellationToken.None));
        Assert.Equal("SignatureDoesNotMatch", r53.Code);
        Assert.Equal(403, r53.StatusCode);
        var ec2 = await Assert.ThrowsAsync<AwsApiException>(() => AwsRetry.RunAsync(ct => clients.Ec2.DescribeVpcsAsync(new DescribeVpcsRequest(), ct), Policy(), CancellationToken.None));
        Assert.False(ec2.IsTimeout);
    }

    [Fact]
    public async Task Route53_upsert_is_pending_then_insync_and_reads_back_lower_case()
    {
        using var clients = AwsClientFactory.Create(Settings(), TimeSpan.FromSeconds(5), Keys());
        var name = $"Node-{Guid.NewGuid():N}".Substring(0, 13) + ".SRV.hz1.local.";
        var changeId = await clients.Route53.ChangeRecordAsync(AwsLocalFixture.Zone, "UPSERT", new RecordSet(name, "A", 10, ["10.0.120.10"]), CancellationToken.None);
        Assert.Equal("PENDING", await clients.Route53.GetChangeStatusAsync(changeId, CancellationToken.None));

        var insync = await ReadBack.UntilAsync(ct => clients.Route53.GetChangeStatusAsync(changeId, ct), s => s == "INSYNC",
            new ReadBackOptions(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2)) { Interval = TimeSpan.FromMilliseconds(300) }, CancellationToken.None);
        Assert.True(insync.Satisfied);
        Assert.True(insync.Polls >= 2);

        var records = await clients.Route53.ListRecordsAsync(AwsLocalFixture.Zone, name, "A", 1, CancellationToken.None);
        var record = Assert.Single(records);
        Assert.Equal(Route53Client.NormalizeName(name), Route53Client.NormalizeName(record.Name));
        Assert.Equal(["10.0.120.10"], record.Values);
        Assert.Equal(10, record.Ttl);

        await clients.Route53.ChangeRecordAsync(AwsLocalFixture.Zone, "DELETE", record, CancellationToken.None);
        var gone = await Assert.ThrowsAsync<AwsApiException>(() => clients.Route53.ChangeRecordAsync(AwsLocalFixture.Zone, "DELETE", record, CancellationToken.None));
        Assert.Equal("InvalidChangeBatch", gone.Code);
    }

    [Fact]
    public async Task Route53_missing_zone_and_throttling()
    {
        using var clients = AwsClientFactory.Create(Settings(), TimeSpan.FromSeconds(5), Keys());
        var e = await Assert.ThrowsAsync<AwsApiException>(() => clients.Route53.ListRecordsAsync("Z0NOSUCHZONE", null, null, 10, CancellationToken.None));
        Assert.Equal("NoSuchHostedZone", e.Code);
        Assert.Equal(404, e.StatusCode);

        await _local.AddFaultAsync(new { action = "route53:ListResourceRecordSets", throttle = 2 });
        var retries = 0;
        var records = await AwsRetry.RunAsync(ct => clients.Route53.ListRecordsAsync(AwsLocalFixture.Zone, "cluster.srv.hz1.local.", "A", 1, ct),
            Policy() with { OnRetry = (_, x, _) => { Assert.True(x.IsThrottling); retries++; } }, CancellationToken.None);
        Assert.Equal(2, retries);
        Assert.Equal("cluster.srv.hz1.local.", records.Single().Name);
    }

    [Fact]
    public async Task Sns_publish_reaches_the_topic()
    {
        using var clients = AwsClientFactory.Create(Settings(), TimeSpan.FromSeconds(5), Keys());
        var text = "failover of group failover1 " + Guid.NewGuid();
        var id = await clients.Sns.PublishAsync(AwsLocalFixture.TopicArn, "ExpressHa alert", text, CancellationToken.None);
        Assert.False(string.IsNullOrEmpty(id));
        Assert.Contains(text, (await _local.SnsMessagesAsync()).GetRawText());

        var e = await Assert.ThrowsAsync<AwsApiException>(() => clients.Sns.PublishAsync("arn:aws:sns:ap-northeast-1:123456789012:no-such-topic", "s", "m", CancellationToken.None));
        Assert.Equal("NotFound", e.Code);
    }

    [Fact]
    public async Task Ec2_throttled_twice_then_success()
    {
        using var clients = AwsClientFactory.Create(Settings(), TimeSpan.FromSeconds(5), Keys());
        await _local.AddFaultAsync(new { action = "ec2:DescribeAvailabilityZones", throttle = 2 });
        var before = await _local.CallsAsync("ec2:DescribeAvailabilityZones");
        var codes = new List<string>();
        var azs = await AwsRetry.RunAsync(ct => clients.Ec2.DescribeAvailabilityZonesAsync(new DescribeAvailabilityZonesRequest(), ct),
            Policy() with { OnRetry = (_, x, _) => codes.Add(x.Code) }, CancellationToken.None, "DescribeAvailabilityZones");
        Assert.Contains(azs.AvailabilityZones, z => z.ZoneName == "ap-northeast-1a");
        Assert.Equal(["RequestLimitExceeded", "RequestLimitExceeded"], codes);
        Assert.Equal(3, await _local.CallsAsync("ec2:DescribeAvailabilityZones") - before);
    }

    [Fact]
    public async Task A_hanging_replace_route_times_out_is_retried_and_read_back_through_the_lag()
    {
        using var clients = AwsClientFactory.Create(Settings(), TimeSpan.FromMilliseconds(500), Keys());
        const string rtb = "rtb-0private00000000b";
        async Task<string?> TargetAsync(CancellationToken ct)
        {
            var r = await clients.Ec2.DescribeRouteTablesAsync(new DescribeRouteTablesRequest { RouteTableIds = [rtb] }, ct);
            return r.RouteTables.Single().Routes.FirstOrDefault(x => x.DestinationCidrBlock == "10.1.0.20/32")?.NetworkInterfaceId;
        }
        var original = await TargetAsync(CancellationToken.None);
        var target = original == AwsLocalFixture.Eni2 ? AwsLocalFixture.Eni1 : AwsLocalFixture.Eni2;

        // Only one call hangs; the per-call timeout (0.5 s) cuts it and the retry goes through.
        await _local.AddFaultAsync(new { action = "ec2:ReplaceRoute", hang = 1, hangMs = 5000 });
        await _local.AddFaultAsync(new { action = "ec2:DescribeRouteTables", lagMs = 1200 });
        var retries = new List<AwsApiException>();
        await AwsRetry.RunAsync(ct => clients.Ec2.ReplaceRouteAsync(new ReplaceRouteRequest
        {
            RouteTableId = rtb,
            DestinationCidrBlock = "10.1.0.20/32",
            NetworkInterfaceId = target,
        }, ct), Policy(deadline: 5, perCall: 0.5) with { OnRetry = (_, x, _) => retries.Add(x) }, CancellationToken.None, "ReplaceRoute");
        Assert.True(Assert.Single(retries).IsTimeout);

        var readBack = await ReadBack.UntilAsync(TargetAsync, t => t == target,
            new ReadBackOptions(TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(500)) { Interval = TimeSpan.FromMilliseconds(200) }, CancellationToken.None);
        Assert.True(readBack.Satisfied);
        Assert.True(readBack.Polls >= 2, $"the read-after-write lag should hide the change at first (polls {readBack.Polls})");
    }

    [Fact]
    public async Task Ec2_error_codes_come_through()
    {
        using var clients = AwsClientFactory.Create(Settings(), TimeSpan.FromSeconds(5), Keys());
        var e = await Assert.ThrowsAsync<AwsApiException>(() => AwsRetry.RunAsync(
            ct => clients.Ec2.DescribeVpcsAsync(new DescribeVpcsRequest { VpcIds = ["vpc-00000000000000bad"] }, ct), Policy(), CancellationToken.None, "DescribeVpcs"));
        Assert.Equal("InvalidVpcID.NotFound", e.Code);
        Assert.Equal(400, e.StatusCode);

        await _local.AddFaultAsync(new { action = "ec2:DescribeSubnets", errors = 1, errorStatus = 500 });
        var subnets = await AwsRetry.RunAsync(ct => clients.Ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest(), ct), Policy(), CancellationToken.None);
        Assert.Equal(4, subnets.Subnets.Count);
    }
}
