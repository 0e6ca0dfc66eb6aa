using System.Collections.Generic;
using System.Linq;

namespace ExpressHa.Config
{
    /// <summary>The whole cluster definition: one YAML document, the single source of truth.</summary>
    public sealed class ClusterConfig
    {
        public const string CurrentApiVersion = "expressha/v1";

        public string ApiVersion { get; set; } = CurrentApiVersion;
        public ClusterSettings Cluster { get; set; } = new ClusterSettings();
        public List<NodeConfig> Nodes { get; set; } = new List<NodeConfig>();
        public List<GroupConfig> Groups { get; set; } = new List<GroupConfig>();
        public List<MonitorConfig> Monitors { get; set; } = new List<MonitorConfig>();

        /// <summary>Cluster name, shown by PowerShell's default views.</summary>
        public string Name => Cluster.Name;

        public NodeConfig? FindNode(string name) => Nodes.FirstOrDefault(n => NameComparer.Equals(n.Name, name));
        public GroupConfig? FindGroup(string name) => Groups.FirstOrDefault(g => NameComparer.Equals(g.Name, name));
        public MonitorConfig? FindMonitor(string name) => Monitors.FirstOrDefault(m => NameComparer.Equals(m.Name, name));

        /// <summary>Finds a resource by name in any group; resource names are unique across the cluster.</summary>
        public ResourceConfig? FindResource(string name, out GroupConfig? group)
        {
            foreach (var g in Groups)
            {
                var r = g.FindResource(name);
                if (r != null) { group = g; return r; }
            }
            group = null;
            return null;
        }

        public IEnumerable<(GroupConfig Group, ResourceConfig Resource)> AllResources()
            => Groups.SelectMany(g => g.Resources.Select(r => (g, r)));

        /// <summary>Names compare case-sensitively, like the YAML keys they come from.</summary>
        public static readonly System.StringComparer NameComparer = System.StringComparer.Ordinal;

        public override string ToString() => Cluster.Name;
    }
}
