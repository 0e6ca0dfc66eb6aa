using System.Net;
using System.Net.Sockets;
using System.Text;
using Amazon.EC2.Model;
using Amazon.Runtime;
using ExpressHa.Config;
using ExpressHa.Service.Aws;

namespace ExpressHa.Service.Tests.Aws;

public class AwsClientFactoryTests
{
    internal const string DescribeVpcsXml =
        """<?xml version="1.0" encoding="UTF-8"?><DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</requestId><vpcSet><item><vpcId>vpc-0a1b2c3d</vpcId><state>available</state><cidrBlock>10.0.0.0/16</cidrBlock><dhcpOptionsId>dopt-1</dhcpOptionsId><instanceTenancy>default</instanceTenancy><isDefault>false</isDefault></item></vpcSet></DescribeVpcsResponse>""";

    internal static string Ec2Error(string code, string message) =>
        $"""<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>r-1</RequestID></Response>""";

    static readonly AwsClientOptions Keys = new()
    {
        Credentials = new BasicAWSCredentials("AKIDEXAMPLE", "secret"),
        Environment = _ => null,
    };

    static AwsSettings Settings(string? region, params (string Service, Uri Url)[] endpoints)
    {
        var s = new AwsSettings { Region = region };
        foreach (var (service, url) in endpoints) s.Endpoints[service] = url.AbsoluteUri;
        return s;
    }

    [Fact]
    public async Task Ec2_requests_go_to_the_endpoint_override_signed_for_the_region()
    {
        using var ec2 = new FakeAwsServer(_ => FakeResponse.Xml(DescribeVpcsXml));
        using var clients = AwsClientFactory.Create(Settings("ap-northeast-1", ("ec2", ec2.Url)), TimeSpan.FromSeconds(5), Keys);

        var vpcs = await clients.Ec2.DescribeVpcsAsync(new DescribeVpcsRequest { VpcIds = ["vpc-0a1b2c3d"] });
        Assert.Equal("10.0.0.0/16", vpcs.Vpcs.Single().CidrBlock);

        var req = ec2.Requests.Single();
        Assert.Equal("POST", req.Method);
        var form = RecordedRequest.ParseForm(req.BodyText);
        Assert.Equal("DescribeVpcs", form["Action"]);
        Assert.Equal("vpc-0a1b2c3d", form["VpcId.1"]);
        Assert.Contains("Credential=AKIDEXAMPLE/", req.Header("Authorization"));
        Assert.Contains("/ap-northeast-1/ec2/aws4_request", req.Header("Authorization"));
        var ac = Assert.IsType<AwsClients>(clients);
        Assert.Equal("ap-northeast-1", ac.Region);
    }

    [Fact]
    public async Task Route53_and_sns_go_to_their_overrides()
    {
        using var route53 = new FakeAwsServer(_ => FakeResponse.Xml(Route53Tests.ListZonesXml("Z1", "hz1.local.", false)));
        using var sns = new FakeAwsServer(_ => FakeResponse.Xml("<PublishResponse><PublishResult><MessageId>m-1</MessageId></PublishResult></PublishResponse>"));
        using var clients = AwsClientFactory.Create(Settings("ap-northeast-1", ("route53", route53.Url), ("sns", sns.Url)), TimeSpan.FromSeconds(5), Keys);

        Assert.Equal("Z1", (await clients.Route53.ListHostedZonesAsync(CancellationToken.None)).Single().Id);
        Assert.Equal("m-1", await clients.Sns.PublishAsync("arn:aws:sns:ap-northeast-1:123456789012:t", "s", "m", CancellationToken.None));
        Assert.Contains("/us-east-1/route53/aws4_request", route53.Requests.Single().Header("Authorization"));
        Assert.Contains("/ap-northeast-1/sns/aws4_request", sns.Requests.Single().Header("Authorization"));
    }

