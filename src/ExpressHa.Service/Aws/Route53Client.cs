using System.Globalization;
using System.Text;
using System.Xml.Linq;
using Amazon.Runtime;

namespace ExpressHa.Service.Aws;

/// <summary>Route 53 over its REST-XML API (version 2013-04-01), SigV4-signed with service "route53" and region
/// us-east-1 (Route 53 is global; its signing scope is us-east-1). Zone ids and change ids are accepted with or without
/// their "/hostedzone/" and "/change/" prefixes.</summary>
public sealed class Route53Client : IRoute53Api
{
    public const string Namespace = "https://route53.amazonaws.com/doc/2013-04-01/";
    public const string ApiVersion = "2013-04-01";
    public static readonly Uri DefaultEndpoint = new("https://route53.amazonaws.com/");
    private static readonly XNamespace Ns = Namespace;
    private readonly SignedHttpClient _client;

    /// <param name="endpoint">null = https://route53.amazonaws.com/</param>
    /// <param name="signingRegion">null = us-east-1</param>
    public Route53Client(HttpClient http, AWSCredentials credentials, Uri? endpoint, TimeSpan perCallTimeout,
        string? signingRegion = null, Func<DateTime>? utcNow = null)
    {
        _client = new SignedHttpClient(http, credentials, endpoint ?? DefaultEndpoint, signingRegion ?? "us-east-1", "route53", perCallTimeout, utcNow);
    }

    public Uri Endpoint => _client.Endpoint;

    public async Task<string> ChangeRecordAsync(string hostedZoneId, string action, RecordSet record, CancellationToken ct)
    {
        var zone = ZoneId(hostedZoneId);
        var body = Encoding.UTF8.GetBytes(BuildChangeXml(action, record));
        var doc = await _client.SendAsync(HttpMethod.Post, $"{ApiVersion}/hostedzone/{zone}/rrset", body, "application/xml",
            "ChangeResourceRecordSets", ct).ConfigureAwait(false);
        var info = Find(doc.Root, "ChangeInfo") ?? throw Malformed("ChangeResourceRecordSets", "no ChangeInfo");
        return SignedHttpClient.Child(info, "Id") ?? throw Malformed("ChangeResourceRecordSets", "no ChangeInfo/Id");
    }

    public async Task<string> GetChangeStatusAsync(string changeId, CancellationToken ct)
    {
        var id = StripPrefix(changeId, "/change/");
        var doc = await _client.SendAsync(HttpMethod.Get, $"{ApiVersion}/change/{Uri.EscapeDataString(id)}", null, null, "GetChange", ct).ConfigureAwait(false);
        var info = Find(doc.Root, "ChangeInfo") ?? throw Malformed("GetChange", "no ChangeInfo");
        return SignedHttpClient.Child(info, "Status") ?? throw Malformed("GetChange", "no ChangeInfo/Status");
    }

    public async Task<IReadOnlyList<RecordSet>> ListRecordsAsync(string hostedZoneId, string? startName, string? startType, int maxItems, CancellationToken ct)
    {
        var zone = ZoneId(hostedZoneId);
        var query = new List<string>();
        if (startName != null) query.Add("name=" + AwsSigV4.UriEncode(startName));
        if (startType != null)
        {
            if (startName == null) throw new ArgumentException("Route 53 needs a start name with a start type.", nameof(startType));
            query.Add("type=" + AwsSigV4.UriEncode(startType));
        }
        if (maxItems > 0) query.Add("maxitems=" + maxItems.ToString(CultureInfo.InvariantCulture));
        var path = $"{ApiVersion}/hostedzone/{zone}/rrset" + (query.Count > 0 ? "?" + string.Join('&', query) : "");
        var doc = await _client.SendAsync(HttpMethod.Get, path, null, null, "ListResourceRecordSets", ct).ConfigureAwait(false);
        var sets = Find(doc.Root, "ResourceRecordSets");
        if (sets == null) return [];
        return sets.Elements().Where(e => e.Name.LocalName == "ResourceRecordSet").Select(ParseRecordSet).ToList();
    }

