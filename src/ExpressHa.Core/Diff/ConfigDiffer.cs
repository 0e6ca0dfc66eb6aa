using System.Collections.Generic;
using System.Linq;
using ExpressHa.Api;
using ExpressHa.Config;
using ExpressHa.Yaml;

namespace ExpressHa.Diff
{
    /// <summary>The difference between the running config and a pushed one, object by object. Objects are named
    /// kind/name (cluster/settings, node/x, group/x, resource/x, monitor/x) and compared by their YAML form, so two
    /// configs differ exactly when their canonical YAML differs. List order of nodes, groups, resources and monitors
    /// is not a change (order never carries meaning: priority and dependsOn do).</summary>
    public static class ConfigDiffer
    {
        public const string ClusterSettingsName = "cluster/settings";

        public static ConfigDiff Diff(ClusterConfig running, ClusterConfig pushed)
        {
            var diff = new ConfigDiff();
            var restarts = new SortedSet<string>(System.StringComparer.Ordinal);

            // cluster/settings
            if (ClusterYaml(running.Cluster, running.ApiVersion) != ClusterYaml(pushed.Cluster, pushed.ApiVersion))
            {
                diff.Changed.Add(ClusterSettingsName);
                if (MembershipYaml(running.Cluster) != MembershipYaml(pushed.Cluster)) diff.NeedsSuspend = true;
            }

            // nodes
            var nodeChanges = Compare(ByName(running.Nodes, n => n.Name), ByName(pushed.Nodes, n => n.Name), NodeYaml, "node", diff);
            if (nodeChanges.Added.Count > 0 || nodeChanges.Removed.Count > 0) diff.NeedsSuspend = true;
            var runningNodes = ByName(running.Nodes, n => n.Name);
            var pushedNodes = ByName(pushed.Nodes, n => n.Name);
            foreach (var name in nodeChanges.Changed)
                if (NodePathsYaml(runningNodes[name]) != NodePathsYaml(pushedNodes[name])) diff.NeedsSuspend = true;

            // groups: their own fields only; resources are objects of their own
            Compare(ByName(running.Groups, g => g.Name), ByName(pushed.Groups, g => g.Name), GroupYaml, "group", diff);

            // resources: unique across the cluster; a resource that moved to another group is changed, and both groups restart
            var runningRes = ResourcesByName(running);
            var pushedRes = ResourcesByName(pushed);
            var runningGroups = new HashSet<string>(running.Groups.Select(g => g.Name), System.StringComparer.Ordinal);
            var pushedGroups = new HashSet<string>(pushed.Groups.Select(g => g.Name), System.StringComparer.Ordinal);
            void Restart(string group)
            {
                if (runningGroups.Contains(group) && pushedGroups.Contains(group)) restarts.Add(group);
            }
            var resChanges = Compare(runningRes, pushedRes, x => x.Group + "\n" + ResourceYaml(x.Resource), "resource", diff);
            foreach (var name in resChanges.Added) Restart(pushedRes[name].Group);
            foreach (var name in resChanges.Removed) Restart(runningRes[name].Group);
            foreach (var name in resChanges.Changed) { Restart(runningRes[name].Group); Restart(pushedRes[name].Group); }

            // monitors
            Compare(ByName(running.Monitors, m => m.Name), ByName(pushed.Monitors, m => m.Name), MonitorYaml, "monitor", diff);

            diff.GroupRestarts.AddRange(restarts);
            return diff;
        }

        sealed class Changes
        {
            public List<string> Added { get; } = new List<string>();
            public List<string> Removed { get; } = new List<string>();
            public List<string> Changed { get; } = new List<string>();
        }

        static Changes Compare<T>(IDictionary<string, T> before, IDictionary<string, T> after, System.Func<T, string> form, string kind, ConfigDiff diff)
        {
            var c = new Changes();
            foreach (var name in before.Keys.OrderBy(k => k, System.StringComparer.Ordinal))
            {
                if (!after.TryGetValue(name, out var a)) c.Removed.Add(name);
                else if (form(before[name]) != form(a)) c.Changed.Add(name);
            }
            foreach (var name in after.Keys.OrderBy(k => k, System.StringComparer.Ordinal))
                if (!before.ContainsKey(name)) c.Added.Add(name);
            diff.Added.AddRange(c.Added.Select(n => kind + "/" + n));
            diff.Removed.AddRange(c.Removed.Select(n => kind + "/" + n));
            diff.Changed.AddRange(c.Changed.Select(n => kind + "/" + n));
            return c;
        }

        /// <summary>First occurrence wins: an invalid config with duplicate names still diffs without failing.</summary>
        static Dictionary<string, T> ByName<T>(IEnumerable<T> items, System.Func<T, string> name)
        {
            var d = new Dictionary<string, T>(System.StringComparer.Ordinal);
            foreach (var i in items)
            {
                var n = name(i) ?? "";
                if (!d.ContainsKey(n)) d[n] = i;
            }
            return d;
        }

        static Dictionary<string, (string Group, ResourceConfig Resource)> ResourcesByName(ClusterConfig c)
        {
            var d = new Dictionary<string, (string, ResourceConfig)>(System.StringComparer.Ordinal);
            foreach (var g in c.Groups)
                foreach (var r in g.Resources)
                {
                    var n = r.Name ?? "";
                    if (!d.ContainsKey(n)) d[n] = (g.Name, r);
                }
            return d;
        }

        // Each object is written alone inside an otherwise default config, so the writer's canonical form decides.

        static string ClusterYaml(ClusterSettings s, string apiVersion)
            => ConfigYamlWriter.Write(new ClusterConfig { ApiVersion = apiVersion ?? "", Cluster = s });

        /// <summary>What the heartbeat layer depends on: interconnects, heartbeat timing and port, the cluster key.</summary>
        static string MembershipYaml(ClusterSettings s)
        {
            var only = new ClusterSettings
            {
                Interconnects = s.Interconnects,
                Heartbeat = s.Heartbeat,
                Security = new SecuritySettings { KeyFile = s.Security.KeyFile },
            };
            return ConfigYamlWriter.Write(new ClusterConfig { Cluster = only });
        }

        static string NodeYaml(NodeConfig n) => ConfigYamlWriter.Write(new ClusterConfig { Nodes = { n } });

        /// <summary>A node's heartbeat paths: its addresses and heartbeat port.</summary>
        static string NodePathsYaml(NodeConfig n)
            => NodeYaml(new NodeConfig { Name = n.Name, Addresses = n.Addresses, HeartbeatPort = n.HeartbeatPort });

        static string GroupYaml(GroupConfig g)
            => ConfigYamlWriter.Write(new ClusterConfig
            {
                Groups = { new GroupConfig { Name = g.Name, Startup = g.Startup, Failback = g.Failback, Servers = g.Servers } },
            });

        static string ResourceYaml(ResourceConfig r)
            => ConfigYamlWriter.Write(new ClusterConfig { Groups = { new GroupConfig { Resources = { r } } } });

        static string MonitorYaml(MonitorConfig m) => ConfigYamlWriter.Write(new ClusterConfig { Monitors = { m } });
    }
}
