using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace ExpressHa.AwsLocal;

/// <summary>An AWS error: HTTP status, the service's error code and message.</summary>
public sealed class AwsError : Exception
{
    public AwsError(int status, string code, string message) : base(message) { Status = status; Code = code; }
    public int Status { get; }
    public string Code { get; }
}

/// <summary>One incoming AWS request after the body has been read.</summary>
internal sealed class AwsRequest
{
    public required HttpContext Http { get; init; }
    public required string Service { get; init; }        // ec2 | route53 | sns
    public required string Action { get; set; }
    public required byte[] Body { get; init; }
    /// <summary>Query-protocol parameters (query string + form body).</summary>
    public required Dictionary<string, string> Params { get; init; }
    public AccessKey? Key { get; set; }
    public string RequestId { get; } = Ids.RequestId();
    public int LagMs { get; set; }
}

/// <summary>A small XML writer for the responses.</summary>
internal sealed class XmlOut
{
    private readonly StringBuilder _sb = new();
    public XmlOut() => _sb.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    public static string Esc(string s) => System.Security.SecurityElement.Escape(s) ?? "";
    public XmlOut Open(string name, string? xmlns = null)
    {
        _sb.Append('<').Append(name);
        if (xmlns != null) _sb.Append(" xmlns=\"").Append(xmlns).Append('"');
        _sb.Append('>');
        return this;
    }
    public XmlOut Close(string name) { _sb.Append("</").Append(name).Append('>'); return this; }
    public XmlOut El(string name, object? value)
    {
        if (value == null) return this;
        var s = value switch
        {
            bool b => b ? "true" : "false",
            DateTime d => d.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? ""
        };
        _sb.Append('<').Append(name).Append('>').Append(Esc(s)).Append("</").Append(name).Append('>');
        return this;
    }
    public XmlOut Empty(string name) { _sb.Append('<').Append(name).Append("/>"); return this; }
    /// <summary>EC2 list: &lt;name&gt;&lt;item&gt;...&lt;/item&gt;...&lt;/name&gt;.</summary>
    public XmlOut Set<T>(string name, IEnumerable<T> items, Action<XmlOut, T> item, string itemName = "item")
    {
        Open(name);
        foreach (var i in items) { Open(itemName); item(this, i); Close(itemName); }
        return Close(name);
    }
    public override string ToString() => _sb.ToString();
}

/// <summary>AWS Signature Version 4: parsing and verification of the Authorization header.</summary>
internal static class SigV4
{
    public sealed record Parsed(string AccessKeyId, string Date, string Region, string Service, string[] SignedHeaders, string Signature);

    /// <summary>Parses "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/ec2/aws4_request, SignedHeaders=a;b, Signature=hex".</summary>
    public static Parsed? TryParse(string header)
    {
        const string alg = "AWS4-HMAC-SHA256 ";
        if (!header.StartsWith(alg, StringComparison.Ordinal)) return null;
        var parts = header[alg.Length..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        if (!parts.TryGetValue("Credential", out var cred) || !parts.TryGetValue("SignedHeaders", out var sh) || !parts.TryGetValue("Signature", out var sig))
            return null;
        var c = cred.Split('/');
        if (c.Length != 5 || c[4] != "aws4_request" || c[0].Length == 0) return null;
        return new Parsed(c[0], c[1], c[2], c[3], sh.Split(';'), sig);
    }

    public static string Hex(byte[] b) => Convert.ToHexStringLower(b);
    public static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    /// <summary>RFC 3986 encoding as SigV4 wants it (unreserved characters kept, upper-case hex).</summary>
    public static string UriEncode(string s, bool keepSlash)
    {
        var sb = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(s))
        {
            var ch = (char)b;
            if (ch is >= 'A' and <= 'Z' or >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '_' or '.' or '~' || (keepSlash && ch == '/'))
                sb.Append(ch);
            else sb.Append('%').Append(b.ToString("X2"));
        }
        return sb.ToString();
    }

