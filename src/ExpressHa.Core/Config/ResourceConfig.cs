using System.Collections.Generic;
using ExpressHa.Schema;

namespace ExpressHa.Config
{
    public sealed class ResourceConfig
    {
        public string Name { get; set; } = "";
        public string Type { get; set; } = "";
        /// <summary>Resources in the same group that must be active before this one starts (and stop after it).</summary>
        public List<string> DependsOn { get; set; } = new List<string>();
        /// <summary>Type-specific parameters, only the ones set explicitly; defaults come from the type's schema.</summary>
        public ParameterBag Parameters { get; set; } = new ParameterBag();
        public ActivationPolicy OnActivationFailure { get; set; } = new ActivationPolicy();
        public DeactivationPolicy OnDeactivationFailure { get; set; } = new DeactivationPolicy();

        /// <summary>An explicit value, else the schema's default, else null.</summary>
        public object? GetParameter(string name)
        {
            if (Parameters.TryGetValue(name, out var v)) return v;
            return SchemaRegistry.FindResource(Type)?.Find(name)?.Default;
        }

        /// <summary>A per-node parameter's value on one node (a scalar is the same everywhere), else its default for the node.</summary>
        public string? GetParameter(string name, string node) => PerNodeValue.Resolve(Parameters, SchemaRegistry.FindResource(Type)?.Find(name), name, node);

        public override string ToString() => Name + " (" + Type + ")";
    }

    /// <summary>What happens when a resource fails to start: retry here, then fail the group over, then a final action.</summary>
    public sealed class ActivationPolicy
    {
        public int Retries { get; set; }
        public int Failovers { get; set; } = 1;
        public string FinalAction { get; set; } = FinalActions.None;

        public override string ToString() => $"retries {Retries}, failovers {Failovers}, then {FinalAction}";
    }

    /// <summary>What happens when a resource fails to stop. Fencing (when configured) always comes first;
    /// the group is never started elsewhere while it may still run here.</summary>
    public sealed class DeactivationPolicy
    {
        public int Retries { get; set; }
        public string FinalAction { get; set; } = FinalActions.Shutdown;

        public override string ToString() => $"retries {Retries}, then {FinalAction}";
    }

    public static class FinalActions
    {
        public const string None = "none";
        public const string StopGroup = "stopGroup";
        public const string StopService = "stopService";
        public const string Shutdown = "shutdown";
        public const string Reboot = "reboot";
        public static readonly string[] All = { None, StopGroup, StopService, Shutdown, Reboot };
        /// <summary>After a failed stop the resource may still run: only actions that take this node out are allowed (none leaves the group failed and blocked).</summary>
        public static readonly string[] Deactivation = { None, StopService, Shutdown, Reboot };
    }
}
