using System.Collections.Generic;
using System.Linq;

namespace ExpressHa.Config
{
    public sealed class GroupConfig
    {
        public string Name { get; set; } = "";
        /// <summary>auto: started when the cluster starts; manual: an operator starts it.</summary>
        public string Startup { get; set; } = GroupPolicies.Auto;
        /// <summary>auto: moves back to the most preferred server when it returns; manual: stays.</summary>
        public string Failback { get; set; } = GroupPolicies.Manual;
        /// <summary>Failover policy: servers in order of preference.</summary>
        public List<string> Servers { get; set; } = new List<string>();
        public List<ResourceConfig> Resources { get; set; } = new List<ResourceConfig>();

        public ResourceConfig? FindResource(string name) => Resources.FirstOrDefault(r => ClusterConfig.NameComparer.Equals(r.Name, name));
        public override string ToString() => Name;
    }

    public static class GroupPolicies
    {
        public const string Auto = "auto";
        public const string Manual = "manual";
        public static readonly string[] All = { Auto, Manual };
    }
}
