using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using static ExpressHa.Validation.CommonRules;

namespace ExpressHa.Validation
{
    /// <summary>nodes: names, addresses per interconnect, ports, instance ids (required by aws fencing).</summary>
    internal static class NodeRules
    {
        static readonly Regex InstanceId = new Regex("^i-[0-9a-f]{1,32}$", RegexOptions.CultureInvariant);

        public static void Check(ValidationContext ctx)
        {
            var names = NewSeen();
            var endpoints = new Dictionary<string, string>(System.StringComparer.Ordinal);
            var awsFencing = FencingRules.UsesAws(ctx);
            var nodes = ctx.Config.Nodes;
            if (nodes == null || nodes.Count == 0)
                ctx.Error(FindingCodes.MissingField, "nodes", "the cluster has no nodes", "add the cluster's servers under nodes, each with a name and an address");

            foreach (var (node, i) in Items(ctx, nodes, "nodes", "node"))
            {
                var path = $"nodes[{i}]";
                if (CheckName(ctx, path + ".name", "node", node.Name, "server" + (i + 1)))
                    CheckUnique(ctx, names, path + ".name", "node", node.Name, "in the cluster");

                var port = node.HeartbeatPort ?? ctx.Cluster.Heartbeat?.Port ?? 0;
                if (node.Addresses == null || node.Addresses.Count == 0)
                    ctx.Error(FindingCodes.MissingField, path + ".addresses", $"node '{node.Name}' has no address",
                        $"give its address on each interconnect, like addresses: {{ {ctx.InterconnectNames.FirstOrDefault() ?? ValidationContext.DefaultInterconnect}: 10.0.110.10 }}");
                else
                    foreach (var a in node.Addresses)
                    {
                        var apath = $"{path}.addresses.{a.Key}";
                        if (!ctx.InterconnectNames.Contains(a.Key ?? ""))
                            ctx.Error(FindingCodes.MissingReference, apath, $"interconnect '{a.Key}' does not exist",
                                $"use an interconnect of cluster.interconnects ({string.Join(", ", ctx.InterconnectNames)}) or add '{a.Key}' there");
                        if (!Net.Ipv4.TryParse(a.Value, out _))
                        {
                            ctx.Error(FindingCodes.InvalidValue, apath, $"'{a.Value}' is not an IPv4 address", "use dotted form like 10.0.110.10");
                            continue;
                        }
                        var key = $"{a.Key}|{a.Value}|{port}";
                        if (endpoints.TryGetValue(key, out var other))
                            ctx.Error(FindingCodes.DuplicateName, apath, $"address {a.Value} (heartbeat port {port}) is already used by {other}",
                                "give each node its own address, or a different heartbeatPort when nodes share a host");
                        else endpoints[key] = path;
                    }

                if (node.HeartbeatPort is int hp) CheckPort(ctx, path + ".heartbeatPort", "heartbeatPort", hp);
                if (node.ApiPort is int ap) CheckPort(ctx, path + ".apiPort", "apiPort", ap);

                if (node.InstanceId != null && !InstanceId.IsMatch(node.InstanceId))
                    ctx.Error(FindingCodes.InvalidValue, path + ".instanceId", $"'{node.InstanceId}' is not an EC2 instance id",
                        "give the instance id, like i-0123456789abcdef0");
                else if (node.InstanceId == null && awsFencing)
                    ctx.Error(FindingCodes.FencingWithoutInstanceId, path + ".instanceId", $"node '{node.Name}' has no instanceId, which aws fencing needs to stop it",
                        "give the node's EC2 instance id, like instanceId: i-0123456789abcdef0, or use script fencing");
            }
        }
    }
}
