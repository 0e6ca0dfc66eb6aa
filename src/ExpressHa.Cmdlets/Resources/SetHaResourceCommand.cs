using System.Linq;
using System.Management.Automation;
using ExpressHa.Config;

namespace ExpressHa.Cmdlets
{
    /// <summary>Changes a resource's parameters, dependencies or failure policies.</summary>
    [Cmdlet(VerbsCommon.Set, "HaResource", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = ObjectSet)]
    [OutputType(typeof(ClusterConfig))]
    public sealed class SetHaResourceCommand : ResourceEditCmdlet
    {
        /// <summary>Optional: the resource's type, so that its typed parameters bind when the config comes down the pipeline.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(ResourceTypeCompleter))]
        public string? Type { get; set; }

        protected override string Action => $"Change resource '{Name}'";

        protected override bool MergeProperties => true;

        protected override string? TypeWhileBinding()
        {
            if (Type != null) return Type;
            var config = ConfigWhileBinding();
            return config?.AllResources().Select(x => x.Resource).FirstOrDefault(r => string.Equals(r.Name, Name, System.StringComparison.OrdinalIgnoreCase))?.Type;
        }

        protected override void Apply(ClusterConfig config)
        {
            var r = Lookup.Resource(config, Name, out _);
            CheckTypeHint(Type, r.Type);
            ApplyFields(r);
        }
    }
}
