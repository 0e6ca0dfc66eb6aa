using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using ExpressHa.Config;
using ExpressHa.Schema;

namespace ExpressHa.Cmdlets
{
    /// <summary>The monitor fields Add-HaMonitor and Set-HaMonitor share.</summary>
    public abstract class MonitorEditCmdlet : TypedEditCmdlet
    {
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(MonitorNameCompleter))]
        public string Name { get; set; } = "";

        /// <summary>The resource watched; "active" timing follows it.</summary>
        [ArgumentCompleter(typeof(ResourceNameCompleter))]
        [Parameter] public string? Target { get; set; }

        [Parameter] public int? IntervalSeconds { get; set; }
        [Parameter] public int? TimeoutSeconds { get; set; }
        [Parameter] public int? Retry { get; set; }
        [Parameter] [ValidateSet(MonitorTimings.Always, MonitorTimings.Active)] public string? Timing { get; set; }
        [Parameter] public int? StartWaitSeconds { get; set; }
        /// <summary>A resource, a group, or "local" for this server.</summary>
        [ArgumentCompleter(typeof(RecoveryTargetCompleter))]
        [Parameter] public string? RecoveryTarget { get; set; }
        /// <summary>Reactivation threshold: restarts of the recovery target before failing over.</summary>
        [Parameter] public int? Restarts { get; set; }
        /// <summary>Failover threshold: failovers before the final action.</summary>
        [Parameter] public int? Failovers { get; set; }
        [Parameter] [ValidateSet(FinalActions.None, FinalActions.StopGroup, FinalActions.StopService, FinalActions.Shutdown, FinalActions.Reboot)]
        public string? FinalAction { get; set; }
        /// <summary>AWS monitors: what an AWS API failure means (recover, warn or ignore).</summary>
        [Parameter] [ValidateSet(ApiFailureActions.Recover, ApiFailureActions.Warn, ApiFailureActions.Ignore)] public string? OnApiFailure { get; set; }

        protected override string ObjectName => Name;
        protected override SchemaKind Kind => SchemaKind.Monitor;

        protected virtual bool MergeProperties => false;

        protected void ApplyFields(MonitorConfig m)
        {
            var schema = TypeCheck.Resolve(m.Type, monitor: true);
            PropertyBag.Apply(m.Parameters, schema, GivenParameters(schema), merge: MergeProperties);
            if (Target != null)
            {
                var old = m.Target;
                m.Target = Target.Length == 0 ? null : Target;
                if (m.Recovery.Target == old) m.Recovery.Target = m.Target;
            }
            if (IntervalSeconds.HasValue) m.IntervalSeconds = IntervalSeconds.Value;
            if (TimeoutSeconds.HasValue) m.TimeoutSeconds = TimeoutSeconds.Value;
            if (Retry.HasValue) m.Retry = Retry.Value;
            if (Timing != null) m.Timing = Timing;
            if (StartWaitSeconds.HasValue) m.StartWaitSeconds = StartWaitSeconds.Value;
            if (RecoveryTarget != null) m.Recovery.Target = RecoveryTarget.Length == 0 ? null : RecoveryTarget;
            if (Restarts.HasValue) m.Recovery.Restarts = Restarts.Value;
            if (Failovers.HasValue) m.Recovery.Failovers = Failovers.Value;
            if (FinalAction != null) m.Recovery.FinalAction = FinalAction;
            if (OnApiFailure != null) m.OnApiFailure = OnApiFailure;
        }

        protected override IEnumerable<string> ChangedPaths(ClusterConfig after)
        {
            var m = after.FindMonitor(Name);
            if (m != null) yield return ConfigPaths.Monitor(after, m);
        }
    }
}
