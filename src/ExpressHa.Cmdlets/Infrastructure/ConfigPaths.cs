using ExpressHa.Config;

namespace ExpressHa.Cmdlets
{
    /// <summary>Field paths of model objects, as the validator names them.</summary>
    internal static class ConfigPaths
    {
        public static string Node(ClusterConfig c, NodeConfig n) => $"nodes[{c.Nodes.IndexOf(n)}]";
        public static string Group(ClusterConfig c, GroupConfig g) => $"groups[{c.Groups.IndexOf(g)}]";
        public static string Resource(ClusterConfig c, GroupConfig g, ResourceConfig r) => $"{Group(c, g)}.resources[{g.Resources.IndexOf(r)}]";
        public static string Monitor(ClusterConfig c, MonitorConfig m) => $"monitors[{c.Monitors.IndexOf(m)}]";
    }
}
