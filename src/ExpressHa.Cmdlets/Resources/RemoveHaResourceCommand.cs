using System.Linq;
using System.Management.Automation;
using ExpressHa.Config;

namespace ExpressHa.Cmdlets
{
    /// <summary>Removes a resource and the monitors that watch it. A resource others depend on is kept unless -Force,
    /// which also drops those dependencies.</summary>
    [Cmdlet(VerbsCommon.Remove, "HaResource", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ObjectSet)]
    [OutputType(typeof(ClusterConfig))]
    public sealed class RemoveHaResourceCommand : ConfigEditCmdlet
    {
        [Parameter(Mandatory = true, Position = 0)]
        [ArgumentCompleter(typeof(ResourceNameCompleter))]
        public string Name { get; set; } = "";

        [Parameter] public SwitchParameter Force { get; set; }

        protected override string Action => $"Remove resource '{Name}' and its monitors";

        protected override void Apply(ClusterConfig config)
        {
            var r = Lookup.Resource(config, Name, out var group);
            var dependents = group.Resources.Where(o => o.DependsOn.Contains(Name)).Select(o => o.Name).ToList();
            if (dependents.Count > 0 && !Force)
                throw new HaCmdletException(HaErrorIds.ObjectInUse, ErrorCategory.ResourceBusy,
                    $"Resource '{Name}' is a dependency of {string.Join(", ", dependents)}; change their -DependsOn first, or use -Force.", Name);
            var recovering = Lookup.RecoveringOnly(config, new[] { r.Name });
            if (recovering.Count > 0 && !Force)
                throw new HaCmdletException(HaErrorIds.ObjectInUse, ErrorCategory.ResourceBusy,
                    $"Monitor(s) {string.Join(", ", recovering.Select(m => m.Name))} recover resource '{r.Name}'; change their -RecoveryTarget first, or use -Force to remove them too.", Name);
            foreach (var o in group.Resources) o.DependsOn.Remove(r.Name);
            group.Resources.Remove(r);
            config.Monitors.RemoveAll(m => m.Target == r.Name || recovering.Contains(m));
        }
    }

    /// <summary>Lists resources, with the group each belongs to.</summary>
    [Cmdlet(VerbsCommon.Get, "HaResource", DefaultParameterSetName = LiveQuery.LiveSet)]
    [OutputType(typeof(ResourceConfig), typeof(HaResourceStatus))]
    public sealed class GetHaResourceCommand : ConfigReadCmdlet
    {
        [Parameter(Position = 0, ParameterSetName = LiveQuery.LiveSet)]
        [Parameter(Position = 0, ParameterSetName = ObjectSet)]
        [Parameter(Position = 0, ParameterSetName = PathSet)]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(ResourceNameCompleter))]
        public string[]? Name { get; set; }

        [ArgumentCompleter(typeof(GroupNameCompleter))]
        [Parameter] public string? Group { get; set; }

        [Parameter]
        [ArgumentCompleter(typeof(ResourceTypeCompleter))]
        public string? Type { get; set; }

        /// <summary>Without -InputObject or -Path: the connected cluster's live status.</summary>
        protected override void EmitLive(HaClusterStatus s)
        {
            if (Group != null && !s.Groups.Any(g => g.Name == Group))
                throw HaCmdletException.NotFound(HaErrorIds.GroupNotFound, "Group", Group, s.ClusterName);
            var items = s.Resources.Where(r => (Group == null || r.Group == Group) && (Type == null || r.Type == Type));
            LiveQuery.Emit(this, items, r => r.Name, Name, "Resource", HaErrorIds.ResourceNotFound, s.ClusterName);
        }

        protected override void Emit(ClusterConfig config)
        {
            if (Group != null) Lookup.Group(config, Group);
            var items = config.AllResources().Where(x => (Group == null || x.Group.Name == Group) && (Type == null || x.Resource.Type == Type));
            EmitMatching(items, x => x.Resource.Name, Name, "Resource", HaErrorIds.ResourceNotFound, config, x => Tagged(x.Resource, config, x.Group.Name));
        }
    }
}
