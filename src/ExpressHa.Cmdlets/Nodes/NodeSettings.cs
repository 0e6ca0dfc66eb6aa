using System.Collections;
using System.Management.Automation;
using ExpressHa.Config;

namespace ExpressHa.Cmdlets
{
    /// <summary>The node fields Add-HaNode and Set-HaNode share.</summary>
    public abstract class NodeEditCmdlet : ConfigEditCmdlet
    {
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(NodeNameCompleter))]
        public string Name { get; set; } = "";

        /// <summary>The node's address on the first interconnect.</summary>
        [Parameter(Position = 1)]
        public string? Address { get; set; }

        /// <summary>Addresses per interconnect: @{ lan1 = '10.0.110.10'; lan2 = '192.168.0.10' }.</summary>
        [Parameter]
        public Hashtable? Addresses { get; set; }

        [Parameter] public int? Priority { get; set; }
        [Parameter] public string? InstanceId { get; set; }
        [Parameter] public string? AvailabilityZone { get; set; }
        [Parameter] public int? HeartbeatPort { get; set; }
        [Parameter] public int? ApiPort { get; set; }

        protected void ApplyFields(ClusterConfig config, NodeConfig node)
        {
            if (Address != null)
            {
                if (config.Cluster.Interconnects.Count == 0) config.Cluster.Interconnects.Add(new InterconnectConfig { Name = "lan1" });
                node.Addresses[config.Cluster.Interconnects[0].Name] = Address;
            }
            if (Addresses != null)
                foreach (DictionaryEntry e in Addresses)
                {
                    var ic = e.Key?.ToString() ?? "";
                    var value = RawValues.Plain(e.Value)?.ToString();
                    if (string.IsNullOrEmpty(value)) node.Addresses.Remove(ic);
                    else node.Addresses[ic] = value!;
                }
            if (Priority.HasValue) node.Priority = Priority.Value;
            if (InstanceId != null) node.InstanceId = InstanceId.Length == 0 ? null : InstanceId;
            if (AvailabilityZone != null) node.AvailabilityZone = AvailabilityZone.Length == 0 ? null : AvailabilityZone;
            if (HeartbeatPort.HasValue) node.HeartbeatPort = HeartbeatPort.Value == 0 ? (int?)null : HeartbeatPort.Value;
            if (ApiPort.HasValue) node.ApiPort = ApiPort.Value == 0 ? (int?)null : ApiPort.Value;
        }

        protected override System.Collections.Generic.IEnumerable<string> ChangedPaths(ClusterConfig after)
        {
            var n = after.FindNode(Name);
            if (n != null) yield return ConfigPaths.Node(after, n);
        }
    }

    /// <summary>Adds a server to the cluster.</summary>
    [Cmdlet(VerbsCommon.Add, "HaNode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = ObjectSet)]
    [OutputType(typeof(ClusterConfig))]
    public sealed class AddHaNodeCommand : NodeEditCmdlet
    {
        protected override string Action => $"Add node '{Name}'";

        protected override void Apply(ClusterConfig config)
        {
            if (config.FindNode(Name) != null) throw HaCmdletException.Duplicate("Node", Name, config.Name);
            var node = new NodeConfig { Name = Name, Priority = config.Nodes.Count };
            ApplyFields(config, node);
            config.Nodes.Add(node);
        }
    }

    /// <summary>Changes a server's addresses, priority or AWS identity.</summary>
    [Cmdlet(VerbsCommon.Set, "HaNode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = ObjectSet)]
    [OutputType(typeof(ClusterConfig))]
    public sealed class SetHaNodeCommand : NodeEditCmdlet
    {
        protected override string Action => $"Change node '{Name}'";

        protected override void Apply(ClusterConfig config) => ApplyFields(config, Lookup.Node(config, Name));
    }
}
