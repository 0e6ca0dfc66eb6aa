using System.Linq;
using System.Management.Automation;
using ExpressHa.Config;

namespace ExpressHa.Cmdlets
{
    /// <summary>Removes a server. A server that groups fail over to is kept unless -Force, which also takes it out of those groups.</summary>
    [Cmdlet(VerbsCommon.Remove, "HaNode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ObjectSet)]
    [OutputType(typeof(ClusterConfig))]
    public sealed class RemoveHaNodeCommand : ConfigEditCmdlet
    {
        [Parameter(Mandatory = true, Position = 0)]
        [ArgumentCompleter(typeof(NodeNameCompleter))]
        public string Name { get; set; } = "";

        [Parameter] public SwitchParameter Force { get; set; }

        protected override string Action => $"Remove node '{Name}'";

        protected override void Apply(ClusterConfig config)
        {
            var node = Lookup.Node(config, Name);
            var users = config.Groups.Where(g => g.Servers.Contains(Name)).Select(g => g.Name).ToList();
            if (users.Count > 0 && !Force)
                throw new HaCmdletException(HaErrorIds.ObjectInUse, ErrorCategory.ResourceBusy,
                    $"Node '{Name}' is a server of group(s) {string.Join(", ", users)}; remove it from them with Set-HaGroup -Server, or use -Force.", Name);
            config.Nodes.Remove(node);
            foreach (var g in config.Groups)
            {
                g.Servers.Remove(Name);
                foreach (var r in g.Resources)
                    foreach (var spec in Schema.SchemaRegistry.FindResource(r.Type)?.Parameters ?? new Schema.ParameterSpec[0])
                        if (spec.Kind == Schema.ParameterKind.PerNode && r.Parameters.TryGetValue(spec.Name, out var v)
                            && v is System.Collections.Generic.SortedDictionary<string, string> perNode) perNode.Remove(Name);
            }
            config.Cluster.Fencing.DelaySeconds.Remove(Name);
        }
    }

    /// <summary>Lists the servers of a cluster config.</summary>
    [Cmdlet(VerbsCommon.Get, "HaNode", DefaultParameterSetName = LiveQuery.LiveSet)]
    [OutputType(typeof(NodeConfig), typeof(HaNodeStatus))]
    public sealed class GetHaNodeCommand : ConfigReadCmdlet
    {
        [Parameter(Position = 0, ParameterSetName = LiveQuery.LiveSet)]
        [Parameter(Position = 0, ParameterSetName = ObjectSet)]
        [Parameter(Position = 0, ParameterSetName = PathSet)]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(NodeNameCompleter))]
        public string[]? Name { get; set; }

        protected override void EmitLive(HaClusterStatus s) => LiveQuery.Emit(this, s.Nodes, n => n.Name, Name, "Node", HaErrorIds.NodeNotFound, s.ClusterName);

        protected override void Emit(ClusterConfig config)
            => EmitMatching(config.Nodes, n => n.Name, Name, "Node", HaErrorIds.NodeNotFound, config, n => Tagged(n, config));
    }
}
