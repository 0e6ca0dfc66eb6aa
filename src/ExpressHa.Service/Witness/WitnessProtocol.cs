using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using ExpressHa.Service.Security;

namespace ExpressHa.Service.Witness;

/// <summary>The witness wire format (plain HTTP, JSON, camelCase):
/// <list type="bullet">
/// <item><c>POST /v1/witness/{cluster}/{node}</c>, body <c>{"sees":["n2"]}</c> (optional: the peers the node still sees),
/// headers <c>X-Witness-Timestamp</c> (Unix ms) and <c>X-Witness-Signature</c> (hex HMAC-SHA256 with the cluster key
/// over <c>cluster|node|timestamp</c>). Required when <c>&lt;state-dir&gt;/&lt;cluster&gt;.key</c> exists; then the
/// timestamp must be within <see cref="MaxSkewMs"/> of the witness's clock and newer than the node's previous one
/// (no replays). Answers 200 with the cluster view (as GET), 401 unauthenticated, 400 bad names or body.</item>
/// <item><c>GET /v1/witness/{cluster}</c> → <see cref="WitnessView"/>: every node's last-seen age in ms (404 for a
/// cluster never seen).</item>
/// </list></summary>
public static partial class WitnessProtocol
{
    public const string TimestampHeader = "X-Witness-Timestamp";
    public const string SignatureHeader = "X-Witness-Signature";
    public const long MaxSkewMs = 300_000;
    public const int MaxBodyBytes = 16 * 1024;

    public static string Path(string cluster) => $"v1/witness/{Uri.EscapeDataString(cluster)}";
    public static string Path(string cluster, string node) => $"v1/witness/{Uri.EscapeDataString(cluster)}/{Uri.EscapeDataString(node)}";

    /// <summary>Cluster and node names: 1–64 of letters, digits, '.', '_', '-', not starting with '.'.</summary>
    public static bool IsValidName(string? name) => name != null && NameRegex().IsMatch(name);

    [GeneratedRegex("^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex NameRegex();

    static byte[] Payload(string cluster, string node, long timestampMs)
        => Encoding.UTF8.GetBytes($"{cluster}|{node}|{timestampMs.ToString(CultureInfo.InvariantCulture)}");

    public static string Sign(ClusterKey key, string cluster, string node, long timestampMs)
        => Convert.ToHexString(key.Sign(Payload(cluster, node, timestampMs))).ToLowerInvariant();

    public static bool Verify(ClusterKey key, string cluster, string node, long timestampMs, string? signatureHex)
    {
        if (string.IsNullOrEmpty(signatureHex) || signatureHex.Length != 64) return false;
        byte[] tag;
        try { tag = Convert.FromHexString(signatureHex); } catch (FormatException) { return false; }
        return key.Verify(Payload(cluster, node, timestampMs), tag);
    }
}

/// <summary>POST body.</summary>
public sealed class WitnessPost
{
    public List<string>? Sees { get; set; }
}

/// <summary>One node as the witness knows it.</summary>
public sealed class WitnessNodeView
{
    /// <summary>Milliseconds since the node last reached the witness.</summary>
    public long AgeMs { get; set; }
    /// <summary>Unix ms (witness clock) of that post.</summary>
    public long LastSeen { get; set; }
    /// <summary>The peers the node said it still saw then.</summary>
    public List<string> Sees { get; set; } = new();
}

/// <summary>Answer of GET (and of a successful POST).</summary>
public sealed class WitnessView
{
    public string Cluster { get; set; } = "";
    /// <summary>Unix ms, witness clock.</summary>
    public long Now { get; set; }
    public SortedDictionary<string, WitnessNodeView> Nodes { get; set; } = new(StringComparer.Ordinal);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = false)]
[JsonSerializable(typeof(WitnessPost))]
[JsonSerializable(typeof(WitnessView))]
[JsonSerializable(typeof(WitnessClusterState))]
[JsonSerializable(typeof(WitnessError))]
internal sealed partial class WitnessJson : JsonSerializerContext;

public sealed class WitnessError
{
    public bool Ok { get; set; }
    public string Message { get; set; } = "";
}

/// <summary>What is persisted per cluster (<c>&lt;cluster&gt;.state.json</c>).</summary>
public sealed class WitnessClusterState
{
    public string Cluster { get; set; } = "";
    public SortedDictionary<string, WitnessNodeRecord> Nodes { get; set; } = new(StringComparer.Ordinal);
}

public sealed class WitnessNodeRecord
{
    public long LastSeen { get; set; }
    /// <summary>The last accepted signed timestamp (0 when unauthenticated): later posts must be newer.</summary>
    public long LastTimestamp { get; set; }
    public List<string> Sees { get; set; } = new();
}
