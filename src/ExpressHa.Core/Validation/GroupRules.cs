using System.Collections.Generic;
using System.Linq;
using ExpressHa.Config;
using static ExpressHa.Validation.CommonRules;

namespace ExpressHa.Validation
{
    /// <summary>groups: names, policies, servers (the failover order); then each resource's common fields and the group's dependency graph.</summary>
    internal static class GroupRules
    {
        public static void Check(ValidationContext ctx)
        {
            var groupNames = NewSeen();
            var resourceNames = NewSeen();
            foreach (var (group, g) in Items(ctx, ctx.Config.Groups, "groups", "group"))
            {
                var path = $"groups[{g}]";
                if (CheckName(ctx, path + ".name", "group", group.Name, "failover" + (g + 1)))
                    CheckUnique(ctx, groupNames, path + ".name", "group", group.Name, "in the cluster");
                CheckOneOf(ctx, path + ".startup", "startup policy", group.Startup, GroupPolicies.All);
                CheckOneOf(ctx, path + ".failback", "failback policy", group.Failback, GroupPolicies.All);
                var servers = CheckServers(ctx, group, path);

                foreach (var (res, r) in Items(ctx, group.Resources, path + ".resources", "resource"))
                {
                    var rpath = $"{path}.resources[{r}]";
                    if (CheckName(ctx, rpath + ".name", "resource", res.Name, "resource" + (r + 1)))
                        CheckUnique(ctx, resourceNames, rpath + ".name", "resource", res.Name, "across the whole cluster (resources of all groups share one namespace)");
                    CheckDependsOn(ctx, group, g, res, rpath);
                    ResourceRules.Check(ctx, group, servers, res, rpath);
                    CheckPolicies(ctx, res, rpath);
                }
                CheckCycles(ctx, group, path);
            }
        }

        /// <summary>Returns the group's servers that are nodes, in order, without duplicates.</summary>
        static List<string> CheckServers(ValidationContext ctx, GroupConfig group, string path)
        {
            var result = new List<string>();
            var servers = group.Servers;
            if (servers == null || servers.Count == 0)
            {
                ctx.Error(FindingCodes.MissingField, path + ".servers", $"group '{group.Name}' has no servers",
                    $"list the nodes that may run it, most preferred first: servers: [{string.Join(", ", ctx.NodeNames.Take(2).DefaultIfEmpty("server1"))}]");
                return result;
            }
            var seen = new HashSet<string>(ClusterConfig.NameComparer);
            for (int i = 0; i < servers.Count; i++)
            {
                var s = servers[i] ?? "";
                var spath = $"{path}.servers[{i}]";
                if (!seen.Add(s))
                {
                    ctx.Error(FindingCodes.DuplicateName, spath, $"server '{s}' is listed twice", "list each server once, in order of preference");
                    continue;
                }
                if (!ctx.NodeNames.Contains(s))
                {
                    var hint = Yaml.Suggest.Closest(s, ctx.NodeNames);
                    ctx.Error(FindingCodes.MissingReference, spath, $"node '{s}' does not exist",
                        (hint != null ? $"did you mean '{hint}'? " : "") + $"use a node name: {ctx.NodeList}");
                    continue;
                }
                result.Add(s);
            }
            if (servers.Count == 1 && result.Count == 1)
                ctx.Warn(FindingCodes.UnsafeSetup, path + ".servers", $"group '{group.Name}' has only one server, so it cannot fail over",
                    "add a second server to the failover order");
            return result;
        }