    [Fact]
    public async Task Without_region_or_keys_the_region_and_role_credentials_come_from_the_imds_override()
    {
        using var imds = new FakeImds();
        using var ec2 = new FakeAwsServer(_ => FakeResponse.Xml(DescribeVpcsXml));
        var options = new AwsClientOptions
        {
            Environment = _ => null,
            ProfilesLocation = Path.Combine(Path.GetTempPath(), "expressha-no-such-credentials-" + Guid.NewGuid()),
        };
        using var clients = await AwsClientFactory.CreateAsync(Settings(null, ("ec2", ec2.Url), ("imds", imds.Server.Url)), TimeSpan.FromSeconds(5), options);
        Assert.Equal("ap-northeast-1", clients.Region);
        Assert.Equal("i-0123456789abcdef0", await clients.Imds.GetMetadataAsync("instance-id", CancellationToken.None));

        await clients.Ec2.DescribeVpcsAsync(new DescribeVpcsRequest());
        var req = ec2.Requests.Single();
        Assert.Contains("Credential=ASIAROLE/", req.Header("Authorization"));
        Assert.Contains("/ap-northeast-1/ec2/aws4_request", req.Header("Authorization"));
        Assert.Equal("roletoken", req.Header("x-amz-security-token"));
        Assert.Equal(1, imds.TokenPuts);
    }

    [Fact]
    public async Task Region_falls_back_to_AWS_REGION_and_is_required()
    {
        using var imds = new FakeImds { Override = r => r.Path.EndsWith("placement/region") ? new FakeResponse(404) : null };
        var settings = Settings(null, ("imds", imds.Server.Url));
        var env = new Dictionary<string, string> { ["AWS_REGION"] = "eu-west-1" };
        Assert.Equal("eu-west-1", await AwsClientFactory.ResolveRegionAsync(settings, new ImdsClient(imds.Server.Url), n => env.GetValueOrDefault(n), CancellationToken.None));
        var e = await Assert.ThrowsAsync<AwsApiException>(() => AwsClientFactory.ResolveRegionAsync(settings, new ImdsClient(imds.Server.Url), _ => null, CancellationToken.None));
        Assert.Equal("NoRegion", e.Code);
        Assert.Equal("us-west-2", await AwsClientFactory.ResolveRegionAsync(new AwsSettings { Region = "us-west-2" }, new ThrowingImds(), _ => null, CancellationToken.None));
    }

