using System.Linq;
using ExpressHa.Config;
using ExpressHa.Schema;
using static ExpressHa.Validation.CommonRules;

namespace ExpressHa.Validation
{
    /// <summary>monitors: name, type, target, timings, API-failure handling, recovery, type-specific parameters.</summary>
    internal static class MonitorRules
    {
        public const string LocalTarget = RecoverySettings.LocalServer;

        public static void Check(ValidationContext ctx)
        {
            var names = NewSeen();
            var allNodes = ctx.Nodes.Select(n => n.Name).Where(n => !string.IsNullOrEmpty(n)).Distinct().ToList();
            foreach (var (mon, i) in Items(ctx, ctx.Config.Monitors, "monitors", "monitor"))
            {
                var path = $"monitors[{i}]";
                if (CheckName(ctx, path + ".name", "monitor", mon.Name, "monitor" + (i + 1)))
                    CheckUnique(ctx, names, path + ".name", "monitor", mon.Name, "in the cluster");
                var schema = ResourceRules.CheckType(ctx, path + ".type", "monitor", mon.Type, SchemaRegistry.Monitors);
                CheckTarget(ctx, mon, schema, path);
                CheckTimings(ctx, mon, path);
                CheckApiFailure(ctx, mon, schema, path);
                CheckRecovery(ctx, mon, path);
                if (schema != null)
                    ParameterRules.Check(ctx, path, "monitor", schema, mon.Parameters, allNodes, "the cluster");
            }
        }

        static void CheckTarget(ValidationContext ctx, MonitorConfig mon, TypeSchema? schema, string path)
        {
            var target = mon.Target;
            if (string.IsNullOrEmpty(target))
            {
                if (schema != null && schema.RequiresTarget)
                    ctx.Error(FindingCodes.MissingField, path + ".target", $"a {schema.Name} monitor needs a target",
                        $"set target to the {string.Join(" or ", schema.TargetTypes)} resource it watches");
                else if (mon.Timing == MonitorTimings.Active)
                    ctx.Error(FindingCodes.MissingField, path + ".target", "timing 'active' needs a target resource",
                        "set target to the resource whose activity starts the monitor, or use timing: always");
                return;
            }
            if (!ctx.ResourcesByName.TryGetValue(target!, out var rref))
            {
                var hint = Yaml.Suggest.Closest(target!, ctx.ResourcesByName.Keys);
                ctx.Error(FindingCodes.MissingReference, path + ".target", $"resource '{target}' does not exist",
                    (hint != null ? $"did you mean '{hint}'? " : "") + "set target to the name of a resource in one of the groups");
                return;
            }
            if (schema != null && schema.TargetTypes.Length > 0 && !schema.TargetTypes.Contains(rref.Resource.Type))
                ctx.Error(FindingCodes.InvalidValue, path + ".target",
                    $"'{target}' is a {rref.Resource.Type} resource; a {schema.Name} monitor watches {string.Join(" or ", schema.TargetTypes)} resources",
                    $"target a {string.Join(" or ", schema.TargetTypes)} resource, or use a monitor type made for {rref.Resource.Type}");
        }

        static void CheckTimings(ValidationContext ctx, MonitorConfig mon, string path)
        {
            if (CheckMin(ctx, path + ".intervalSeconds", "intervalSeconds", mon.IntervalSeconds, 1))
                CheckTimeoutAboveInterval(ctx, path + ".timeoutSeconds", "timeoutSeconds", mon.TimeoutSeconds, "intervalSeconds", mon.IntervalSeconds);
            CheckMin(ctx, path + ".retry", "retry", mon.Retry, 0);
            CheckMin(ctx, path + ".startWaitSeconds", "startWaitSeconds", mon.StartWaitSeconds, 0);
            CheckOneOf(ctx, path + ".timing", "timing", mon.Timing, MonitorTimings.All);
        }

        static void CheckApiFailure(ValidationContext ctx, MonitorConfig mon, TypeSchema? schema, string path)
        {
            if (mon.OnApiFailure == null) return;
            if (schema != null && !schema.UsesCloudApi)
            {
                ctx.Error(FindingCodes.InvalidValue, path + ".onApiFailure", $"a {schema.Name} monitor does not call a cloud API, so onApiFailure does not apply",
                    "remove onApiFailure; it is for " + string.Join(", ", SchemaRegistry.Monitors.Where(t => t.UsesCloudApi).Select(t => t.Name)) + " monitors");
                return;
            }
            CheckOneOf(ctx, path + ".onApiFailure", "onApiFailure", mon.OnApiFailure, ApiFailureActions.All);
        }

        static void CheckRecovery(ValidationContext ctx, MonitorConfig mon, string path)
        {
            var rec = mon.Recovery;
            if (rec == null) return;
            var p = path + ".recovery";
            var t = rec.Target;
            if (t != null && t != LocalTarget && !ctx.ResourcesByName.ContainsKey(t) && !ctx.GroupsByName.ContainsKey(t))
            {
                var hint = Yaml.Suggest.Closest(t, ctx.ResourcesByName.Keys.Concat(ctx.GroupsByName.Keys).Concat(new[] { LocalTarget }));
                ctx.Error(FindingCodes.MissingReference, p + ".target", t.Length == 0 ? "the recovery target is empty" : $"'{t}' is neither a resource nor a group",
                    (hint != null ? $"did you mean '{hint}'? " : "") + $"set recovery.target to a resource name, a group name, or '{LocalTarget}' (this server)");
            }
            CheckMin(ctx, p + ".restarts", "restarts", rec.Restarts, 0);
            CheckMin(ctx, p + ".failovers", "failovers", rec.Failovers, 0);
            CheckOneOf(ctx, p + ".finalAction", "final action", rec.FinalAction, FinalActions.All);
        }
    }
}
