using System.Collections.Generic;
using System.Linq;

namespace ExpressHa.Schema
{
    public enum SchemaKind { Resource, Monitor }

    /// <summary>What the schema knows of one resource or monitor type.</summary>
    public sealed class TypeSchema
    {
        public TypeSchema(string name, SchemaKind kind, string description, params ParameterSpec[] parameters)
        {
            Name = name;
            Kind = kind;
            Description = description;
            Parameters = parameters;
        }

        public string Name { get; }
        public SchemaKind Kind { get; }
        public string Description { get; }
        public IReadOnlyList<ParameterSpec> Parameters { get; }

        /// <summary>Resources: the monitor types added with the resource unless -NoMonitor.</summary>
        public string[] AutoMonitors { get; set; } = new string[0];
        /// <summary>Monitors: defaults for the common settings.</summary>
        public int DefaultIntervalSeconds { get; set; } = 60;
        public int DefaultTimeoutSeconds { get; set; } = 120;
        public int DefaultRetry { get; set; }
        /// <summary>Monitors of this type only raise alerts by default (no restart, no failover); docs/monitor-defaults.md says why per type.</summary>
        public bool AlertOnlyByDefault { get; set; }
        /// <summary>Monitors: the timing of a monitor created with a target; one without a target is always "always"
        /// (an active monitor needs a target whose activity switches it on).</summary>
        public string DefaultTiming { get; set; } = Config.MonitorTimings.Always;
        /// <summary>Monitors that call a cloud API: the default of onApiFailure.</summary>
        public string DefaultOnApiFailure { get; set; } = Config.ApiFailureActions.Recover;
        /// <summary>Monitors: the resource types the target may be (empty: any resource, and no target needed).</summary>
        public string[] TargetTypes { get; set; } = new string[0];
        public bool RequiresTarget { get; set; }
        /// <summary>Monitors that call a cloud API and so take onApiFailure.</summary>
        public bool UsesCloudApi { get; set; }
        /// <summary>Parameters of which at least one must be set.</summary>
        public string[]? OneOf { get; set; }

        public ParameterSpec? Find(string name) => Parameters.FirstOrDefault(p => p.Name == name);
        public override string ToString() => Name;
    }
}