    [Fact]
    public async Task Ec2_throttled_twice_then_success_through_the_sdk()
    {
        var calls = 0;
        using var ec2 = new FakeAwsServer(_ => Interlocked.Increment(ref calls) <= 2
            ? FakeResponse.Xml(Ec2Error("RequestLimitExceeded", "Request limit exceeded."), 503)
            : FakeResponse.Xml(DescribeVpcsXml));
        using var clients = AwsClientFactory.Create(Settings("ap-northeast-1", ("ec2", ec2.Url)), TimeSpan.FromSeconds(5), Keys);
        var codes = new List<string>();
        var vpcs = await AwsRetry.RunAsync(ct => clients.Ec2.DescribeVpcsAsync(new DescribeVpcsRequest(), ct),
            new AwsRetryPolicy(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5)) { BaseDelay = TimeSpan.FromMilliseconds(20), OnRetry = (_, e, _) => codes.Add(e.Code) },
            CancellationToken.None, "DescribeVpcs");
        Assert.Single(vpcs.Vpcs);
        Assert.Equal(["RequestLimitExceeded", "RequestLimitExceeded"], codes);
        Assert.Equal(3, calls); // MaxErrorRetry 0: the SDK does not retry on its own
    }

    [Fact]
    public async Task Ec2_errors_keep_their_codes_and_a_slow_ec2_is_a_timeout()
    {
        using var ec2 = new FakeAwsServer(_ => FakeResponse.Xml(Ec2Error("InvalidVpcID.NotFound", "The vpc ID 'vpc-nope' does not exist"), 400));
        using var clients = AwsClientFactory.Create(Settings("ap-northeast-1", ("ec2", ec2.Url)), TimeSpan.FromMilliseconds(300), Keys);
        var e = await Assert.ThrowsAsync<AwsApiException>(() => AwsRetry.RunAsync(ct => clients.Ec2.DescribeVpcsAsync(new DescribeVpcsRequest { VpcIds = ["vpc-nope"] }, ct),
            TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(300), CancellationToken.None, "DescribeVpcs"));
        Assert.Equal("InvalidVpcID.NotFound", e.Code);
        Assert.Single(ec2.Requests);

        ec2.Handler = _ => new FakeResponse(200, DescribeVpcsXml, DelayMs: 5000);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var t = await Assert.ThrowsAsync<AwsApiException>(() => AwsRetry.RunAsync(ct => clients.Ec2.DescribeVpcsAsync(new DescribeVpcsRequest(), ct),
            TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(300), CancellationToken.None, "DescribeVpcs"));
        Assert.True(t.IsTimeout, t.ToString());
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(3), sw.Elapsed.ToString());
    }

    [Fact]
    public async Task An_unreachable_ec2_endpoint_is_reported_as_no_answer()
    {
        var closed = new Uri($"http://127.0.0.1:{ImdsClientTests.ClosedPort()}/");
        using var clients = AwsClientFactory.Create(Settings("ap-northeast-1", ("ec2", closed)), TimeSpan.FromSeconds(1), Keys);
        var e = await Assert.ThrowsAsync<AwsApiException>(() => AwsRetry.RunAsync(ct => clients.Ec2.DescribeVpcsAsync(new DescribeVpcsRequest(), ct),
            TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(500), CancellationToken.None, "DescribeVpcs"));
        Assert.True(e.IsTimeout, e.ToString());
    }

    [Fact]
    public async Task The_proxy_carries_ec2_and_route53_requests()
    {
        using var proxy = new FakeProxy(req => req.Contains("route53", StringComparison.Ordinal)
            ? Route53Tests.ListZonesXml("Z9", "proxied.local.", false)
            : DescribeVpcsXml);
        var settings = Settings("ap-northeast-1", ("ec2", new Uri("http://ec2.test.invalid/")), ("route53", new Uri("http://route53.test.invalid/")));
        settings.Proxy = $"127.0.0.1:{proxy.Port}";
        using var clients = AwsClientFactory.Create(settings, TimeSpan.FromSeconds(5), Keys);

        await clients.Ec2.DescribeVpcsAsync(new DescribeVpcsRequest());
        Assert.Equal("Z9", (await clients.Route53.ListHostedZonesAsync(CancellationToken.None)).Single().Id);
        Assert.Contains(proxy.RequestLines, l => l.StartsWith("POST http://ec2.test.invalid/", StringComparison.Ordinal));
        Assert.Contains(proxy.RequestLines, l => l.StartsWith("GET http://route53.test.invalid/2013-04-01/hostedzone", StringComparison.Ordinal));
    }

    [Fact]
    public void Bad_endpoint_urls_are_refused()
    {
        var s = new AwsSettings();
        s.Endpoints["EC2"] = "ftp://x";
        Assert.Throws<ArgumentException>(() => AwsClientFactory.EndpointFor(s, "ec2"));
        s.Endpoints["EC2"] = "http://127.0.0.1:4566";
        Assert.Equal(new Uri("http://127.0.0.1:4566/"), AwsClientFactory.EndpointFor(s, "ec2"));
        Assert.Null(AwsClientFactory.EndpointFor(s, "sns"));
        Assert.Equal(new Uri("http://proxy.corp:3128/"), AwsClientFactory.ProxyFor(new AwsSettings { Proxy = "proxy.corp:3128" }));
    }

    sealed class ThrowingImds : IImdsClient
    {
        public Task<string?> GetMetadataAsync(string path, CancellationToken ct) => throw new InvalidOperationException("IMDS must not be asked");
    }

    /// <summary>A forward HTTP proxy that answers every request itself and records the request lines.</summary>
    sealed class FakeProxy : IDisposable
    {
        readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        readonly Func<string, string> _answer;
        readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

        public FakeProxy(Func<string, string> answer)
        {
            _answer = answer;
            _listener.Start();
            _ = Task.Run(LoopAsync);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
        public IReadOnlyList<string> RequestLines => _lines.ToArray();

        async Task LoopAsync()
        {
            while (true)
            {
                TcpClient c;
                try { c = await _listener.AcceptTcpClientAsync(); } catch { return; }
                _ = Task.Run(() => ServeAsync(c));
            }
        }

        async Task ServeAsync(TcpClient c)
        {
            using var _ = c;
            var stream = c.GetStream();
            var reader = new StreamReader(stream, Encoding.ASCII);
            while (true)
            {
                var line = await reader.ReadLineAsync();
                if (line == null) return;
                _lines.Enqueue(line);
                var length = 0;
                string? h;
                while (!string.IsNullOrEmpty(h = await reader.ReadLineAsync()))
                    if (h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) length = int.Parse(h[15..].Trim());
                var body = new char[length];
                for (var read = 0; read < length;) read += await reader.ReadAsync(body, read, length - read);
                var payload = Encoding.UTF8.GetBytes(_answer(line));
                var head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {payload.Length}\r\n\r\n");
                await stream.WriteAsync(head);
                await stream.WriteAsync(payload);
            }
        }

        public void Dispose() => _listener.Stop();
    }
}
