using System.Net;
using Amazon.Runtime;
using ExpressHa.Service.Aws;

namespace ExpressHa.Service.Tests.Aws;

public class SnsClientTests
{
    [Fact]
    public async Task Publish_posts_the_query_form_and_returns_the_message_id()
    {
        using var server = new FakeAwsServer(_ => FakeResponse.Xml(
            """<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>94f20ce6-13c5-43a0-9a9e-ca52d816e90b</MessageId></PublishResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PublishResponse>"""));
        using var http = new HttpClient();
        var sns = new SnsClient(http, new BasicAWSCredentials(SigV4Tests.AccessKey, SigV4Tests.SecretKey), server.Url, "us-east-1", TimeSpan.FromSeconds(5));
        var id = await sns.PublishAsync("arn:aws:sns:ap-northeast-1:123456789012:ha-alerts", "ExpressHa: group failover1\nfailed over",
            "Group failover1 moved to node2 & started (10.1.0.20/32 → eni-1).", CancellationToken.None);

        Assert.Equal("94f20ce6-13c5-43a0-9a9e-ca52d816e90b", id);
        var req = server.Requests.Single();
        Assert.Equal("POST", req.Method);
        Assert.Equal("/", req.Path);
        Assert.StartsWith("application/x-www-form-urlencoded", req.Header("content-type"));
        var form = RecordedRequest.ParseForm(req.BodyText);
        Assert.Equal("Publish", form["Action"]);
        Assert.Equal("2010-03-31", form["Version"]);
        Assert.Equal("arn:aws:sns:ap-northeast-1:123456789012:ha-alerts", form["TopicArn"]);
        Assert.Equal("ExpressHa: group failover1 failed over", form["Subject"]);
        Assert.Equal("Group failover1 moved to node2 & started (10.1.0.20/32 → eni-1).", form["Message"]);
        Assert.Contains("/ap-northeast-1/sns/aws4_request", req.Header("Authorization"));
    }

    [Fact]
    public async Task Publish_errors_carry_the_sns_code()
    {
        using var server = new FakeAwsServer(_ => FakeResponse.Xml(
            """<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>NotFound</Code><Message>Topic does not exist</Message></Error><RequestId>r</RequestId></ErrorResponse>""", 404));
        using var http = new HttpClient();
        var sns = new SnsClient(http, new BasicAWSCredentials("a", "b"), server.Url, null, TimeSpan.FromSeconds(5));
        var e = await Assert.ThrowsAsync<AwsApiException>(() => sns.PublishAsync("arn:aws:sns:us-west-2:1:nope", "s", "m", CancellationToken.None));
        Assert.Equal("NotFound", e.Code);
        Assert.Equal(404, e.StatusCode);
    }

    [Fact]
    public void Region_comes_from_the_arn()
    {
        Assert.Equal("eu-west-1", SnsClient.RegionOf("arn:aws:sns:eu-west-1:123456789012:t"));
        Assert.Null(SnsClient.RegionOf("not-an-arn"));
        Assert.Equal(new Uri("https://sns.eu-west-1.amazonaws.com/"), SnsClient.DefaultEndpoint("eu-west-1"));
    }
}

public class ImdsClientTests
{
    [Fact]
    public async Task One_token_serves_several_gets()
    {
        using var imds = new FakeImds();
        using var client = new ImdsClient(imds.Server.Url, TimeSpan.FromSeconds(2));
        Assert.Equal("i-0123456789abcdef0", await client.GetMetadataAsync("instance-id", CancellationToken.None));
        Assert.Equal("ap-northeast-1a", await client.GetMetadataAsync("placement/availability-zone", CancellationToken.None));
        Assert.Equal("i-0123456789abcdef0", await client.GetMetadataAsync("/instance-id", CancellationToken.None));
        Assert.Equal(1, imds.TokenPuts);
        var put = imds.Server.Requests.Single(r => r.Method == "PUT");
        Assert.Equal("21600", put.Header("X-aws-ec2-metadata-token-ttl-seconds"));
        Assert.All(imds.Server.Requests.Where(r => r.Method == "GET"), r => Assert.Equal("tok-1", r.Header("X-aws-ec2-metadata-token")));
    }

