using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;

namespace ExpressHa.Service.Aws;

/// <summary>Signature Version 4 for the hand-written REST-XML / query clients (Route 53, SNS). The canonical request
/// is built here (the SDK's canonicalizer needs its internal request type); the string-to-sign, the signing key and
/// the signature are AWSSDK.Core's <see cref="AWS4Signer.ComputeSignature(ImmutableCredentials,string,DateTime,string,string,string)"/>.</summary>
public static class AwsSigV4
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>Signs the request in place: sets x-amz-date, x-amz-security-token (session credentials) and
    /// Authorization. The body must be the exact bytes that will be sent (empty for GET). Signed headers: host,
    /// content-type (when the request has content), x-amz-date, x-amz-security-token.</summary>
    public static void Sign(HttpRequestMessage request, ReadOnlySpan<byte> body, ImmutableCredentials credentials,
        string region, string service, DateTime utcNow)
    {
        ArgumentNullException.ThrowIfNull(request.RequestUri);
        var uri = request.RequestUri;
        var amzDate = utcNow.ToUniversalTime().ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);

        request.Headers.Remove("x-amz-date");
        request.Headers.TryAddWithoutValidation("x-amz-date", amzDate);
        request.Headers.Remove("x-amz-security-token");
        if (credentials.UseToken)
            request.Headers.TryAddWithoutValidation("x-amz-security-token", credentials.Token);
        request.Headers.Host = uri.Authority;

        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = uri.Authority,
            ["x-amz-date"] = amzDate,
        };
        if (credentials.UseToken)
            headers["x-amz-security-token"] = credentials.Token;
        if (request.Content?.Headers.ContentType is MediaTypeHeaderValue ct)
            headers["content-type"] = ct.ToString();

        var signedHeaders = string.Join(';', headers.Keys);
        var canonical = CanonicalRequest(request.Method.Method, uri, headers, signedHeaders, HexSha256(body));
        var result = AWS4Signer.ComputeSignature(credentials, region, utcNow.ToUniversalTime(), service, signedHeaders, canonical);
        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("Authorization", result.ForAuthorizationHeader);
    }

    /// <summary>The canonical request of SigV4 (method, canonical URI, canonical query, canonical headers, signed
    /// header names, hex SHA-256 of the payload).</summary>
    public static string CanonicalRequest(string method, Uri uri, IReadOnlyDictionary<string, string> lowerCaseHeaders,
        string signedHeaders, string payloadHash)
    {
        var sb = new StringBuilder();
        sb.Append(method.ToUpperInvariant()).Append('\n');
        sb.Append(CanonicalPath(uri.AbsolutePath)).Append('\n');
        sb.Append(CanonicalQuery(uri.Query)).Append('\n');
        foreach (var (name, value) in lowerCaseHeaders.OrderBy(h => h.Key, StringComparer.Ordinal))
            sb.Append(name).Append(':').Append(CollapseSpaces(value.Trim())).Append('\n');
        sb.Append('\n').Append(signedHeaders).Append('\n').Append(payloadHash);
        return sb.ToString();
    }

    public static string HexSha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>RFC 3986 encoding as SigV4 wants it: unreserved characters kept, everything else %XX upper-case.</summary>
    public static string UriEncode(string value, bool keepSlash = false)
    {
        var sb = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (c is >= 'A' and <= 'Z' or >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '_' or '.' or '~' || (keepSlash && c == '/'))
                sb.Append(c);
            else
                sb.Append('%').Append(b.ToString("X2"));
        }
        return sb.ToString();
    }

    // Non-S3 services: each path segment is URI-encoded (the path as sent is already encoded once, so the
    // decoded segment is encoded twice as the spec requires for them).
    private static string CanonicalPath(string absolutePath)
    {
        if (string.IsNullOrEmpty(absolutePath)) return "/";
        var segments = absolutePath.Split('/').Select(s => UriEncode(UriEncode(Uri.UnescapeDataString(s))));
        return string.Join('/', segments);
    }

    private static string CanonicalQuery(string query)
    {
        if (string.IsNullOrEmpty(query) || query == "?") return "";
        var pairs = query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p =>
        {
            var eq = p.IndexOf('=');
            var k = Uri.UnescapeDataString((eq < 0 ? p : p[..eq]).Replace('+', ' '));
            var v = eq < 0 ? "" : Uri.UnescapeDataString(p[(eq + 1)..].Replace('+', ' '));
            return (K: UriEncode(k), V: UriEncode(v));
        });
        return string.Join('&', pairs.OrderBy(p => p.K, StringComparer.Ordinal).ThenBy(p => p.V, StringComparer.Ordinal).Select(p => p.K + "=" + p.V));
    }

    private static string CollapseSpaces(string s)
    {
        if (!s.Contains("  ")) return s;
        var sb = new StringBuilder(s.Length);
        var prevSpace = false;
        foreach (var c in s)
        {
            if (c == ' ') { if (!prevSpace) sb.Append(c); prevSpace = true; }
            else { sb.Append(c); prevSpace = false; }
        }
        return sb.ToString();
    }
}
