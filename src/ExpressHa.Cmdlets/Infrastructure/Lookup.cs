using ExpressHa.Config;

namespace ExpressHa.Cmdlets
{
    /// <summary>Finds model objects by name or reports them missing with the right ErrorId.</summary>
    internal static class Lookup
    {
        public static NodeConfig Node(ClusterConfig c, string name)
            => c.FindNode(name) ?? throw HaCmdletException.NotFound(HaErrorIds.NodeNotFound, "Node", name, c.Name);

        public static GroupConfig Group(ClusterConfig c, string name)
            => c.FindGroup(name) ?? throw HaCmdletException.NotFound(HaErrorIds.GroupNotFound, "Group", name, c.Name);

        public static ResourceConfig Resource(ClusterConfig c, string name, out GroupConfig group)
        {
            var r = c.FindResource(name, out var g);
            if (r == null || g == null) throw HaCmdletException.NotFound(HaErrorIds.ResourceNotFound, "Resource", name, c.Name);
            group = g;
            return r;
        }

        public static MonitorConfig Monitor(ClusterConfig c, string name)
            => c.FindMonitor(name) ?? throw HaCmdletException.NotFound(HaErrorIds.MonitorNotFound, "Monitor", name, c.Name);
    }
}