    [Fact]
    public async Task A_401_renews_the_token_and_retries_once()
    {
        using var imds = new FakeImds();
        using var client = new ImdsClient(imds.Server.Url, TimeSpan.FromSeconds(2));
        await client.GetMetadataAsync("instance-id", CancellationToken.None);
        imds.CurrentToken = "rotated"; // IMDS restarted: the cached token is no longer valid
        Assert.Equal("ap-northeast-1a", await client.GetMetadataAsync("placement/availability-zone", CancellationToken.None));
        Assert.Equal(2, imds.TokenPuts);
        Assert.Equal(2, client.TokenRequests);
    }

    [Fact]
    public async Task The_token_is_renewed_before_it_expires()
    {
        using var imds = new FakeImds();
        var time = new ManualTime();
        using var http = new HttpClient();
        var client = new ImdsClient(http, imds.Server.Url, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(600), time);
        await client.GetMetadataAsync("instance-id", CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(500));
        await client.GetMetadataAsync("instance-id", CancellationToken.None);
        Assert.Equal(1, imds.TokenPuts);
        time.Advance(TimeSpan.FromSeconds(50)); // 550 s: within the last 60 s of the 600 s TTL
        await client.GetMetadataAsync("instance-id", CancellationToken.None);
        Assert.Equal(2, imds.TokenPuts);
        Assert.Equal("600", imds.Server.Requests.First(r => r.Method == "PUT").Header("X-aws-ec2-metadata-token-ttl-seconds"));
    }

    [Fact]
    public async Task A_missing_path_is_null()
    {
        using var imds = new FakeImds();
        using var client = new ImdsClient(imds.Server.Url, TimeSpan.FromSeconds(2));
        Assert.Null(await client.GetMetadataAsync("network/interfaces/macs/02:00:00:00:00:01/interface-id", CancellationToken.None));
    }

    [Fact]
    public async Task A_silent_endpoint_is_a_timeout_and_a_closed_one_unreachable()
    {
        using var imds = new FakeImds { Override = _ => new FakeResponse(200, "late", DelayMs: 3000) };
        using var slow = new ImdsClient(imds.Server.Url, TimeSpan.FromMilliseconds(200));
        var e = await Assert.ThrowsAsync<AwsApiException>(() => slow.GetMetadataAsync("instance-id", CancellationToken.None));
        Assert.True(e.IsTimeout);
        Assert.Equal("RequestTimeout", e.Code);

        var closedPort = new Uri($"http://127.0.0.1:{ClosedPort()}/");
        using var closed = new ImdsClient(closedPort, TimeSpan.FromSeconds(2));
        var u = await Assert.ThrowsAsync<AwsApiException>(() => closed.GetMetadataAsync("instance-id", CancellationToken.None));
        Assert.True(u.IsTimeout);
        Assert.Equal("EndpointUnreachable", u.Code);
    }

    [Fact]
    public async Task Instance_role_credentials_come_through_the_configured_imds()
    {
        using var imds = new FakeImds();
        using var client = new ImdsClient(imds.Server.Url, TimeSpan.FromSeconds(2));
        var chain = new AwsCredentialChain(null, client, _ => null, Path.Combine(Path.GetTempPath(), "expressha-no-such-credentials-" + Guid.NewGuid()));
        var creds = await chain.GetCredentialsAsync();
        Assert.Equal("imds-role", chain.Source);
        Assert.Equal("ASIAROLE", creds.AccessKey);
        Assert.Equal("rolesecret", creds.SecretKey);
        Assert.Equal("roletoken", creds.Token);
        await chain.GetCredentialsAsync();
        Assert.Equal(1, imds.Server.Requests.Count(r => r.Path == "/latest/meta-data/iam/security-credentials/ha-role"));
    }

    internal static int ClosedPort()
    {
        var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}

public class CredentialChainTests
{
    [Fact]
    public async Task Environment_credentials_come_before_the_instance_role()
    {
        var env = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = "AKIAENV", ["AWS_SECRET_ACCESS_KEY"] = "envsecret", ["AWS_SESSION_TOKEN"] = "envtoken" };
        var chain = new AwsCredentialChain(null, new ThrowingImds(), n => env.GetValueOrDefault(n), NoFile());
        var c = await chain.GetCredentialsAsync();
        Assert.Equal(("AKIAENV", "envsecret", "envtoken"), (c.AccessKey, c.SecretKey, c.Token));
        Assert.Equal("environment", chain.Source);
    }

