using System.Linq;
using System.Management.Automation;
using ExpressHa.Config;
using ExpressHa.Schema;

namespace ExpressHa.Cmdlets
{
    /// <summary>Adds a monitor, starting from the type's default interval, timeout, retry and timing.</summary>
    [Cmdlet(VerbsCommon.Add, "HaMonitor", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = ObjectSet)]
    [OutputType(typeof(ClusterConfig))]
    public sealed class AddHaMonitorCommand : MonitorEditCmdlet
    {
        [Parameter(Mandatory = true, Position = 1)]
        [ArgumentCompleter(typeof(MonitorTypeCompleter))]
        public string Type { get; set; } = "";

        protected override string Action => $"Add {Type} monitor '{Name}'";

        protected override string? TypeWhileBinding() => Type;
        protected override bool AddsObject => true;

        protected override void BeginProcessing()
        {
            try { TypeCheck.Resolve(Type, monitor: true); }
            catch (HaCmdletException ex) { ThrowTerminatingError(ex.ToErrorRecord()); }
        }

        protected override void Apply(ClusterConfig config)
        {
            if (config.FindMonitor(Name) != null) throw HaCmdletException.Duplicate("Monitor", Name, config.Name);
            // The target decides the type's defaults (timing, restarts), so the monitor starts from it.
            var m = SchemaRegistry.NewMonitor(Name, Type, string.IsNullOrEmpty(Target) ? null : Target);
            ApplyFields(m);
            config.Monitors.Add(m);
        }
    }

    /// <summary>Changes a monitor's timing, thresholds, recovery or parameters.</summary>
    [Cmdlet(VerbsCommon.Set, "HaMonitor", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = ObjectSet)]
    [OutputType(typeof(ClusterConfig))]
    public sealed class SetHaMonitorCommand : MonitorEditCmdlet
    {
        /// <summary>Optional: the monitor's type, so that its typed parameters bind when the config comes down the pipeline.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(MonitorTypeCompleter))]
        public string? Type { get; set; }

        protected override string Action => $"Change monitor '{Name}'";

        protected override bool MergeProperties => true;

        protected override string? TypeWhileBinding()
        {
            if (Type != null) return Type;
            var config = ConfigWhileBinding();
            return config == null ? null : config.Monitors.FirstOrDefault(m => string.Equals(m.Name, Name, System.StringComparison.OrdinalIgnoreCase))?.Type;
        }

        protected override void Apply(ClusterConfig config)
        {
            var m = Lookup.Monitor(config, Name);
            CheckTypeHint(Type, m.Type);
            ApplyFields(m);
        }
    }

    /// <summary>Removes a monitor.</summary>
    [Cmdlet(VerbsCommon.Remove, "HaMonitor", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ObjectSet)]
    [OutputType(typeof(ClusterConfig))]
    public sealed class RemoveHaMonitorCommand : ConfigEditCmdlet
    {
        [Parameter(Mandatory = true, Position = 0)]
        [ArgumentCompleter(typeof(MonitorNameCompleter))]
        public string Name { get; set; } = "";

        protected override string Action => $"Remove monitor '{Name}'";

        protected override void Apply(ClusterConfig config) => config.Monitors.Remove(Lookup.Monitor(config, Name));
    }

    /// <summary>Lists monitors.</summary>
    [Cmdlet(VerbsCommon.Get, "HaMonitor", DefaultParameterSetName = LiveQuery.LiveSet)]
    [OutputType(typeof(MonitorConfig), typeof(HaMonitorStatus))]
    public sealed class GetHaMonitorCommand : ConfigReadCmdlet
    {
        [Parameter(Position = 0, ParameterSetName = LiveQuery.LiveSet)]
        [Parameter(Position = 0, ParameterSetName = ObjectSet)]
        [Parameter(Position = 0, ParameterSetName = PathSet)]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(MonitorNameCompleter))]
        public string[]? Name { get; set; }

        [Parameter]
        [ArgumentCompleter(typeof(MonitorTypeCompleter))]
        public string? Type { get; set; }

        /// <summary>Only the monitors watching this resource.</summary>
        [ArgumentCompleter(typeof(ResourceNameCompleter))]
        [Parameter] public string? Target { get; set; }

        /// <summary>Without -InputObject or -Path: the connected cluster's live status.</summary>
        protected override void EmitLive(HaClusterStatus s) => LiveQuery.Emit(this, s.Monitors.Where(m => (Type == null || m.Type == Type) && (Target == null || m.Target == Target)), m => m.Name, Name, "Monitor", HaErrorIds.MonitorNotFound, s.ClusterName);

        protected override void Emit(ClusterConfig config)
        {
            var items = config.Monitors.Where(m => (Type == null || m.Type == Type) && (Target == null || m.Target == Target));
            EmitMatching(items, m => m.Name, Name, "Monitor", HaErrorIds.MonitorNotFound, config, m => Tagged(m, config));
        }
    }
}
