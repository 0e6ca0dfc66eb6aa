using ExpressHa.Config;
using static ExpressHa.Validation.CommonRules;

namespace ExpressHa.Validation
{
    /// <summary>cluster.partitionResolution: ping targets, HTTP witness, TCP target, majority, action; and the two-node safety warning.</summary>
    internal static class PartitionRules
    {
        const string Base = "cluster.partitionResolution";

        public static void Check(ValidationContext ctx)
        {
            var p = ctx.Cluster.PartitionResolution;
            if (p == null)
            {
                WarnUnprotected(ctx, configured: false);
                return;
            }
            if (p.Ping is PingResolution ping)
            {
                var targets = ping.Targets;
                if (targets == null || targets.Count == 0)
                    ctx.Error(FindingCodes.MissingField, Base + ".ping.targets", "ping resolution has no targets",
                        "give at least one IPv4 address that every node can ping, e.g. the default gateway, or remove ping");
                else
                    for (int i = 0; i < targets.Count; i++)
                        if (!Net.Ipv4.TryParse(targets[i], out _))
                            ctx.Error(FindingCodes.InvalidValue, $"{Base}.ping.targets[{i}]", $"'{targets[i]}' is not an IPv4 address",
                                "use dotted form like 10.0.10.1");
                if (CheckMin(ctx, Base + ".ping.intervalMs", "intervalMs", ping.IntervalMs, 1))
                    CheckTimeoutAboveInterval(ctx, Base + ".ping.timeoutMs", "timeoutMs", ping.TimeoutMs, "intervalMs", ping.IntervalMs);
            }
            if (p.Http is HttpResolution http)
            {
                if (string.IsNullOrEmpty(http.Url))
                    ctx.Error(FindingCodes.MissingField, Base + ".http.url", "the HTTP witness has no url", "give the witness URL, like http://10.0.10.5:8080/");
                else if (!ClusterRules.IsHttpUrl(http.Url))
                    ctx.Error(FindingCodes.InvalidValue, Base + ".http.url", $"'{http.Url}' is not an absolute http or https URL", "give the witness URL, like http://10.0.10.5:8080/");
                CheckMin(ctx, Base + ".http.timeoutMs", "timeoutMs", http.TimeoutMs, 1);
            }
            if (p.Tcp is TcpResolution tcp)
            {
                if (string.IsNullOrWhiteSpace(tcp.Host))
                    ctx.Error(FindingCodes.MissingField, Base + ".tcp.host", "the TCP target has no host", "give a host name or address every node can reach");
                CheckPort(ctx, Base + ".tcp.port", "port", tcp.Port);
                CheckMin(ctx, Base + ".tcp.timeoutMs", "timeoutMs", tcp.TimeoutMs, 1);
            }
            if (p.Majority && ctx.Nodes.Count < 3)
                ctx.Error(FindingCodes.InvalidValue, Base + ".majority", $"majority needs at least 3 nodes; the cluster has {ctx.Nodes.Count}",
                    "with two nodes there is no majority after a split: set majority: false and use ping or an http witness instead");
            CheckOneOf(ctx, Base + ".action", "partition action", p.Action, PartitionActions.All);
            WarnUnprotected(ctx, p.IsConfigured);
        }

        static void WarnUnprotected(ValidationContext ctx, bool configured)
        {
            var fencing = ctx.Cluster.Fencing;
            var fenced = fencing?.Levels != null && fencing.Levels.Count > 0;
            if (ctx.Nodes.Count == 2 && !configured && !fenced)
                ctx.Warn(FindingCodes.UnsafeSetup, Base,
                    "two nodes with neither partition resolution nor fencing: after a network split both nodes may run the same group",
                    "configure partitionResolution (ping targets or an http witness) or fencing");
        }
    }
}
