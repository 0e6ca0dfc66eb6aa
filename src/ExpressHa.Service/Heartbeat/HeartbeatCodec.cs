using System.Text;
using System.Text.Json;
using ExpressHa.Service.Alerts;
using ExpressHa.Service.Security;

namespace ExpressHa.Service.Heartbeat;

/// <summary>Wire form: "EHB1", a 32-byte HMAC-SHA256 (cluster key) of the rest, then the report as UTF-8 JSON.
/// Anything that does not verify is dropped before it is parsed.</summary>
public static class HeartbeatCodec
{
    static readonly byte[] Magic = "EHB1"u8.ToArray();
    public const int MaxSize = 60000;

    public static byte[] Encode(HeartbeatReport report, ClusterKey key)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(report, JsonOptions.Web);
        var packet = new byte[Magic.Length + 32 + json.Length];
        Magic.CopyTo(packet, 0);
        json.CopyTo(packet, Magic.Length + 32);
        key.Sign(json).CopyTo(packet, Magic.Length);
        return packet;
    }

    /// <summary>The report, or null with the reason (for counters and debug logs; never an exception).</summary>
    public static HeartbeatReport? Decode(ReadOnlySpan<byte> packet, ClusterKey key, out string? reason)
    {
        reason = null;
        if (packet.Length < Magic.Length + 32 + 2 || packet.Length > MaxSize || !packet[..Magic.Length].SequenceEqual(Magic))
        {
            reason = "not a heartbeat packet";
            return null;
        }
        var tag = packet.Slice(Magic.Length, 32);
        var json = packet[(Magic.Length + 32)..];
        if (!key.Verify(json, tag))
        {
            reason = "bad signature (another cluster key, or forged)";
            return null;
        }
        try
        {
            var report = JsonSerializer.Deserialize<HeartbeatReport>(json, JsonOptions.Web);
            if (report == null || report.Node.Length == 0) reason = "empty report";
            return reason == null ? report : null;
        }
        catch (JsonException ex)
        {
            reason = "malformed report: " + ex.Message;
            return null;
        }
    }
}
