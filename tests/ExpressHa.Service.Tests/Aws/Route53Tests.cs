using System.Xml.Linq;
using Amazon.Runtime;
using ExpressHa.Service.Aws;

namespace ExpressHa.Service.Tests.Aws;

public class Route53Tests
{
    const string Ns = "https://route53.amazonaws.com/doc/2013-04-01/";
    static readonly XNamespace X = Ns;

    internal static string ListZonesXml(string id, string name, bool truncated, string? nextMarker = null) =>
        $"""<?xml version="1.0"?><ListHostedZonesResponse xmlns="{Ns}"><HostedZones><HostedZone><Id>/hostedzone/{id}</Id><Name>{name}</Name><CallerReference>r</CallerReference><Config><PrivateZone>true</PrivateZone></Config><ResourceRecordSetCount>3</ResourceRecordSetCount></HostedZone></HostedZones><IsTruncated>{(truncated ? "true" : "false")}</IsTruncated>{(nextMarker != null ? $"<NextMarker>{nextMarker}</NextMarker>" : "")}<MaxItems>1</MaxItems></ListHostedZonesResponse>""";

    static string ErrorXml(string code, string message) =>
        $"""<?xml version="1.0"?><ErrorResponse xmlns="{Ns}"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>""";

    static Route53Client Client(FakeAwsServer server, HttpClient http, TimeSpan? timeout = null) =>
        new(http, new BasicAWSCredentials(SigV4Tests.AccessKey, SigV4Tests.SecretKey), server.Url, timeout ?? TimeSpan.FromSeconds(5));

    [Fact]
    public async Task Upsert_sends_the_change_batch_and_returns_the_change_id()
    {
        using var server = new FakeAwsServer(_ => FakeResponse.Xml(
            $"""<?xml version="1.0"?><ChangeResourceRecordSetsResponse xmlns="{Ns}"><ChangeInfo><Id>/change/C2682N5HXP0BZ4</Id><Status>PENDING</Status><SubmittedAt>2025-01-01T00:00:00Z</SubmittedAt></ChangeInfo></ChangeResourceRecordSetsResponse>"""));
        using var http = new HttpClient();
        var id = await Client(server, http).ChangeRecordAsync("/hostedzone/Z1D633PJN98FT9", "UPSERT",
            new RecordSet("Srv.HZ1.local.", "A", 10, ["10.0.110.10"]), CancellationToken.None);

        Assert.Equal("/change/C2682N5HXP0BZ4", id);
        var req = server.Requests.Single();
        Assert.Equal("POST", req.Method);
        Assert.Equal("/2013-04-01/hostedzone/Z1D633PJN98FT9/rrset", req.Path);
        Assert.Equal("application/xml", req.Header("content-type"));
        var doc = XDocument.Parse(req.BodyText);
        Assert.Equal(X + "ChangeResourceRecordSetsRequest", doc.Root!.Name);
        var change = doc.Root.Element(X + "ChangeBatch")!.Element(X + "Changes")!.Element(X + "Change")!;
        Assert.Equal("UPSERT", change.Element(X + "Action")!.Value);
        var rrs = change.Element(X + "ResourceRecordSet")!;
        Assert.Equal("Srv.HZ1.local.", rrs.Element(X + "Name")!.Value);
        Assert.Equal("A", rrs.Element(X + "Type")!.Value);
        Assert.Equal("10", rrs.Element(X + "TTL")!.Value);
        Assert.Equal(["10.0.110.10"], rrs.Element(X + "ResourceRecords")!.Elements(X + "ResourceRecord").Select(r => r.Element(X + "Value")!.Value));
    }

    [Fact]
    public void Change_action_must_be_create_upsert_or_delete()
    {
        Assert.Throws<ArgumentException>(() => Route53Client.BuildChangeXml("REPLACE", new RecordSet("a.", "A", 1, ["1.2.3.4"])));
        Assert.Contains("<Action>DELETE</Action>", Route53Client.BuildChangeXml("delete", new RecordSet("a.", "A", 1, ["1.2.3.4"])));
    }