    public static string CanonicalRequest(string method, string rawPath, string rawQuery, Func<string, string?> header, string[] signedHeaders, string payloadHash)
    {
        var path = string.IsNullOrEmpty(rawPath) ? "/" : rawPath;
        // Non-S3 services: each segment of the (already encoded) path is encoded again.
        var canonicalPath = UriEncode(path, keepSlash: true);
        var q = rawQuery.TrimStart('?');
        var pairs = q.Length == 0 ? new List<(string, string)>() : q.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(kv =>
        {
            var i = kv.IndexOf('=');
            var k = Uri.UnescapeDataString(i < 0 ? kv : kv[..i]);
            var v = i < 0 ? "" : Uri.UnescapeDataString(kv[(i + 1)..].Replace("+", "%20"));
            return (UriEncode(k, false), UriEncode(v, false));
        }).ToList();
        var canonicalQuery = string.Join("&", pairs.OrderBy(p => p.Item1, StringComparer.Ordinal).ThenBy(p => p.Item2, StringComparer.Ordinal).Select(p => p.Item1 + "=" + p.Item2));
        var sb = new StringBuilder();
        sb.Append(method).Append('\n').Append(canonicalPath).Append('\n').Append(canonicalQuery).Append('\n');
        foreach (var h in signedHeaders)
        {
            var v = header(h) ?? "";
            sb.Append(h).Append(':').Append(System.Text.RegularExpressions.Regex.Replace(v.Trim(), " +", " ")).Append('\n');
        }
        sb.Append('\n').Append(string.Join(";", signedHeaders)).Append('\n').Append(payloadHash);
        return sb.ToString();
    }

    public static string Signature(string secret, string amzDate, string date, string region, string service, string canonicalRequest)
    {
        var scope = $"{date}/{region}/{service}/aws4_request";
        var sts = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";
        var k = Hmac(Encoding.UTF8.GetBytes("AWS4" + secret), date);
        k = Hmac(k, region);
        k = Hmac(k, service);
        k = Hmac(k, "aws4_request");
        return Hex(Hmac(k, sts));
    }

    /// <summary>Signs an HttpRequestMessage (used by tests and tools; the server verifies with the same rules the SDK uses).</summary>
    public static void Sign(System.Net.Http.HttpRequestMessage req, byte[] body, string accessKey, string secret, string region, string service, string? sessionToken = null, DateTime? now = null)
    {
        var t = now ?? DateTime.UtcNow;
        var amzDate = t.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var date = amzDate[..8];
        var payloadHash = Hex(SHA256.HashData(body));
        req.Headers.Remove("X-Amz-Date");
        req.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        if (sessionToken != null) req.Headers.TryAddWithoutValidation("X-Amz-Security-Token", sessionToken);
        var uri = req.RequestUri!;
        var host = uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}";
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["host"] = host, ["x-amz-date"] = amzDate };
        if (sessionToken != null) headers["x-amz-security-token"] = sessionToken;
        if (req.Content?.Headers.ContentType is { } ct) headers["content-type"] = ct.ToString();
        var signed = headers.Keys.ToArray();
        var creq = CanonicalRequest(req.Method.Method, uri.AbsolutePath, uri.Query, h => headers.GetValueOrDefault(h), signed, payloadHash);
        var sig = Signature(secret, amzDate, date, region, service, creq);
        req.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential={accessKey}/{date}/{region}/{service}/aws4_request, SignedHeaders={string.Join(";", signed)}, Signature={sig}");
    }
}

/// <summary>Query-protocol parameter helpers (EC2 and SNS).</summary>
internal static class Q
{
    public static string? Get(Dictionary<string, string> p, string name) => p.TryGetValue(name, out var v) ? v : null;

    public static string Req(Dictionary<string, string> p, string name) =>
        p.TryGetValue(name, out var v) && v.Length > 0 ? v : throw new AwsError(400, "MissingParameter", $"The request must contain the parameter {name}");

    public static bool Bool(Dictionary<string, string> p, string name) =>
        p.TryGetValue(name, out var v) && v.Equals("true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Values of Name.1, Name.2, ... in index order.</summary>
    public static List<string> List(Dictionary<string, string> p, string name)
    {
        var r = new List<(int, string)>();
        foreach (var (k, v) in p)
            if (k.StartsWith(name + ".", StringComparison.Ordinal) && int.TryParse(k.AsSpan(name.Length + 1), out var i)) r.Add((i, v));
        return r.OrderBy(x => x.Item1).Select(x => x.Item2).ToList();
    }

    /// <summary>Filter.N.Name / Filter.N.Value.M.</summary>
    public static List<(string Name, List<string> Values)> Filters(Dictionary<string, string> p)
    {
        var r = new List<(int, string, List<string>)>();
        foreach (var (k, v) in p)
        {
            var m = System.Text.RegularExpressions.Regex.Match(k, @"^Filter\.(\d+)\.Name$");
            if (m.Success) r.Add((int.Parse(m.Groups[1].Value), v, List(p, $"Filter.{m.Groups[1].Value}.Value")));
        }
        return r.OrderBy(x => x.Item1).Select(x => (x.Item2, x.Item3)).ToList();
    }

    /// <summary>EC2 filter values support * and ? wildcards.</summary>
    public static bool WildMatch(string pattern, string value)
    {
        if (!pattern.Contains('*') && !pattern.Contains('?')) return pattern == value;
        var re = "^" + System.Text.RegularExpressions.Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".") + "$";
        return System.Text.RegularExpressions.Regex.IsMatch(value, re);
    }
}
