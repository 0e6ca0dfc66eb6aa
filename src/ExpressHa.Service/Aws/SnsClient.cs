using System.Text;
using Amazon.Runtime;

namespace ExpressHa.Service.Aws;

/// <summary>SNS Publish over the query API (POST form, Version 2010-03-31), SigV4-signed with service "sns". The
/// region of the signature and of the default endpoint is the topic ARN's region, else the configured one.</summary>
public sealed class SnsClient : ISnsApi
{
    public const string ApiVersion = "2010-03-31";
    private readonly HttpClient _http;
    private readonly AWSCredentials _credentials;
    private readonly Uri? _endpoint;
    private readonly string? _region;
    private readonly TimeSpan _perCallTimeout;
    private readonly Func<DateTime>? _utcNow;

    /// <param name="endpoint">null = https://sns.{region}.amazonaws.com/ (amazonaws.com.cn in China regions)</param>
    /// <param name="region">used when the topic ARN carries no region</param>
    public SnsClient(HttpClient http, AWSCredentials credentials, Uri? endpoint, string? region, TimeSpan perCallTimeout, Func<DateTime>? utcNow = null)
    {
        _http = http;
        _credentials = credentials;
        _endpoint = endpoint;
        _region = region;
        _perCallTimeout = perCallTimeout;
        _utcNow = utcNow;
    }

    public async Task<string> PublishAsync(string topicArn, string subject, string message, CancellationToken ct)
    {
        var region = RegionOf(topicArn) ?? _region
            ?? throw new AwsApiException("InvalidParameter", $"Publish: no region in topic ARN '{topicArn}' and none configured.");
        var endpoint = _endpoint ?? DefaultEndpoint(region);
        var client = new SignedHttpClient(_http, _credentials, endpoint, region, "sns", _perCallTimeout, _utcNow);
        var form = new List<KeyValuePair<string, string>>
        {
            new("Action", "Publish"),
            new("TopicArn", topicArn),
        };
        if (!string.IsNullOrEmpty(subject)) form.Add(new("Subject", TrimSubject(subject)));
        form.Add(new("Message", message));
        form.Add(new("Version", ApiVersion));
        var body = Encoding.UTF8.GetBytes(string.Join('&', form.Select(p => AwsSigV4.UriEncode(p.Key) + "=" + AwsSigV4.UriEncode(p.Value))));
        var doc = await client.SendAsync(HttpMethod.Post, "", body, "application/x-www-form-urlencoded; charset=utf-8", "Publish", ct).ConfigureAwait(false);
        return doc.Root?.Descendants().FirstOrDefault(e => e.Name.LocalName == "MessageId")?.Value
            ?? throw new AwsApiException("MalformedResponse", "Publish: no MessageId in the SNS answer.");
    }

    /// <summary>arn:aws:sns:REGION:ACCOUNT:NAME → REGION (null when the ARN has none).</summary>
    public static string? RegionOf(string topicArn)
    {
        var parts = topicArn.Split(':');
        return parts.Length >= 6 && parts[0] == "arn" && parts[2] == "sns" && parts[3].Length > 0 ? parts[3] : null;
    }

    public static Uri DefaultEndpoint(string region) =>
        new(region.StartsWith("cn-", StringComparison.Ordinal) ? $"https://sns.{region}.amazonaws.com.cn/" : $"https://sns.{region}.amazonaws.com/");

    // SNS subjects: at most 100 characters, printable ASCII, no line breaks.
    private static string TrimSubject(string subject)
    {
        var s = new string(subject.Select(c => c is < ' ' or > '~' ? ' ' : c).ToArray());
        return s.Length > 100 ? s[..100] : s;
    }
}
