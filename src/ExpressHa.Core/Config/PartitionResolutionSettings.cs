using System.Collections.Generic;

namespace ExpressHa.Config
{
    /// <summary>Network partition resolution. Every configured method must succeed for a node to keep running after it loses its peers.</summary>
    public sealed class PartitionResolutionSettings
    {
        public PingResolution? Ping { get; set; }
        public HttpResolution? Http { get; set; }
        public TcpResolution? Tcp { get; set; }
        /// <summary>Quorum of online nodes (three or more nodes); ties broken by node priority.</summary>
        public bool Majority { get; set; }
        /// <summary>What a node does when it loses resolution: stopService, shutdown or reboot.</summary>
        public string Action { get; set; } = PartitionActions.StopService;

        public bool IsConfigured => Ping != null || Http != null || Tcp != null || Majority;

        public override string ToString() => SafetySummary.Partition(this);
    }

    public static class PartitionActions
    {
        public const string StopService = "stopService";
        public const string Shutdown = "shutdown";
        public const string Reboot = "reboot";
        public static readonly string[] All = { StopService, Shutdown, Reboot };
    }

    public sealed class PingResolution
    {
        public List<string> Targets { get; set; } = new List<string>();
        public int IntervalMs { get; set; } = 1000;
        public int TimeoutMs { get; set; } = 3000;

        public override string ToString() => string.Join(", ", Targets) + $" (every {IntervalMs} ms, timeout {TimeoutMs} ms)";
    }

    /// <summary>An HTTP witness server: the node the witness still sees wins.</summary>
    public sealed class HttpResolution
    {
        public string Url { get; set; } = "";
        public int TimeoutMs { get; set; } = 3000;
        /// <summary>Also use the witness as a heartbeat path.</summary>
        public bool Heartbeat { get; set; } = true;

        public override string ToString() => Url + $" (timeout {TimeoutMs} ms{(Heartbeat ? ", heartbeat path" : "")})";
    }

    public sealed class TcpResolution
    {
        public string Host { get; set; } = "";
        public int Port { get; set; } = 443;
        public int TimeoutMs { get; set; } = 3000;

        public override string ToString() => $"{Host}:{Port} (timeout {TimeoutMs} ms)";
    }
}
