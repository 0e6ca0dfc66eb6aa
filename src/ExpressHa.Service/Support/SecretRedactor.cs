using System.Text.RegularExpressions;

namespace ExpressHa.Service.Support;

/// <summary>Removes secrets from text that leaves the node in a support bundle: the node's own secrets wherever they
/// appear (the API token; the cluster and mirror keys raw, as hex and as base64), and whatever looks like a credential
/// (a bearer token, an AWS secret key or session token, a password= or secret= value). Pure.</summary>
public sealed class SecretRedactor
{
    public const string Mark = "[redacted]";
    readonly List<string> _literals;

    static readonly Regex Patterns = new(
        @"(?<keep>\bBearer\s+)[A-Za-z0-9._~+/=-]{8,}" +
        @"|(?<keep>\b(?:aws_?secret_?access_?key|secret_?access_?key|aws_?session_?token|session_?token|password|passwd|secret|api_?token)[""']?\s*[:=]\s*[""']?)[^\s""',;]{4,}",
        RegexOptions.IgnoreCase | RegexOptions.Compiled | RegexOptions.CultureInvariant);

    /// <param name="texts">Secrets as written (tokens, passwords).</param>
    /// <param name="keys">Key bytes; each is also removed as lower- and upper-case hex and as base64.</param>
    public SecretRedactor(IEnumerable<string> texts, IEnumerable<byte[]> keys)
    {
        var all = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in texts)
        {
            var s = t.Trim();
            if (s.Length >= 4) all.Add(s);
        }
        foreach (var k in keys)
        {
            if (k.Length < 4) continue;
            all.Add(Convert.ToHexString(k));
            all.Add(Convert.ToHexString(k).ToLowerInvariant());
            all.Add(Convert.ToBase64String(k));
            all.Add(Convert.ToBase64String(k).TrimEnd('='));
            // Text key files (hex or base64 with a newline) are secrets as written, too.
            var asText = System.Text.Encoding.UTF8.GetString(k).Trim();
            if (asText.Length >= 8 && asText.All(c => c > ' ' && c < 127)) all.Add(asText);
        }
        // Longest first, so a secret that contains another one goes whole.
        _literals = all.OrderByDescending(s => s.Length).ToList();
    }

    public int Redactions { get; private set; }

    public string Redact(string line)
    {
        foreach (var secret in _literals)
        {
            if (!line.Contains(secret, StringComparison.Ordinal)) continue;
            Redactions++;
            line = line.Replace(secret, Mark, StringComparison.Ordinal);
        }
        return Patterns.Replace(line, m =>
        {
            if (m.Value.EndsWith(Mark, StringComparison.Ordinal)) return m.Value;
            Redactions++;
            return m.Groups["keep"].Value + Mark;
        });
    }
}
