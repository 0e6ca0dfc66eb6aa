using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ExpressHa.Config;
using ExpressHa.Schema;

namespace ExpressHa.Cmdlets
{
    /// <summary>The resource fields Add-HaResource and Set-HaResource share.</summary>
    public abstract class ResourceEditCmdlet : TypedEditCmdlet
    {
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ResourceNameCompleter))]
        public string Name { get; set; } = "";

        /// <summary>Resources of the same group that must be active before this one starts.</summary>
        [Parameter]
        [AllowEmptyCollection]
        [ArgumentCompleter(typeof(ResourceNameCompleter))]
        public string[]? DependsOn { get; set; }

        [Parameter] public int? ActivationRetries { get; set; }
        [Parameter] public int? ActivationFailovers { get; set; }
        [Parameter] [ValidateSet(FinalActions.None, FinalActions.StopGroup, FinalActions.StopService, FinalActions.Shutdown, FinalActions.Reboot)]
        public string? ActivationFinalAction { get; set; }
        [Parameter] public int? DeactivationRetries { get; set; }
        [Parameter] [ValidateSet(FinalActions.None, FinalActions.StopService, FinalActions.Shutdown, FinalActions.Reboot)]
        public string? DeactivationFinalAction { get; set; }

        protected override string ObjectName => Name;
        protected override SchemaKind Kind => SchemaKind.Resource;

        /// <summary>Set-HaResource merges map values into the current ones; Add-HaResource starts from nothing.</summary>
        protected virtual bool MergeProperties => false;

        protected void ApplyFields(ResourceConfig r)
        {
            var schema = TypeCheck.Resolve(r.Type, monitor: false);
            PropertyBag.Apply(r.Parameters, schema, GivenParameters(schema), merge: MergeProperties);
            if (DependsOn != null) r.DependsOn = DependsOn.ToList();
            if (ActivationRetries.HasValue) r.OnActivationFailure.Retries = ActivationRetries.Value;
            if (ActivationFailovers.HasValue) r.OnActivationFailure.Failovers = ActivationFailovers.Value;
            if (ActivationFinalAction != null) r.OnActivationFailure.FinalAction = ActivationFinalAction;
            if (DeactivationRetries.HasValue) r.OnDeactivationFailure.Retries = DeactivationRetries.Value;
            if (DeactivationFinalAction != null) r.OnDeactivationFailure.FinalAction = DeactivationFinalAction;
        }

        protected override IEnumerable<string> ChangedPaths(ClusterConfig after)
        {
            var r = after.FindResource(Name, out var g);
            if (r == null || g == null) yield break;
            yield return ConfigPaths.Resource(after, g, r);
            foreach (var m in after.Monitors.Where(m => m.Target == Name)) yield return ConfigPaths.Monitor(after, m);
        }
    }
}
