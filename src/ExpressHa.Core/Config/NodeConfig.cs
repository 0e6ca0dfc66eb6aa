using System.Collections.Generic;
using System.Linq;

namespace ExpressHa.Config
{
    public sealed class NodeConfig
    {
        public string Name { get; set; } = "";
        /// <summary>Address of this node on each interconnect, keyed by interconnect name.</summary>
        public SortedDictionary<string, string> Addresses { get; set; } = new SortedDictionary<string, string>(System.StringComparer.Ordinal);
        /// <summary>Lower number = preferred when breaking ties.</summary>
        public int Priority { get; set; }
        public string? InstanceId { get; set; }
        public string? AvailabilityZone { get; set; }
        /// <summary>Overrides cluster.heartbeat.port for this node (several nodes on one host in tests and the demo).</summary>
        public int? HeartbeatPort { get; set; }
        /// <summary>Overrides cluster.security.apiPort for this node.</summary>
        public int? ApiPort { get; set; }

        /// <summary>The address on the highest-priority interconnect, for display and defaults.</summary>
        public string? PrimaryAddress(ClusterSettings cluster)
        {
            foreach (var ic in cluster.Interconnects)
                if (Addresses.TryGetValue(ic.Name, out var a)) return a;
            return Addresses.Values.FirstOrDefault();
        }

        public override string ToString() => Name;
    }
}