    [Fact]
    public async Task The_configured_profile_wins_and_a_missing_one_is_an_error()
    {
        var file = Path.Combine(Path.GetTempPath(), "expressha-creds-" + Guid.NewGuid());
        await File.WriteAllTextAsync(file, "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = d\n\n[ha]\naws_access_key_id = AKIAHA\naws_secret_access_key = hasecret\n");
        try
        {
            var env = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = "AKIAENV", ["AWS_SECRET_ACCESS_KEY"] = "envsecret" };
            var chain = new AwsCredentialChain("ha", new ThrowingImds(), n => env.GetValueOrDefault(n), file);
            Assert.Equal("AKIAHA", (await chain.GetCredentialsAsync()).AccessKey);
            Assert.Equal("profile:ha", chain.Source);

            var fallback = new AwsCredentialChain(null, new ThrowingImds(), _ => null, file);
            Assert.Equal("AKIADEFAULT", (await fallback.GetCredentialsAsync()).AccessKey);

            var missing = new AwsCredentialChain("nope", new ThrowingImds(), _ => null, file);
            var e = Assert.Throws<AwsApiException>(() => missing.GetCredentials());
            Assert.Equal("NoCredentials", e.Code);
            Assert.Contains("'nope'", e.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }

    static string NoFile() => Path.Combine(Path.GetTempPath(), "expressha-no-such-credentials-" + Guid.NewGuid());

    sealed class ThrowingImds : IImdsClient
    {
        public Task<string?> GetMetadataAsync(string path, CancellationToken ct) => throw new InvalidOperationException("IMDS must not be asked");
    }
}

/// <summary>An IMDSv2 fake: token PUT (TTL header checked), GETs need the current token, a few meta-data paths and role credentials.</summary>
internal sealed class FakeImds : IDisposable
{
    public int TokenPuts;
    public string CurrentToken = "tok-1";
    public readonly FakeAwsServer Server;
    public Func<RecordedRequest, FakeResponse?>? Override;

    public FakeImds()
    {
        Server = new FakeAwsServer(Handle);
    }

    FakeResponse Handle(RecordedRequest r)
    {
        if (Override?.Invoke(r) is { } o) return o;
        if (r.Method == "PUT" && r.Path == "/latest/api/token")
        {
            if (r.Header("X-aws-ec2-metadata-token-ttl-seconds") is not { } ttl || int.Parse(ttl) is < 1 or > 21600) return new FakeResponse(400);
            Interlocked.Increment(ref TokenPuts);
            CurrentToken = "tok-" + TokenPuts;
            return new FakeResponse(200, CurrentToken, "text/plain");
        }
        if (r.Method != "GET") return new FakeResponse(405);
        if (r.Header("X-aws-ec2-metadata-token") != CurrentToken) return new FakeResponse(401);
        return r.Path switch
        {
            "/latest/meta-data/instance-id" => new FakeResponse(200, "i-0123456789abcdef0", "text/plain"),
            "/latest/meta-data/placement/availability-zone" => new FakeResponse(200, "ap-northeast-1a", "text/plain"),
            "/latest/meta-data/placement/region" => new FakeResponse(200, "ap-northeast-1", "text/plain"),
            "/latest/meta-data/iam/security-credentials/" => new FakeResponse(200, "ha-role", "text/plain"),
            "/latest/meta-data/iam/security-credentials/ha-role" => new FakeResponse(200,
                $$"""{"Code":"Success","LastUpdated":"2025-01-01T00:00:00Z","Type":"AWS-HMAC","AccessKeyId":"ASIAROLE","SecretAccessKey":"rolesecret","Token":"roletoken","Expiration":"{{DateTime.UtcNow.AddHours(6):yyyy-MM-ddTHH:mm:ssZ}}"}""", "text/plain"),
            _ => new FakeResponse(404, "", "text/plain"),
        };
    }

    public void Dispose() => Server.Dispose();
}