    public async Task<IReadOnlyList<HostedZone>> ListHostedZonesAsync(CancellationToken ct)
    {
        var zones = new List<HostedZone>();
        string? marker = null;
        for (var page = 0; page < 1000; page++)
        {
            var path = $"{ApiVersion}/hostedzone" + (marker != null ? "?marker=" + AwsSigV4.UriEncode(marker) : "");
            var doc = await _client.SendAsync(HttpMethod.Get, path, null, null, "ListHostedZones", ct).ConfigureAwait(false);
            var list = Find(doc.Root, "HostedZones");
            if (list != null)
                foreach (var z in list.Elements().Where(e => e.Name.LocalName == "HostedZone"))
                    zones.Add(new HostedZone(StripPrefix(SignedHttpClient.Child(z, "Id") ?? "", "/hostedzone/"), SignedHttpClient.Child(z, "Name") ?? ""));
            var truncated = string.Equals(SignedHttpClient.Child(doc.Root!, "IsTruncated"), "true", StringComparison.OrdinalIgnoreCase);
            marker = SignedHttpClient.Child(doc.Root!, "NextMarker");
            if (!truncated || string.IsNullOrEmpty(marker)) break;
        }
        return zones;
    }

    /// <summary>The ChangeResourceRecordSetsRequest document for one change.</summary>
    public static string BuildChangeXml(string action, RecordSet record)
    {
        var act = action.ToUpperInvariant();
        if (act is not ("CREATE" or "UPSERT" or "DELETE"))
            throw new ArgumentException($"Route 53 change action must be CREATE, UPSERT or DELETE, not '{action}'.", nameof(action));
        var doc = new XDocument(new XDeclaration("1.0", "UTF-8", null),
            new XElement(Ns + "ChangeResourceRecordSetsRequest",
                new XElement(Ns + "ChangeBatch",
                    new XElement(Ns + "Changes",
                        new XElement(Ns + "Change",
                            new XElement(Ns + "Action", act),
                            new XElement(Ns + "ResourceRecordSet",
                                new XElement(Ns + "Name", record.Name),
                                new XElement(Ns + "Type", record.Type),
                                new XElement(Ns + "TTL", record.Ttl.ToString(CultureInfo.InvariantCulture)),
                                new XElement(Ns + "ResourceRecords",
                                    record.Values.Select(v => new XElement(Ns + "ResourceRecord", new XElement(Ns + "Value", v))))))))));
        using var w = new Utf8StringWriter();
        doc.Save(w, SaveOptions.DisableFormatting);
        return w.ToString();
    }

    /// <summary>A record name as Route 53 stores and returns it: lower case, absolute (trailing dot), octal escapes
    /// such as \052 decoded. Use it to compare a configured name with a listed one.</summary>
    public static string NormalizeName(string name)
    {
        var sb = new StringBuilder(name.Length + 1);
        for (var i = 0; i < name.Length; i++)
        {
            if (name[i] == '\\' && IsOctal(name, i + 1))
            {
                sb.Append((char)Convert.ToInt32(name.Substring(i + 1, 3), 8));
                i += 3;
            }
            else sb.Append(name[i]);
        }
        var s = sb.ToString().ToLowerInvariant();
        return s.EndsWith('.') ? s : s + ".";
    }

    private static bool IsOctal(string s, int start) =>
        start + 3 <= s.Length && s.Substring(start, 3).All(c => c is >= '0' and <= '7');

    private static RecordSet ParseRecordSet(XElement e)
    {
        var values = e.Elements().Where(x => x.Name.LocalName == "ResourceRecords").Elements()
            .Select(r => SignedHttpClient.Child(r, "Value") ?? "").ToList();
        var alias = e.Elements().FirstOrDefault(x => x.Name.LocalName == "AliasTarget");
        if (alias != null && values.Count == 0) values.Add("ALIAS " + (SignedHttpClient.Child(alias, "DNSName") ?? ""));
        long.TryParse(SignedHttpClient.Child(e, "TTL"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ttl);
        return new RecordSet(SignedHttpClient.Child(e, "Name") ?? "", SignedHttpClient.Child(e, "Type") ?? "", ttl, values);
    }

    private static string ZoneId(string id)
    {
        var z = StripPrefix(id, "/hostedzone/");
        if (z.Length == 0 || !z.All(char.IsAsciiLetterOrDigit))
            throw new AwsApiException("InvalidInput", $"'{id}' is not a hosted zone id (letters and digits, e.g. Z1D633PJN98FT9).", 400);
        return z;
    }

    private static string StripPrefix(string id, string prefix) =>
        id.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? id[prefix.Length..] : id.TrimStart('/');

    private static XElement? Find(XElement? root, string localName) =>
        root == null ? null : root.Name.LocalName == localName ? root : root.Descendants().FirstOrDefault(e => e.Name.LocalName == localName);

    private static AwsApiException Malformed(string op, string what) => new("MalformedResponse", $"{op}: unexpected Route 53 answer ({what}).");

    private sealed class Utf8StringWriter : StringWriter
    {
        public override Encoding Encoding => new UTF8Encoding(false);
    }
}
