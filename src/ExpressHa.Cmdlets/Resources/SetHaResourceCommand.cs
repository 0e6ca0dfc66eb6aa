using System.Management.Automation;
using ExpressHa.Config;

namespace ExpressHa.Cmdlets
{
    /// <summary>Changes a resource's parameters, dependencies or failure policies.</summary>
    [Cmdlet(VerbsCommon.Set, "HaResource", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = ObjectSet)]
    [OutputType(typeof(ClusterConfig))]
    public sealed class SetHaResourceCommand : ResourceEditCmdlet
    {
        protected override string Action => $"Change resource '{Name}'";

        protected override bool MergeProperties => true;

        protected override void Apply(ClusterConfig config) => ApplyFields(Lookup.Resource(config, Name, out _));
    }
}
