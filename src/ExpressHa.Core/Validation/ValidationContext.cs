using System.Collections.Generic;
using System.Linq;
using ExpressHa.Config;

namespace ExpressHa.Validation
{
    /// <summary>One validation run: the config, indexes of what it names, and the findings collected in document order.</summary>
    internal sealed class ValidationContext
    {
        public ValidationContext(ClusterConfig config)
        {
            Config = config;
            Cluster = config.Cluster ?? new ClusterSettings();
            Nodes = (config.Nodes ?? new List<NodeConfig>()).Where(n => n != null).ToList();
            foreach (var n in Nodes)
                if (!string.IsNullOrEmpty(n.Name)) NodeNames.Add(n.Name);

            var interconnects = (Cluster.Interconnects ?? new List<InterconnectConfig>()).Where(i => i != null).ToList();
            // No interconnect at all means the implicit default one, as the YAML reader does.
            if (interconnects.Count == 0) InterconnectNames.Add(DefaultInterconnect);
            foreach (var ic in interconnects)
                if (!string.IsNullOrEmpty(ic.Name)) InterconnectNames.Add(ic.Name);

            var groups = config.Groups ?? new List<GroupConfig>();
            for (int g = 0; g < groups.Count; g++)
            {
                var group = groups[g];
                if (group == null) continue;
                if (!string.IsNullOrEmpty(group.Name) && !GroupsByName.ContainsKey(group.Name)) GroupsByName[group.Name] = g;
                var resources = group.Resources ?? new List<ResourceConfig>();
                for (int r = 0; r < resources.Count; r++)
                {
                    var res = resources[r];
                    if (res == null || string.IsNullOrEmpty(res.Name) || ResourcesByName.ContainsKey(res.Name)) continue;
                    ResourcesByName[res.Name] = new ResourceRef(g, r, group, res);
                }
            }
        }

        public const string DefaultInterconnect = "lan1";

        public ClusterConfig Config { get; }
        public ClusterSettings Cluster { get; }
        /// <summary>The non-null nodes.</summary>
        public List<NodeConfig> Nodes { get; }
        public HashSet<string> NodeNames { get; } = new HashSet<string>(ClusterConfig.NameComparer);
        public HashSet<string> InterconnectNames { get; } = new HashSet<string>(ClusterConfig.NameComparer);
        public Dictionary<string, int> GroupsByName { get; } = new Dictionary<string, int>(ClusterConfig.NameComparer);
        /// <summary>First resource of each name, across the whole cluster.</summary>
        public Dictionary<string, ResourceRef> ResourcesByName { get; } = new Dictionary<string, ResourceRef>(ClusterConfig.NameComparer);

        public List<ValidationFinding> Findings { get; } = new List<ValidationFinding>();

        public void Error(string code, string path, string message, string fix)
            => Findings.Add(new ValidationFinding(FindingSeverity.Error, code, path, message, fix));

        public void Warn(string code, string path, string message, string fix)
            => Findings.Add(new ValidationFinding(FindingSeverity.Warning, code, path, message, fix));

        public string NodeList => NodeNames.Count == 0 ? "(no nodes defined)" : string.Join(", ", Nodes.Select(n => n.Name).Where(n => !string.IsNullOrEmpty(n)).Distinct());
    }

    internal readonly struct ResourceRef
    {
        public ResourceRef(int groupIndex, int resourceIndex, GroupConfig group, ResourceConfig resource)
        {
            GroupIndex = groupIndex;
            ResourceIndex = resourceIndex;
            Group = group;
            Resource = resource;
        }

        public int GroupIndex { get; }
        public int ResourceIndex { get; }
        public GroupConfig Group { get; }
        public ResourceConfig Resource { get; }
        public string Path => $"groups[{GroupIndex}].resources[{ResourceIndex}]";
    }
}
