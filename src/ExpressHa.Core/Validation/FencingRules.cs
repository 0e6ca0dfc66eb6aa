using System.Linq;
using ExpressHa.Config;
using static ExpressHa.Validation.CommonRules;

namespace ExpressHa.Validation
{
    /// <summary>cluster.fencing: level types, script commands, delays; and the equal-delay warning for two nodes.
    /// Nodes without an instanceId for aws fencing are reported in node order by NodeRules.</summary>
    internal static class FencingRules
    {
        const string Base = "cluster.fencing";

        public static bool UsesAws(ValidationContext ctx)
            => ctx.Cluster.Fencing?.Levels?.Any(l => l != null && l.Type == FencingTypes.Aws) == true;

        public static void Check(ValidationContext ctx)
        {
            var f = ctx.Cluster.Fencing;
            if (f == null) return;
            foreach (var (level, i) in Items(ctx, f.Levels, Base + ".levels", "fencing level"))
            {
                var path = $"{Base}.levels[{i}]";
                CheckOneOf(ctx, path + ".type", "fencing type", level.Type, FencingTypes.All);
                if (level.Type == FencingTypes.Script && string.IsNullOrWhiteSpace(level.Command))
                    ctx.Error(FindingCodes.MissingField, path + ".command", "script fencing has no command",
                        "give the command to run; it gets the target node's name as its argument and exits 0 once the node is off");
                if (level.Type == FencingTypes.Aws && !string.IsNullOrEmpty(level.Command))
                    ctx.Error(FindingCodes.InvalidValue, path + ".command", "an aws fencing level takes no command (it stops the instance through EC2)",
                        "remove the command, or use type: script for a fencing command");
            }
            CheckMin(ctx, Base + ".timeoutSeconds", "timeoutSeconds", f.TimeoutSeconds, 1);
            CheckMin(ctx, Base + ".retries", "retries", f.Retries, 0);

            var delays = f.DelaySeconds;
            if (delays != null)
                foreach (var d in delays)
                {
                    var path = $"{Base}.delaySeconds.{d.Key}";
                    if (!ctx.NodeNames.Contains(d.Key ?? ""))
                        ctx.Error(FindingCodes.MissingReference, path, $"node '{d.Key}' does not exist", $"use a node name: {ctx.NodeList}");
                    CheckMin(ctx, path, "the delay", d.Value, 0);
                }

            var enabled = f.Levels != null && f.Levels.Any(l => l != null);
            if (enabled && ctx.Nodes.Count == 2)
            {
                int Delay(NodeConfig n) => delays != null && n.Name != null && delays.TryGetValue(n.Name, out var v) ? v : 0;
                var a = Delay(ctx.Nodes[0]);
                var b = Delay(ctx.Nodes[1]);
                if (a == b)
                    ctx.Warn(FindingCodes.UnsafeSetup, Base + ".delaySeconds",
                        $"both nodes have the same fencing delay ({a} s): after a split they may fence each other at once",
                        $"give one node a longer delay, e.g. delaySeconds: {{ {ctx.Nodes[0].Name}: 0, {ctx.Nodes[1].Name}: 5 }}");
            }
        }
    }
}
