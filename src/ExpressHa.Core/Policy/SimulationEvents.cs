using System;
using System.Collections.Generic;
using System.Linq;
using ExpressHa.Config;

namespace ExpressHa.Policy
{
    /// <summary>Reads the events of a simulation from short text ("NodeLost server1", "ResourceFailed failover1/app",
    /// "MonitorFailed appw server2", "GroupMove failover1 server2"). Names are checked against the config; a node left
    /// out is the one the event concerns in the state at that point (the owner of the group).</summary>
    public static class SimulationEvents
    {
        /// <summary>The forms accepted, for help and error messages.</summary>
        public static readonly IReadOnlyList<string> Forms = new[]
        {
            "ClusterStarted", "NodeLost NODE", "NodeJoined NODE", "NodeStopping NODE", "NodeSuspended NODE", "NodeResumed NODE",
            "NodeDownConfirmed NODE", "GroupStart GROUP [NODE]", "GroupStop GROUP", "GroupMove GROUP [NODE]",
            "ResourceFailed GROUP/RESOURCE [NODE]", "ResourceStopFailed GROUP/RESOURCE [NODE]",
            "MonitorFailed MONITOR [NODE]", "MonitorRecovered MONITOR [NODE]",
        };

        /// <summary>The event the text names, against the config and the state the simulation has reached;
        /// FormatException with the reason and the accepted forms when the text is not one of them.</summary>
        public static PolicyEvent Parse(string? eventText, ClusterConfig config, ClusterState state)
        {
            var text = eventText ?? "";
            var words = text.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0) throw Bad(text, "the event is empty");
            var kind = words[0];
            string Arg(int i, string what) => words.Length > i ? words[i] : throw Bad(text, $"{kind} needs {what}");
            string? Optional(int i) => words.Length > i ? words[i] : null;
            if (words.Length > 3) throw Bad(text, "too many words");

            switch (kind.ToLowerInvariant())
            {
                case "clusterstarted": case "clusterstart": return new ClusterStarted();
                case "nodelost": return new NodeLost(Node(text, config, Arg(1, "a server name")));
                case "nodejoined": return new NodeJoined(Node(text, config, Arg(1, "a server name")));
                case "nodestopping": return new NodeStopping(Node(text, config, Arg(1, "a server name")));
                case "nodesuspended": return new NodeSuspended(Node(text, config, Arg(1, "a server name")));
                case "noderesumed": return new NodeResumed(Node(text, config, Arg(1, "a server name")));
                case "nodedownconfirmed": return new NodeDownConfirmed(Node(text, config, Arg(1, "a server name")));
                case "groupstart": case "groupstartrequested":
                    return new GroupStartRequested(Group(text, config, Arg(1, "a group name")).Name, OptionalNode(text, config, Optional(2)));
                case "groupstop": case "groupstoprequested":
                    return new GroupStopRequested(Group(text, config, Arg(1, "a group name")).Name);
                case "groupmove": case "groupmoverequested":
                    return new GroupMoveRequested(Group(text, config, Arg(1, "a group name")).Name, OptionalNode(text, config, Optional(2)));
                case "resourcefailed": case "resourcestartfailed":
                case "resourcestopfailed":
                {
                    var (group, resource) = Resource(text, config, Arg(1, "GROUP/RESOURCE"));
                    var node = OptionalNode(text, config, Optional(2)) ?? Owner(text, state, group.Name);
                    return kind.ToLowerInvariant() == "resourcestopfailed"
                        ? new ResourceStopFailed(group.Name, resource.Name, node, "simulated stop failure")
                        : (PolicyEvent)new ResourceStartFailed(group.Name, resource.Name, node, "simulated failure");
                }
                case "monitorfailed": case "monitorrecovered":
                {
                    var monitor = config.Monitors.FirstOrDefault(m => m.Name == Arg(1, "a monitor name"))
                        ?? throw Bad(text, $"monitor '{words[1]}' is not in the config ({List(config.Monitors.Select(m => m.Name))})");
                    var node = OptionalNode(text, config, Optional(2)) ?? MonitorNode(text, config, state, monitor);
                    return kind.ToLowerInvariant() == "monitorfailed"
                        ? new MonitorFailed(monitor.Name, node, "simulated monitor error")
                        : (PolicyEvent)new MonitorRecovered(monitor.Name, node);
                }
                default:
                    throw Bad(text, $"'{kind}' is not an event");
            }
        }

        static string Node(string text, ClusterConfig config, string name)
            => config.Nodes.Any(n => n.Name == name) ? name
               : throw Bad(text, $"server '{name}' is not in the config ({List(config.Nodes.Select(n => n.Name))})");

        static string? OptionalNode(string text, ClusterConfig config, string? name) => name == null ? null : Node(text, config, name);

        static GroupConfig Group(string text, ClusterConfig config, string name)
            => config.Groups.FirstOrDefault(g => g.Name == name)
               ?? throw Bad(text, $"group '{name}' is not in the config ({List(config.Groups.Select(g => g.Name))})");

        static (GroupConfig, ResourceConfig) Resource(string text, ClusterConfig config, string path)
        {
            var slash = path.IndexOf('/');
            if (slash <= 0 || slash == path.Length - 1) throw Bad(text, $"'{path}' is not GROUP/RESOURCE");
            var group = Group(text, config, path.Substring(0, slash));
            var name = path.Substring(slash + 1);
            var resource = group.Resources.FirstOrDefault(r => r.Name == name)
                ?? throw Bad(text, $"group {group.Name} has no resource '{name}' ({List(group.Resources.Select(r => r.Name))})");
            return (group, resource);
        }

        static string Owner(string text, ClusterState state, string group)
            => state.Groups.TryGetValue(group, out var g) && g.Owner != null ? g.Owner
               : throw Bad(text, $"group {group} runs nowhere at this point; name the server");

        /// <summary>Where a monitor reports: the owner of the group of its target, else the first online server.</summary>
        static string MonitorNode(string text, ClusterConfig config, ClusterState state, MonitorConfig monitor)
        {
            var group = monitor.Target == null ? null : config.Groups.FirstOrDefault(g => g.Resources.Any(r => r.Name == monitor.Target));
            if (group != null && state.Groups.TryGetValue(group.Name, out var gs) && gs.Owner != null) return gs.Owner;
            return config.Nodes.Select(n => n.Name).FirstOrDefault(n => state.Nodes.TryGetValue(n, out var ns) && ns.State == NodeState.Online)
                ?? throw Bad(text, "no server is online at this point; name the server");
        }

        static string List(IEnumerable<string> names)
        {
            var all = names.ToList();
            return all.Count == 0 ? "there are none" : "known: " + string.Join(", ", all);
        }

        static FormatException Bad(string? text, string why)
            => new FormatException($"Cannot simulate '{text}': {why}. Events: {string.Join("; ", Forms)}.");
    }
}
