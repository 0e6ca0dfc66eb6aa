using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using ExpressHa.Service.Aws;

namespace ExpressHa.Service.Tests.Aws;

public class SigV4Tests
{
    internal const string AccessKey = "AKIDEXAMPLE";
    internal const string SecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    [Fact]
    public void Signs_the_aws_get_vanilla_test_vector()
    {
        // aws-sig-v4-test-suite "get-vanilla": GET / on example.amazonaws.com, 20150830T123600Z, us-east-1, service "service".
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://example.amazonaws.com/");
        AwsSigV4.Sign(request, [], new ImmutableCredentials(AccessKey, SecretKey, null), "us-east-1", "service",
            new DateTime(2015, 8, 30, 12, 36, 0, DateTimeKind.Utc));
        Assert.Equal("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
            string.Join(",", request.Headers.GetValues("Authorization")));
        Assert.Equal("20150830T123600Z", request.Headers.GetValues("x-amz-date").Single());
    }

    [Fact]
    public async Task Route53_request_carries_a_signature_that_recomputes_independently()
    {
        using var server = new FakeAwsServer(_ => FakeResponse.Xml(Route53Tests.ListZonesXml("Z1", "example.com.", truncated: false)));
        using var http = new HttpClient();
        var client = new Route53Client(http, new BasicAWSCredentials(AccessKey, SecretKey), server.Url, TimeSpan.FromSeconds(5));
        await client.ListRecordsAsync("Z1", "www.example.com.", "A", 5, CancellationToken.None);

        var req = server.Requests.Single();
        var auth = req.Header("Authorization")!;
        var m = Regex.Match(auth, @"^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/(\d{8})/us-east-1/route53/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$");
        Assert.True(m.Success, auth);
        var amzDate = req.Header("x-amz-date")!;
        Assert.Matches(@"^\d{8}T\d{6}Z$", amzDate);
        Assert.Equal(amzDate[..8], m.Groups[1].Value);
        Assert.Equal("host;x-amz-date", m.Groups[2].Value);
        Assert.Null(req.Header("x-amz-security-token"));
        Assert.Equal(m.Groups[3].Value, IndependentSignature(req, SecretKey, "us-east-1", "route53", m.Groups[2].Value));
    }

    [Fact]
    public async Task Session_credentials_add_and_sign_the_security_token()
    {
        using var server = new FakeAwsServer(_ => FakeResponse.Xml("<PublishResponse><PublishResult><MessageId>m-1</MessageId></PublishResult></PublishResponse>"));
        using var http = new HttpClient();
        var sns = new SnsClient(http, new SessionAWSCredentials(AccessKey, SecretKey, "TOKEN/with+chars="), server.Url, null, TimeSpan.FromSeconds(5));
        await sns.PublishAsync("arn:aws:sns:ap-northeast-1:123456789012:ha-alerts", "s", "m", CancellationToken.None);

        var req = server.Requests.Single();
        Assert.Equal("TOKEN/with+chars=", req.Header("x-amz-security-token"));
        var m = Regex.Match(req.Header("Authorization")!, @"Credential=AKIDEXAMPLE/\d{8}/ap-northeast-1/sns/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$");
        Assert.True(m.Success, req.Header("Authorization"));
        Assert.Equal("content-type;host;x-amz-date;x-amz-security-token", m.Groups[1].Value);
        Assert.Equal(m.Groups[2].Value, IndependentSignature(req, SecretKey, "ap-northeast-1", "sns", m.Groups[1].Value));
    }

    [Fact]
    public void Canonical_query_is_sorted_and_rfc3986_encoded()
    {
        var canonical = AwsSigV4.CanonicalRequest("GET", new Uri("https://h/2013-04-01/hostedzone/Z1/rrset?type=A&name=a%2Ab.example.com.&maxitems=1"),
            new Dictionary<string, string> { ["host"] = "h" }, "host", AwsSigV4.HexSha256([]));
        Assert.Equal("GET\n/2013-04-01/hostedzone/Z1/rrset\nmaxitems=1&name=a%2Ab.example.com.&type=A\nhost:h\n\nhost\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", canonical);
    }

    /// <summary>SigV4 written out from the specification, without the SDK, over the request as the server got it.</summary>
    internal static string IndependentSignature(RecordedRequest req, string secret, string region, string service, string signedHeaders)
    {
        static string Enc(string s) => Uri.EscapeDataString(s);
        var query = req.Query.TrimStart('?');
        var canonicalQuery = string.Join('&', query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).Select(p => (K: Enc(Uri.UnescapeDataString(p[0])), V: Enc(p.Length > 1 ? Uri.UnescapeDataString(p[1]) : "")))
            .OrderBy(p => p.K, StringComparer.Ordinal).Select(p => p.K + "=" + p.V));
        var headerLines = string.Concat(signedHeaders.Split(';').Select(h => h + ":" + req.Header(h)!.Trim() + "\n"));
        var canonical = $"{req.Method}\n{req.Path}\n{canonicalQuery}\n{headerLines}\n{signedHeaders}\n{Convert.ToHexStringLower(SHA256.HashData(req.Body))}";
        var amzDate = req.Header("x-amz-date")!;
        var scope = $"{amzDate[..8]}/{region}/{service}/aws4_request";
        var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        static byte[] H(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));
        var k = H(H(H(H(Encoding.UTF8.GetBytes("AWS4" + secret), amzDate[..8]), region), service), "aws4_request");
        return Convert.ToHexStringLower(H(k, stringToSign));
    }
}