        static void CheckDependsOn(ValidationContext ctx, GroupConfig group, int g, ResourceConfig res, string rpath)
        {
            var deps = res.DependsOn;
            if (deps == null) return;
            var seen = new HashSet<string>(ClusterConfig.NameComparer);
            for (int i = 0; i < deps.Count; i++)
            {
                var d = deps[i] ?? "";
                var dpath = $"{rpath}.dependsOn[{i}]";
                if (!seen.Add(d))
                {
                    ctx.Error(FindingCodes.DuplicateName, dpath, $"'{d}' is listed twice", "list each dependency once");
                    continue;
                }
                if (group.FindResourceSafe(d) != null) continue;
                if (ctx.ResourcesByName.TryGetValue(d, out var other) && other.GroupIndex != g)
                    ctx.Error(FindingCodes.MissingReference, dpath, $"resource '{d}' is in group '{other.Group.Name}', not in group '{group.Name}'",
                        "a resource can depend only on resources of its own group; move one of them, or remove the dependency");
                else
                {
                    var names = (group.Resources ?? new List<ResourceConfig>()).Where(x => x != null && !string.IsNullOrEmpty(x.Name) && x.Name != res.Name).Select(x => x.Name).ToList();
                    var hint = Yaml.Suggest.Closest(d, names);
                    ctx.Error(FindingCodes.MissingReference, dpath, $"resource '{d}' does not exist in group '{group.Name}'",
                        (hint != null ? $"did you mean '{hint}'? " : "") + (names.Count > 0 ? $"resources of this group: {string.Join(", ", names)}" : "remove the dependency"));
                }
            }
        }

        static void CheckPolicies(ValidationContext ctx, ResourceConfig res, string rpath)
        {
            if (res.OnActivationFailure is ActivationPolicy a)
            {
                var p = rpath + ".onActivationFailure";
                CheckMin(ctx, p + ".retries", "retries", a.Retries, 0);
                CheckMin(ctx, p + ".failovers", "failovers", a.Failovers, 0);
                CheckOneOf(ctx, p + ".finalAction", "final action", a.FinalAction, FinalActions.All);
            }
            if (res.OnDeactivationFailure is DeactivationPolicy d)
            {
                var p = rpath + ".onDeactivationFailure";
                CheckMin(ctx, p + ".retries", "retries", d.Retries, 0);
                if (d.FinalAction == FinalActions.StopGroup)
                    ctx.Error(FindingCodes.InvalidValue, p + ".finalAction", "stopGroup is not allowed after a failed deactivation: the resource may still run here",
                        $"use one of: {string.Join(", ", FinalActions.Deactivation)}");
                else
                    CheckOneOf(ctx, p + ".finalAction", "final action", d.FinalAction, FinalActions.Deactivation);
            }
        }

        /// <summary>Finds every dependency cycle among the group's resources and reports each once, at the first resource of the cycle in document order.</summary>
        static void CheckCycles(ValidationContext ctx, GroupConfig group, string path)
        {
            var resources = group.Resources;
            if (resources == null) return;
            var index = new Dictionary<string, int>(ClusterConfig.NameComparer);
            for (int i = 0; i < resources.Count; i++)
                if (resources[i]?.Name is string n && n.Length > 0 && !index.ContainsKey(n)) index[n] = i;

            List<int> Edges(int i) => (resources[i]?.DependsOn ?? new List<string>())
                .Where(d => d != null && index.ContainsKey(d)).Select(d => index[d]).Distinct().ToList();

            var state = new int[resources.Count]; // 0 new, 1 on stack, 2 done
            var stack = new List<int>();
            var reported = new HashSet<string>(System.StringComparer.Ordinal);

            void Visit(int i)
            {
                state[i] = 1;
                stack.Add(i);
                foreach (var j in Edges(i))
                {
                    if (state[j] == 1)
                    {
                        var cycle = stack.Skip(stack.IndexOf(j)).ToList();
                        var key = string.Join(",", cycle.OrderBy(x => x));
                        if (reported.Add(key))
                        {
                            var start = cycle.Min();
                            var rot = cycle.Skip(cycle.IndexOf(start)).Concat(cycle.Take(cycle.IndexOf(start))).ToList();
                            var text = string.Join(" -> ", rot.Concat(new[] { start }).Select(x => resources[x].Name));
                            ctx.Error(FindingCodes.DependencyCycle, $"{path}.resources[{start}].dependsOn", $"dependency cycle: {text}",
                                "remove one of these dependencies so that the resources can start in order");
                        }
                    }
                    else if (state[j] == 0) Visit(j);
                }
                stack.RemoveAt(stack.Count - 1);
                state[i] = 2;
            }

            for (int i = 0; i < resources.Count; i++)
                if (state[i] == 0 && resources[i] != null) Visit(i);
        }

        static ResourceConfig? FindResourceSafe(this GroupConfig group, string name)
            => group.Resources?.FirstOrDefault(r => r != null && ClusterConfig.NameComparer.Equals(r.Name, name));
    }
}
