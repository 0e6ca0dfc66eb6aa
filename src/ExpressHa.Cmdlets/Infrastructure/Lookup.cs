using System.Collections.Generic;
using System.Linq;
using ExpressHa.Config;

namespace ExpressHa.Cmdlets
{
    /// <summary>Finds model objects by name or reports them missing with the right ErrorId. Names are matched exactly
    /// first, then without regard to case when that is unambiguous (PowerShell users expect it).</summary>
    internal static class Lookup
    {
        static T? Find<T>(IEnumerable<T> items, System.Func<T, string> name, string wanted) where T : class
        {
            var list = items.ToList();
            var exact = list.FirstOrDefault(i => name(i) == wanted);
            if (exact != null) return exact;
            var folded = list.Where(i => string.Equals(name(i), wanted, System.StringComparison.OrdinalIgnoreCase)).ToList();
            return folded.Count == 1 ? folded[0] : null;
        }

        public static NodeConfig Node(ClusterConfig c, string name)
            => Find(c.Nodes, n => n.Name, name) ?? throw HaCmdletException.NotFound(HaErrorIds.NodeNotFound, "Node", name, c.Name);

        public static GroupConfig Group(ClusterConfig c, string name)
            => Find(c.Groups, g => g.Name, name) ?? throw HaCmdletException.NotFound(HaErrorIds.GroupNotFound, "Group", name, c.Name);

        public static ResourceConfig Resource(ClusterConfig c, string name, out GroupConfig group)
        {
            var hit = Find(c.AllResources().Select(x => new ResourceHit(x.Group, x.Resource)), x => x.Resource.Name, name)
                ?? throw HaCmdletException.NotFound(HaErrorIds.ResourceNotFound, "Resource", name, c.Name);
            group = hit.Group;
            return hit.Resource;
        }

        public static MonitorConfig Monitor(ClusterConfig c, string name)
            => Find(c.Monitors, m => m.Name, name) ?? throw HaCmdletException.NotFound(HaErrorIds.MonitorNotFound, "Monitor", name, c.Name);

        /// <summary>Monitors whose recovery target is one of the names but that do not watch them (they would dangle).</summary>
        public static List<MonitorConfig> RecoveringOnly(ClusterConfig c, ICollection<string> names)
            => c.Monitors.Where(m => m.Recovery.Target != null && names.Contains(m.Recovery.Target) && (m.Target == null || !names.Contains(m.Target))).ToList();

        sealed class ResourceHit
        {
            public ResourceHit(GroupConfig group, ResourceConfig resource) { Group = group; Resource = resource; }
            public GroupConfig Group { get; }
            public ResourceConfig Resource { get; }
        }
    }
}
