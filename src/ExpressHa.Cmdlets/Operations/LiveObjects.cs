using System.Collections.Generic;
using System.Linq;
using ExpressHa.Api;

namespace ExpressHa.Cmdlets
{
    /// <summary>A node as the cluster reports it now (Get-HaNode without -InputObject/-Path).</summary>
    public sealed class HaNodeStatus
    {
        public string Name { get; set; } = "";
        /// <summary>online, offline, suspended, lost.</summary>
        public string State { get; set; } = "";
        public int Priority { get; set; }
        public PathStatusInfo[] Paths { get; set; } = new PathStatusInfo[0];
        public string ClusterName { get; set; } = "";
        public override string ToString() => Name;
    }

    /// <summary>A failover group as the cluster reports it now.</summary>
    public sealed class HaGroupStatus
    {
        public string Name { get; set; } = "";
        /// <summary>offline, starting, online, stopping, failed, pending.</summary>
        public string State { get; set; } = "";
        public string? Owner { get; set; }
        public long Generation { get; set; }
        public ResourceStatusInfo[] Resources { get; set; } = new ResourceStatusInfo[0];
        public string ClusterName { get; set; } = "";
        public override string ToString() => Name;
    }

    /// <summary>A resource as the cluster reports it now, with its group and the node that runs it.</summary>
    public sealed class HaResourceStatus
    {
        public string Name { get; set; } = "";
        public string Type { get; set; } = "";
        public string State { get; set; } = "";
        public string Group { get; set; } = "";
        public string? Owner { get; set; }
        public string ClusterName { get; set; } = "";
        public override string ToString() => Name;
    }

    /// <summary>A monitor as the cluster reports it now.</summary>
    public sealed class HaMonitorStatus
    {
        public string Name { get; set; } = "";
        public string Type { get; set; } = "";
        public string? Target { get; set; }
        /// <summary>normal, warning, error, suspended, inactive.</summary>
        public string State { get; set; } = "";
        public string? Node { get; set; }
        public string? Message { get; set; }
        public string ClusterName { get; set; } = "";
        public override string ToString() => Name;
    }

    /// <summary>The whole cluster at a glance (Get-HaClusterStatus).</summary>
    public sealed class HaClusterStatus
    {
        public string ClusterName { get; set; } = "";
        public string ReportingNode { get; set; } = "";
        public string? Coordinator { get; set; }
        public long ConfigGeneration { get; set; }
        public string ServiceState { get; set; } = "";
        public string PartitionResolution { get; set; } = "";
        public string Fencing { get; set; } = "";
        public HaNodeStatus[] Nodes { get; set; } = new HaNodeStatus[0];
        public HaGroupStatus[] Groups { get; set; } = new HaGroupStatus[0];
        public HaResourceStatus[] Resources { get; set; } = new HaResourceStatus[0];
        public HaMonitorStatus[] Monitors { get; set; } = new HaMonitorStatus[0];
        public string Endpoint { get; set; } = "";

        public override string ToString() => ClusterName;

        public static HaClusterStatus From(ClusterStatus s, string endpoint)
        {
            var name = s.ClusterName;
            var groups = s.Groups.Select(g => Group(g, name)).ToArray();
            return new HaClusterStatus
            {
                ClusterName = name,
                ReportingNode = s.ReportingNode,
                Coordinator = s.Coordinator,
                ConfigGeneration = s.ConfigGeneration,
                ServiceState = s.ServiceState,
                PartitionResolution = s.PartitionResolution,
                Fencing = s.Fencing,
                Nodes = s.Nodes.Select(n => Node(n, name)).ToArray(),
                Groups = groups,
                Resources = s.Groups.SelectMany(g => g.Resources.Select(r => new HaResourceStatus
                {
                    Name = r.Name, Type = r.Type, State = r.State, Group = g.Name, Owner = g.Owner, ClusterName = name,
                })).ToArray(),
                Monitors = s.Monitors.Select(m => new HaMonitorStatus
                {
                    Name = m.Name, Type = m.Type, Target = m.Target, State = m.State, Node = m.Node, Message = m.Message, ClusterName = name,
                }).ToArray(),
                Endpoint = endpoint,
            };
        }

        public static HaNodeStatus Node(NodeStatusInfo n, string cluster) => new HaNodeStatus
        {
            Name = n.Name, State = n.State, Priority = n.Priority, Paths = n.Paths.ToArray(), ClusterName = cluster,
        };

        public static HaGroupStatus Group(GroupStatusInfo g, string cluster) => new HaGroupStatus
        {
            Name = g.Name, State = g.State, Owner = g.Owner, Generation = g.Generation, Resources = g.Resources.ToArray(), ClusterName = cluster,
        };

        /// <summary>The at-a-glance text of the default view: nodes with their heartbeat paths, groups with their owner
        /// and resources, monitors (a monitor's message on the line below it). Every line fits 80 columns; longer
        /// values end in an ellipsis (Format-List and the Get-Ha* cmdlets show them whole).</summary>
        public string ToDisplayText()
        {
            var lines = new List<string>
            {
                $" Cluster : {ClusterName}",
                $"   service {ServiceState}, config generation {ConfigGeneration}",
                $"   coordinator {Coordinator ?? "-"}, reported by {ReportingNode}",
                $"   partition resolution: {(PartitionResolution.Length > 0 ? PartitionResolution : "-")}",
                $"   fencing: {(Fencing.Length > 0 ? Fencing : "-")}",
                " Nodes",
            };
            foreach (var n in Nodes)
            {
                lines.Add($"   {Dots(n.Name + (n.Name == ReportingNode ? " *" : ""), 24)} {n.State,-10} priority {n.Priority}");
                foreach (var p in n.Paths)
                    lines.Add(($"       {p.Interconnect,-10} {p.Address,-18} {p.State,-5} {p.LastSeenText()}").TrimEnd());
            }
            lines.Add(" Groups");
            foreach (var g in Groups)
            {
                lines.Add(($"   {Dots(g.Name, 24)} {g.State,-10} {(g.Owner != null ? "on " + g.Owner : "")}").TrimEnd());
                foreach (var r in g.Resources)
                    lines.Add($"       {r.Name,-18} {r.Type,-10} {r.State}");
            }
            lines.Add(" Monitors");
            foreach (var m in Monitors)
            {
                lines.Add(($"   {Dots(m.Name, 24)} {m.State,-10} {m.Type,-13} {m.Target,-12} {(m.Node != null ? "on " + m.Node : "")}").TrimEnd());
                if (!string.IsNullOrEmpty(m.Message)) lines.Add("       " + m.Message);
            }
            return string.Join(System.Environment.NewLine, lines.Select(l => Fit(l, DisplayWidth)));
        }

        /// <summary>The width <see cref="ToDisplayText"/> keeps to.</summary>
        public const int DisplayWidth = 80;

        static string Fit(string line, int width) => line.Length <= width ? line : line.Substring(0, width - 1) + "\u2026";

        static string Dots(string s, int width) => s.Length >= width ? s : s + " " + new string('.', width - s.Length - 1);
    }
}
