using System.Collections.Generic;

namespace ExpressHa.Api
{
    /// <summary>The cluster view one node reports (GET /v1/status). Every node reports the same owners once heartbeats settle.</summary>
    public sealed class ClusterStatus
    {
        public string ClusterName { get; set; } = "";
        /// <summary>The node that answered.</summary>
        public string ReportingNode { get; set; } = "";
        /// <summary>The node that currently takes cluster-wide decisions.</summary>
        public string? Coordinator { get; set; }
        public long ConfigGeneration { get; set; }
        /// <summary>running, stopped or suspended.</summary>
        public string ServiceState { get; set; } = ServiceStates.Running;
        /// <summary>The configured partition resolution, e.g. "ping 10.0.0.1; on loss: stopService", or "none".</summary>
        public string PartitionResolution { get; set; } = "";
        /// <summary>The configured fencing levels and delays, or "off".</summary>
        public string Fencing { get; set; } = "";
        public List<NodeStatusInfo> Nodes { get; set; } = new List<NodeStatusInfo>();
        public List<GroupStatusInfo> Groups { get; set; } = new List<GroupStatusInfo>();
        public List<MonitorStatusInfo> Monitors { get; set; } = new List<MonitorStatusInfo>();

        public override string ToString() => ClusterName;
    }

    public sealed class NodeStatusInfo
    {
        public string Name { get; set; } = "";
        /// <summary>online, offline, suspended, lost.</summary>
        public string State { get; set; } = "";
        public int Priority { get; set; }
        /// <summary>What the node's last report says of its cluster service: running, suspended, stopped; empty when
        /// no report arrived.</summary>
        public string ServiceState { get; set; } = "";
        public List<PathStatusInfo> Paths { get; set; } = new List<PathStatusInfo>();

        public override string ToString() => Name + " " + State;
    }

    /// <summary>One heartbeat path to a node, as seen by the reporting node.</summary>
    public sealed class PathStatusInfo
    {
        public string Interconnect { get; set; } = "";
        public string Address { get; set; } = "";
        /// <summary>up, down, or self for the reporting node's own paths.</summary>
        public string State { get; set; } = "";
        /// <summary>Milliseconds since the last valid heartbeat on this path; null when never seen.</summary>
        public long? LastSeenMs { get; set; }

        /// <summary>"0.3 s ago", or empty when never seen.</summary>
        public string LastSeenText()
            => LastSeenMs == null ? "" : (LastSeenMs.Value / 1000.0).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " s ago";

        public override string ToString()
            => $"{Interconnect} {Address} {State}" + (LastSeenMs == null ? "" : ", " + LastSeenText());
    }

    public sealed class GroupStatusInfo
    {
        public string Name { get; set; } = "";
        /// <summary>offline, starting, online, stopping, failed, pending.</summary>
        public string State { get; set; } = "";
        public string? Owner { get; set; }
        public long Generation { get; set; }
        /// <summary>The group's failover policy: its servers in order of preference.</summary>
        public List<string> Servers { get; set; } = new List<string>();
        public List<ResourceStatusInfo> Resources { get; set; } = new List<ResourceStatusInfo>();

        public override string ToString() => Name + " " + State + (Owner != null ? " on " + Owner : "");
    }

    public sealed class ResourceStatusInfo
    {
        public string Name { get; set; } = "";
        public string Type { get; set; } = "";
        public string State { get; set; } = "";

        public override string ToString() => $"{Name} ({Type}) {State}";
    }

    public sealed class MonitorStatusInfo
    {
        public string Name { get; set; } = "";
        public string Type { get; set; } = "";
        public string? Target { get; set; }
        /// <summary>normal, warning, error, suspended, inactive.</summary>
        public string State { get; set; } = "";
        public string? Node { get; set; }
        public string? Message { get; set; }

        public override string ToString() => Name + " " + State + (Node != null ? " on " + Node : "");
    }
}