    [Fact]
    public async Task GetChange_reads_pending_then_insync()
    {
        var polls = 0;
        using var server = new FakeAwsServer(_ => FakeResponse.Xml(
            $"""<GetChangeResponse xmlns="{Ns}"><ChangeInfo><Id>/change/C1</Id><Status>{(Interlocked.Increment(ref polls) < 3 ? "PENDING" : "INSYNC")}</Status><SubmittedAt>2025-01-01T00:00:00Z</SubmittedAt></ChangeInfo></GetChangeResponse>"""));
        using var http = new HttpClient();
        var client = Client(server, http);
        var result = await ReadBack.UntilAsync(ct => client.GetChangeStatusAsync("/change/C1", ct), s => s == "INSYNC",
            new ReadBackOptions(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1)) { Interval = TimeSpan.FromMilliseconds(20) }, CancellationToken.None);

        Assert.True(result.Satisfied);
        Assert.Equal(3, result.Polls);
        Assert.All(server.Requests, r => Assert.Equal("/2013-04-01/change/C1", r.Path));
        Assert.Equal("INSYNC", await client.GetChangeStatusAsync("C1", CancellationToken.None));
    }

    [Fact]
    public async Task ListRecords_sends_name_type_maxitems_and_parses_record_sets()
    {
        using var server = new FakeAwsServer(_ => FakeResponse.Xml(
            $"""<ListResourceRecordSetsResponse xmlns="{Ns}"><ResourceRecordSets><ResourceRecordSet><Name>srv.hz1.local.</Name><Type>A</Type><TTL>10</TTL><ResourceRecords><ResourceRecord><Value>10.0.110.10</Value></ResourceRecord><ResourceRecord><Value>10.0.120.10</Value></ResourceRecord></ResourceRecords></ResourceRecordSet><ResourceRecordSet><Name>\052.hz1.local.</Name><Type>CNAME</Type><TTL>300</TTL><ResourceRecords><ResourceRecord><Value>srv.hz1.local</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></ResourceRecordSets><IsTruncated>false</IsTruncated><MaxItems>2</MaxItems></ListResourceRecordSetsResponse>"""));
        using var http = new HttpClient();
        var records = await Client(server, http).ListRecordsAsync("Z1", "srv.hz1.local.", "A", 2, CancellationToken.None);

        var req = server.Requests.Single();
        Assert.Equal("GET", req.Method);
        Assert.Equal("/2013-04-01/hostedzone/Z1/rrset", req.Path);
        var q = RecordedRequest.ParseForm(req.Query);
        Assert.Equal("srv.hz1.local.", q["name"]);
        Assert.Equal("A", q["type"]);
        Assert.Equal("2", q["maxitems"]);
        Assert.Equal(2, records.Count);
        Assert.Equal(new RecordSet("srv.hz1.local.", "A", 10, records[0].Values), records[0]);
        Assert.Equal(["10.0.110.10", "10.0.120.10"], records[0].Values);
        Assert.Equal("*.hz1.local.", Route53Client.NormalizeName(records[1].Name));
    }

    [Fact]
    public async Task ListHostedZones_follows_the_marker_and_strips_the_id_prefix()
    {
        using var server = new FakeAwsServer(r => FakeResponse.Xml(r.Query.Contains("marker=Z2")
            ? ListZonesXml("Z2", "other.local.", truncated: false)
            : ListZonesXml("Z1", "hz1.local.", truncated: true, nextMarker: "Z2")));
        using var http = new HttpClient();
        var zones = await Client(server, http).ListHostedZonesAsync(CancellationToken.None);
        Assert.Equal([new HostedZone("Z1", "hz1.local."), new HostedZone("Z2", "other.local.")], zones);
        Assert.Equal(2, server.Requests.Count);
        Assert.All(server.Requests, r => Assert.Equal("/2013-04-01/hostedzone", r.Path));
    }

    [Fact]
    public async Task Missing_zone_is_NoSuchHostedZone()
    {
        using var server = new FakeAwsServer(_ => FakeResponse.Xml(ErrorXml("NoSuchHostedZone", "No hosted zone found with ID: ZNOPE"), 404));
        using var http = new HttpClient();
        var e = await Assert.ThrowsAsync<AwsApiException>(() => Client(server, http).ListRecordsAsync("ZNOPE", null, null, 1, CancellationToken.None));
        Assert.Equal("NoSuchHostedZone", e.Code);
        Assert.Equal(404, e.StatusCode);
        Assert.Contains("No hosted zone found with ID: ZNOPE", e.Message);
        Assert.False(e.IsTimeout || e.IsThrottling);
    }

    [Fact]
    public async Task Rejected_change_is_InvalidChangeBatch_with_its_messages()
    {
        using var server = new FakeAwsServer(_ => FakeResponse.Xml(
            $"""<?xml version="1.0"?><InvalidChangeBatch xmlns="{Ns}"><Messages><Message>Tried to delete resource record set [name='srv.hz1.local.', type='A'] but it was not found</Message></Messages><RequestId>r</RequestId></InvalidChangeBatch>""", 400));
        using var http = new HttpClient();
        var e = await Assert.ThrowsAsync<AwsApiException>(() => Client(server, http).ChangeRecordAsync("Z1", "DELETE", new RecordSet("srv.hz1.local.", "A", 10, ["10.0.0.1"]), CancellationToken.None));
        Assert.Equal("InvalidChangeBatch", e.Code);
        Assert.Equal(400, e.StatusCode);
        Assert.Contains("but it was not found", e.Message);
    }

    [Fact]
    public async Task Throttling_is_reported_as_throttling_and_retried()
    {
        var calls = 0;
        using var server = new FakeAwsServer(_ => Interlocked.Increment(ref calls) <= 2
            ? FakeResponse.Xml(ErrorXml("Throttling", "Rate exceeded"), 400)
            : FakeResponse.Xml(ListZonesXml("Z1", "hz1.local.", false)));
        using var http = new HttpClient();
        var client = Client(server, http);
        var first = await Assert.ThrowsAsync<AwsApiException>(() => client.ListHostedZonesAsync(CancellationToken.None));
        Assert.True(first.IsThrottling);
        Assert.Equal("Throttling", first.Code);

        var retries = new List<int>();
        var zones = await AwsRetry.RunAsync(ct => client.ListHostedZonesAsync(ct),
            new AwsRetryPolicy(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2)) { BaseDelay = TimeSpan.FromMilliseconds(10), OnRetry = (n, _, _) => retries.Add(n) },
            CancellationToken.None, "ListHostedZones");
        Assert.Single(zones);
        Assert.Equal([1], retries);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task A_slow_endpoint_is_a_timeout()
    {
        using var server = new FakeAwsServer(_ => new FakeResponse(200, ListZonesXml("Z1", "a.", false), DelayMs: 3000));
        using var http = new HttpClient();
        var e = await Assert.ThrowsAsync<AwsApiException>(() => Client(server, http, TimeSpan.FromMilliseconds(200)).ListHostedZonesAsync(CancellationToken.None));
        Assert.True(e.IsTimeout);
    }

    [Fact]
    public async Task Zone_ids_are_validated_before_any_request()
    {
        using var server = new FakeAwsServer();
        using var http = new HttpClient();
        var e = await Assert.ThrowsAsync<AwsApiException>(() => Client(server, http).ListRecordsAsync("Z1/../x", null, null, 1, CancellationToken.None));
        Assert.Equal("InvalidInput", e.Code);
        Assert.Empty(server.Requests);
    }

    [Theory]
    [InlineData("Srv.HZ1.Local", "srv.hz1.local.")]
    [InlineData("srv.hz1.local.", "srv.hz1.local.")]
    [InlineData(@"\052.hz1.local.", "*.hz1.local.")]
    public void Names_normalize_like_route53_returns_them(string input, string expected) =>
        Assert.Equal(expected, Route53Client.NormalizeName(input));
}
