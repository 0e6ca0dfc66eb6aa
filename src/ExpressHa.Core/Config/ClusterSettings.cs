using System.Collections.Generic;
using System.Linq;

namespace ExpressHa.Config
{
    public sealed class ClusterSettings
    {
        public string Name { get; set; } = "";
        /// <summary>Interconnects in priority order: the first carries cluster traffic first.</summary>
        public List<InterconnectConfig> Interconnects { get; set; } = new List<InterconnectConfig>();
        public HeartbeatSettings Heartbeat { get; set; } = new HeartbeatSettings();
        public PartitionResolutionSettings PartitionResolution { get; set; } = new PartitionResolutionSettings();
        public FencingSettings Fencing { get; set; } = new FencingSettings();
        public WatchdogSettings Watchdog { get; set; } = new WatchdogSettings();
        public NotificationSettings Notifications { get; set; } = new NotificationSettings();
        public SecuritySettings Security { get; set; } = new SecuritySettings();
        public AwsSettings Aws { get; set; } = new AwsSettings();
        /// <summary>Command the service runs for the OS shutdown final action (tests point it at a marker script).</summary>
        public string ShutdownCommand { get; set; } = "systemctl poweroff";
        /// <summary>Command the service runs for the OS reboot final action.</summary>
        public string RebootCommand { get; set; } = "systemctl reboot";

        public override string ToString() => Name;
    }

    public sealed class InterconnectConfig
    {
        public string Name { get; set; } = "";
        /// <summary>lan (heartbeat only), mirror (mirror connect only) or both.</summary>
        public string Role { get; set; } = InterconnectRoles.Heartbeat;
        public override string ToString() => Name + " (" + Role + ")";
    }

    public static class InterconnectRoles
    {
        public const string Heartbeat = "heartbeat";
        public const string Mirror = "mirror";
        public const string Both = "heartbeat,mirror";
        public static readonly string[] All = { Heartbeat, Mirror, Both };
    }

    public sealed class HeartbeatSettings
    {
        public const int DefaultIntervalMs = 1000;
        public const int DefaultTimeoutMs = 10000;
        public const int DefaultPort = 29002;
        public int IntervalMs { get; set; } = DefaultIntervalMs;
        public int TimeoutMs { get; set; } = DefaultTimeoutMs;
        /// <summary>UDP port heartbeats use unless a node overrides it.</summary>
        public int Port { get; set; } = DefaultPort;

        public override string ToString() => $"every {IntervalMs} ms, timeout {TimeoutMs} ms, udp {Port}";
    }

    public sealed class SecuritySettings
    {
        /// <summary>File holding the shared cluster key (HMAC of heartbeats, mirror authentication). Never the key itself.</summary>
        public string KeyFile { get; set; } = "/etc/expressha/cluster.key";
        /// <summary>File holding the management API token.</summary>
        public string ApiTokenFile { get; set; } = "/etc/expressha/api.token";
        /// <summary>File holding a second API token that may read everything and change nothing (the web UI's and the
        /// cmdlets' read-only role); null: no read-only token.</summary>
        public string? ReadOnlyTokenFile { get; set; }
        /// <summary>HTTPS with a self-signed certificate; plain HTTP is allowed on loopback only.</summary>
        public bool ApiTls { get; set; } = true;
        public int ApiPort { get; set; } = 29003;

        public override string ToString() => $"API {(ApiTls ? "https" : "http")} on {ApiPort}; key file {KeyFile}; token file {ApiTokenFile}" + (ReadOnlyTokenFile != null ? $"; read-only token file {ReadOnlyTokenFile}" : "");
    }

    public sealed class AwsSettings
    {
        public string? Region { get; set; }
        public string? Profile { get; set; }
        /// <summary>Endpoint overrides by service name (ec2, route53, sns, imds), for VPC endpoints or the local AWS-compatible endpoint.</summary>
        public SortedDictionary<string, string> Endpoints { get; set; } = new SortedDictionary<string, string>(System.StringComparer.Ordinal);
        public string? Proxy { get; set; }
        public bool IsEmpty => Region == null && Profile == null && Endpoints.Count == 0 && Proxy == null;

        public override string ToString()
        {
            if (IsEmpty) return "defaults";
            var parts = new List<string>();
            if (Region != null) parts.Add("region " + Region);
            if (Profile != null) parts.Add("profile " + Profile);
            parts.AddRange(Endpoints.Select(e => e.Key + " " + e.Value));
            if (Proxy != null) parts.Add("proxy " + Proxy);
            return string.Join("; ", parts);
        }
    }
}
