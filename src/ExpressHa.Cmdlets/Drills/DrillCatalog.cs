using System.Collections.Generic;
using System.Linq;
using ExpressHa.Api;

namespace ExpressHa.Cmdlets
{
    /// <summary>The kinds of operation tests.</summary>
    public static class DrillKinds
    {
        public const string Move = "Move";
        public const string ServiceStop = "ServiceStop";
        public const string MonitorFailure = "MonitorFailure";
        public const string ServiceKill = "ServiceKill";
        public static readonly string[] Safe = { Move, ServiceStop, MonitorFailure };
    }

    /// <summary>One drill to run: its kind, what it acts on, and a name for reports.</summary>
    public sealed class DrillSpec
    {
        public DrillSpec(string kind, string name, string? group = null, string? node = null, string? monitor = null)
        {
            Kind = kind; Name = name; Group = group; Node = node; Monitor = monitor;
        }

        public string Kind { get; }
        public string Name { get; }
        public string? Group { get; }
        /// <summary>Move: the target server; ServiceStop and ServiceKill: the server whose service is stopped or killed.</summary>
        public string? Node { get; }
        public string? Monitor { get; }
        public override string ToString() => Name;
    }

    /// <summary>Which drills a cluster gets, from its status: every online group moved to each other server of its
    /// policy and back, the service stopped and started on every standby (a server running no group), a pseudo-failure
    /// of every monitor, and with ServiceKill the service killed on the server running each group.</summary>
    public static class DrillCatalog
    {
        /// <param name="connectedNode">The node the session talks to: its service cannot be killed by the drill, which
        /// has to watch the cluster through it.</param>
        public static List<DrillSpec> Plan(ClusterStatus status, ICollection<string> kinds,
            ICollection<string>? groups, ICollection<string>? monitors, string? connectedNode, out List<string> skipped)
        {
            skipped = new List<string>();
            var plan = new List<DrillSpec>();
            var online = status.Nodes.Where(n => n.State == NodeStates.Online).Select(n => n.Name).ToList();
            var active = status.Groups.Where(g => g.State == GroupStates.Online && g.Owner != null && (groups == null || groups.Contains(g.Name))).ToList();

            if (kinds.Contains(DrillKinds.Move))
                foreach (var g in active)
                {
                    var others = g.Servers.Where(s => s != g.Owner && online.Contains(s)).ToList();
                    if (others.Count == 0) skipped.Add($"Move {g.Name}: no other server of its policy is online");
                    foreach (var to in others)
                    {
                        plan.Add(new DrillSpec(DrillKinds.Move, $"Move {g.Name} to {to}", g.Name, to));
                        plan.Add(new DrillSpec(DrillKinds.Move, $"Move {g.Name} back to {g.Owner}", g.Name, g.Owner));
                    }
                }

            if (kinds.Contains(DrillKinds.ServiceStop))
            {
                var owners = new HashSet<string>(status.Groups.Where(g => g.Owner != null && g.State != GroupStates.Offline).Select(g => g.Owner!));
                var standbys = online.Where(n => !owners.Contains(n)).ToList();
                if (standbys.Count == 0) skipped.Add("ServiceStop: every online server runs a group, so there is no standby");
                foreach (var n in standbys) plan.Add(new DrillSpec(DrillKinds.ServiceStop, $"Stop and start the service on {n}", node: n));
            }

            if (kinds.Contains(DrillKinds.MonitorFailure))
                foreach (var m in status.Monitors.Where(m => monitors == null || monitors.Contains(m.Name)))
                {
                    if (m.State is MonitorStates.Suspended or MonitorStates.Inactive) { skipped.Add($"Pseudo-failure of {m.Name}: the monitor is {m.State}"); continue; }
                    plan.Add(new DrillSpec(DrillKinds.MonitorFailure, $"Pseudo-failure of {m.Name}", monitor: m.Name));
                }

            if (kinds.Contains(DrillKinds.ServiceKill))
                foreach (var owner in active.Select(g => g.Owner!).Distinct())
                {
                    if (owner == connectedNode)
                    {
                        skipped.Add($"Kill the service on {owner}: the session is connected to {owner}; connect to another server to run this drill");
                        continue;
                    }
                    plan.Add(new DrillSpec(DrillKinds.ServiceKill, $"Kill the service on {owner}", active.First(g => g.Owner == owner).Name, owner));
                }
            return plan;
        }
    }
}
