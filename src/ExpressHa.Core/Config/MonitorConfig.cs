using ExpressHa.Schema;

namespace ExpressHa.Config
{
    public sealed class MonitorConfig
    {
        public string Name { get; set; } = "";
        public string Type { get; set; } = "";
        /// <summary>The resource this monitor watches (required by resource monitors; decides when "active" timing runs).</summary>
        public string? Target { get; set; }
        public int IntervalSeconds { get; set; } = 60;
        public int TimeoutSeconds { get; set; } = 120;
        /// <summary>Consecutive failures tolerated before the monitor reports an error.</summary>
        public int Retry { get; set; }
        /// <summary>always (while the cluster runs) or active (while the target resource is active).</summary>
        public string Timing { get; set; } = MonitorTimings.Always;
        public int StartWaitSeconds { get; set; }
        public RecoverySettings Recovery { get; set; } = new RecoverySettings();
        /// <summary>AWS monitors only: what to do when the AWS API itself does not answer: recover, warn or ignore.</summary>
        public string? OnApiFailure { get; set; }
        public ParameterBag Parameters { get; set; } = new ParameterBag();

        public object? GetParameter(string name)
        {
            if (Parameters.TryGetValue(name, out var v)) return v;
            return SchemaRegistry.FindMonitor(Type)?.Find(name)?.Default;
        }

        /// <summary>A per-node parameter's value on one node (a scalar is the same everywhere), else its default for the node.</summary>
        public string? GetParameter(string name, string node) => PerNodeValue.Resolve(Parameters, SchemaRegistry.FindMonitor(Type)?.Find(name), name, node);

        /// <summary>What a failure recovers: recovery.target, else the monitor's target, else the local server.</summary>
        public string EffectiveRecoveryTarget => Recovery.Target ?? Target ?? RecoverySettings.LocalServer;

        public override string ToString() => Name + " (" + Type + ")";
    }

    public sealed class RecoverySettings
    {
        /// <summary>The recovery target that names this server.</summary>
        public const string LocalServer = "local";

        /// <summary>A resource name, a group name, or "local" (the local server). Defaults to the monitor's target.</summary>
        public string? Target { get; set; }
        /// <summary>Reactivation threshold: restarts of the recovery target on this node before failing over.</summary>
        public int Restarts { get; set; }
        /// <summary>Failover threshold: failovers before the final action.</summary>
        public int Failovers { get; set; } = 1;
        public string FinalAction { get; set; } = FinalActions.None;

        public override string ToString() => $"restarts {Restarts}, failovers {Failovers}, then {FinalAction}";
    }

    public static class MonitorTimings
    {
        public const string Always = "always";
        public const string Active = "active";
        public static readonly string[] All = { Always, Active };
    }

    public static class ApiFailureActions
    {
        public const string Recover = "recover";
        public const string Warn = "warn";
        public const string Ignore = "ignore";
        public static readonly string[] All = { Recover, Warn, Ignore };
    }
}
