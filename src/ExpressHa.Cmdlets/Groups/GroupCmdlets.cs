using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ExpressHa.Config;

namespace ExpressHa.Cmdlets
{
    /// <summary>The group fields Add-HaGroup and Set-HaGroup share.</summary>
    public abstract class GroupEditCmdlet : ConfigEditCmdlet
    {
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(GroupNameCompleter))]
        public string Name { get; set; } = "";

        /// <summary>Failover policy: the servers in order of preference.</summary>
        [Parameter(Position = 1)]
        [ArgumentCompleter(typeof(NodeNameCompleter))]
        public string[]? Server { get; set; }

        [Parameter] [ValidateSet(GroupPolicies.Auto, GroupPolicies.Manual)] public string? Startup { get; set; }
        [Parameter] [ValidateSet(GroupPolicies.Auto, GroupPolicies.Manual)] public string? Failback { get; set; }

        protected void ApplyFields(GroupConfig g)
        {
            if (Server != null) g.Servers = Server.ToList();
            if (Startup != null) g.Startup = Startup;
            if (Failback != null) g.Failback = Failback;
        }

        protected override IEnumerable<string> ChangedPaths(ClusterConfig after)
        {
            var g = after.FindGroup(Name);
            if (g == null) yield break;
            var path = ConfigPaths.Group(after, g);
            yield return path + ".name";
            yield return path + ".servers";
            yield return path + ".startup";
            yield return path + ".failback";
        }
    }

    /// <summary>Adds a failover group.</summary>
    [Cmdlet(VerbsCommon.Add, "HaGroup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = ObjectSet)]
    [OutputType(typeof(ClusterConfig))]
    public sealed class AddHaGroupCommand : GroupEditCmdlet
    {
        protected override string Action => $"Add group '{Name}'";

        protected override void Apply(ClusterConfig config)
        {
            if (config.FindGroup(Name) != null) throw HaCmdletException.Duplicate("Group", Name, config.Name);
            var g = new GroupConfig { Name = Name };
            ApplyFields(g);
            if (Server == null) g.Servers = config.Nodes.OrderBy(n => n.Priority).Select(n => n.Name).ToList();
            config.Groups.Add(g);
        }
    }

    /// <summary>Changes a group's servers, startup or failback policy.</summary>
    [Cmdlet(VerbsCommon.Set, "HaGroup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = ObjectSet)]
    [OutputType(typeof(ClusterConfig))]
    public sealed class SetHaGroupCommand : GroupEditCmdlet
    {
        protected override string Action => $"Change group '{Name}'";

        protected override void Apply(ClusterConfig config) => ApplyFields(Lookup.Group(config, Name));
    }

    /// <summary>Removes a group with its resources and the monitors that watch them.</summary>
    [Cmdlet(VerbsCommon.Remove, "HaGroup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ObjectSet)]
    [OutputType(typeof(ClusterConfig))]
    public sealed class RemoveHaGroupCommand : ConfigEditCmdlet
    {
        [Parameter(Mandatory = true, Position = 0)]
        [ArgumentCompleter(typeof(GroupNameCompleter))]
        public string Name { get; set; } = "";

        /// <summary>Also remove monitors that only recover this group or its resources.</summary>
        [Parameter] public SwitchParameter Force { get; set; }

        protected override string Action => $"Remove group '{Name}' with its resources and their monitors";

        protected override void Apply(ClusterConfig config)
        {
            var g = Lookup.Group(config, Name);
            var names = new HashSet<string>(g.Resources.Select(r => r.Name)) { g.Name };
            var recovering = Lookup.RecoveringOnly(config, names);
            if (recovering.Count > 0 && !Force)
                throw new HaCmdletException(HaErrorIds.ObjectInUse, ErrorCategory.ResourceBusy,
                    $"Monitor(s) {string.Join(", ", recovering.Select(m => m.Name))} recover group '{g.Name}'; change their -RecoveryTarget first, or use -Force to remove them too.", Name);
            config.Monitors.RemoveAll(m => (m.Target != null && names.Contains(m.Target)) || recovering.Contains(m));
            config.Groups.Remove(g);
        }
    }

    /// <summary>Lists the failover groups of a cluster config, their live state, or (-History) their past starts,
    /// moves and failovers.</summary>
    [Cmdlet(VerbsCommon.Get, "HaGroup", DefaultParameterSetName = LiveQuery.LiveSet)]
    [OutputType(typeof(GroupConfig), typeof(HaGroupStatus))]
    [OutputType(typeof(ExpressHa.Api.GroupEpisode), ParameterSetName = new[] { GroupHistoryQuery.HistorySet })]
    public sealed class GetHaGroupCommand : ConfigReadCmdlet
    {
        [Parameter(Position = 0, ParameterSetName = LiveQuery.LiveSet)]
        [Parameter(Position = 0, ParameterSetName = ObjectSet)]
        [Parameter(Position = 0, ParameterSetName = PathSet)]
        [Parameter(Position = 0, ParameterSetName = GroupHistoryQuery.HistorySet)]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(GroupNameCompleter))]
        public string[]? Name { get; set; }

        /// <summary>The group's past starts, moves and failovers with their timelines, from the connected cluster.</summary>
        [Parameter(Mandatory = true, ParameterSetName = GroupHistoryQuery.HistorySet)]
        public SwitchParameter History { get; set; }

        /// <summary>With -History: only the newest N episodes of each group.</summary>
        [Parameter(ParameterSetName = GroupHistoryQuery.HistorySet)]
        [ValidateRange(1, int.MaxValue)]
        public int? Last { get; set; }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == GroupHistoryQuery.HistorySet) GroupHistoryQuery.Run(this, Name, Last);
            else base.ProcessRecord();
        }

        protected override void EmitLive(HaClusterStatus s) => LiveQuery.Emit(this, s.Groups, g => g.Name, Name, "Group", HaErrorIds.GroupNotFound, s.ClusterName);

        protected override void Emit(ClusterConfig config)
            => EmitMatching(config.Groups, g => g.Name, Name, "Group", HaErrorIds.GroupNotFound, config, g => Tagged(g, config));
    }
}
