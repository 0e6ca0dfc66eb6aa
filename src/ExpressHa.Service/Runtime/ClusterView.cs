using ExpressHa.Api;
using ExpressHa.Config;
using ExpressHa.Service.Heartbeat;
using ExpressHa.Service.Membership;
using ExpressHa.Policy;

namespace ExpressHa.Service.Runtime;

/// <summary>Builds the policy engine's ClusterState and the API's ClusterStatus from this node's own state and the
/// last heartbeat report of every peer. Every node builds the same view from the same reports.</summary>
public static class ClusterView
{
    public sealed record Inputs(
        ClusterConfig Config,
        string Self,
        NodeState SelfState,
        HeartbeatReport SelfReport,
        MembershipSnapshot Peers);

    public static ClusterState BuildState(Inputs i)
    {
        var state = new ClusterState();
        foreach (var n in i.Config.Nodes)
            state.Nodes[n.Name] = new NodeStatus { State = NodeStateOf(i, n.Name), ConfirmedDown = n.Name != i.Self && i.Peers.ConfirmedDown.Contains(n.Name) };

        foreach (var g in i.Config.Groups)
        {
            var status = new GroupStatus();
            var holder = Holder(i, g.Name, state);
            foreach (var r in g.Resources) status.Resources[r.Name] = new ResourceStatus();
            if (holder is var (node, report))
            {
                status.Owner = node;
                status.State = Parse(report.State, GroupState.Offline);
                status.Generation = report.Generation;
                status.Failovers = report.Failovers;
                foreach (var (name, rs) in report.Resources)
                    if (status.Resources.TryGetValue(name, out var st)) st.State = Parse(rs, ResourceState.Offline);
                foreach (var (name, count) in report.StartFailures)
                    if (status.Resources.TryGetValue(name, out var st)) st.StartFailures = count;
                foreach (var (name, count) in report.StopFailures)
                    if (status.Resources.TryGetValue(name, out var st)) st.StopFailures = count;
                if (report.Owner != null) status.Owner = report.Owner;
                status.Next = report.Next;
                if (status.State == GroupState.Offline) status.Owner = null;
            }
            else
            {
                // Counters survive a stop: the highest failover count any node still reports.
                status.Failovers = Reports(i).SelectMany(x => x.Report.Groups).Where(x => x.Name == g.Name).Select(x => x.Failovers).DefaultIfEmpty(0).Max();
                status.Generation = MaxGeneration(i, g.Name);
            }
            state.Groups[g.Name] = status;
        }

        foreach (var m in i.Config.Monitors)
        {
            var owner = OwnerNodeFor(i.Config, m, state);
            var report = owner != null ? ReportOf(i, owner)?.Monitors.FirstOrDefault(x => x.Name == m.Name) : null;
            state.Monitors[m.Name] = new MonitorStatus
            {
                State = Parse(report?.State, MonitorState.Normal),
                Restarts = report?.Restarts ?? 0,
                Failovers = report?.Failovers ?? 0,
            };
        }
        return state;
    }

    /// <summary>The node whose counters a monitor uses: the owner of the target's group, else this node.</summary>
    static string? OwnerNodeFor(ClusterConfig c, MonitorConfig m, ClusterState state)
    {
        if (m.Target != null && c.FindResource(m.Target, out var g) != null && g != null && state.Groups.TryGetValue(g.Name, out var gs))
            return gs.Owner;
        return null;
    }

    public static long MaxGeneration(Inputs i, string group)
        => Reports(i).SelectMany(x => x.Report.Groups).Where(x => x.Name == group).Select(x => x.Generation).DefaultIfEmpty(0).Max();

    /// <summary>The generation the next ownership of the group takes (see <see cref="GenerationSeed.Next"/>).</summary>
    public static long NextGeneration(Inputs i, string group)
        => GenerationSeed.Next(MaxGeneration(i, group), Reports(i).Select(x => (IReadOnlyDictionary<string, long>?)x.Report.JournalGenerations), group);

    /// <summary>The newest record of the group by <see cref="OwnershipRule"/> among the nodes that are not offline
    /// (offline records included, so a decision recorded by a live node supersedes what a lost node last said). Null
    /// when that record says offline.</summary>
    static (string Node, GroupReport Report)? Holder(Inputs i, string group, ClusterState state)
    {
        (OwnershipClaim Claim, GroupReport Report)? best = null;
        foreach (var (node, report) in Reports(i))
        {
            var st = state.Nodes.TryGetValue(node, out var ns) ? ns : null;
            if (st == null || st.State == NodeState.Offline) continue;
            var g = report.Groups.FirstOrDefault(x => x.Name == group);
            if (g == null) continue;
            var claim = new OwnershipClaim(node, g.Generation, st.State != NodeState.Lost, g.State != GroupStates.Offline, i.Config.FindNode(node)?.Priority ?? int.MaxValue);
            if (best == null || OwnershipRule.Compare(claim, best.Value.Claim) > 0) best = (claim, g);
        }
        return best is { } b && b.Claim.Held ? (b.Claim.Node, b.Report) : null;
    }

    static IEnumerable<(string Node, HeartbeatReport Report)> Reports(Inputs i)
    {
        yield return (i.Self, i.SelfReport);
        foreach (var n in i.Config.Nodes)
            if (n.Name != i.Self && i.Peers.ReportOf(n.Name) is HeartbeatReport r) yield return (n.Name, r);
    }

    static ServiceState? ServiceOf(HeartbeatReport? report) => ServiceStateNames.Parse(report?.ServiceState);

    static HeartbeatReport? ReportOf(Inputs i, string node) => node == i.Self ? i.SelfReport : i.Peers.ReportOf(node);

    /// <summary>The coordinator: the most preferred node (lowest priority number, then name) whose service runs (not
    /// suspended, stopped or stopping); this node when none does. Every node computes the same.</summary>
    public static string Coordinator(Inputs i)
        => i.Config.Nodes
            .Where(n => n.Name == i.Self ? ServiceOf(i.SelfReport) == ServiceState.Running
                : i.Peers.IsOnline(n.Name) && ServiceOf(i.Peers.ReportOf(n.Name)) == ServiceState.Running)
            .OrderBy(n => n.Priority).ThenBy(n => n.Name, StringComparer.Ordinal).FirstOrDefault()?.Name ?? i.Self;

    static NodeState NodeStateOf(Inputs i, string node)
    {
        if (node == i.Self) return i.SelfState;
        return i.Peers.StateOf(node) switch
        {
            Membership.PeerState.Online => ServiceOf(i.Peers.ReportOf(node)) == ServiceState.Suspended ? NodeState.Suspended : NodeState.Online,
            Membership.PeerState.Lost => NodeState.Lost,
            _ => NodeState.Offline,
        };
    }

    static T Parse<T>(string? text, T fallback) where T : struct, Enum
        => text != null && Enum.TryParse<T>(text, ignoreCase: true, out var v) ? v : fallback;

    public static ClusterStatus BuildStatus(Inputs i, ClusterState state, string? coordinator, long generation)
    {
        var status = new ClusterStatus
        {
            ClusterName = i.Config.Cluster.Name,
            ReportingNode = i.Self,
            Coordinator = coordinator,
            ConfigGeneration = generation,
            ServiceState = i.SelfReport.ServiceState,
            PartitionResolution = SafetySummary.Partition(i.Config.Cluster.PartitionResolution),
            Fencing = SafetySummary.Fencing(i.Config.Cluster.Fencing),
        };
        foreach (var n in i.Config.Nodes.OrderBy(n => n.Priority).ThenBy(n => n.Name, StringComparer.Ordinal))
        {
            var info = new NodeStatusInfo
            {
                Name = n.Name, State = StateNames.Of(state.Nodes[n.Name].State), Priority = n.Priority,
                ServiceState = ReportOf(i, n.Name)?.ServiceState ?? "",
            };
            var ages = n.Name == i.Self ? null : i.Peers.PathAgesOf(n.Name);
            foreach (var (ic, address) in n.Addresses)
            {
                long? age = ages != null && ages.TryGetValue(ic, out var a) ? a : null;
                var up = n.Name == i.Self ? PathStates.Self : age is long x && x < i.Config.Cluster.Heartbeat.TimeoutMs ? PathStates.Up : PathStates.Down;
                info.Paths.Add(new PathStatusInfo { Interconnect = ic, Address = address, State = up, LastSeenMs = age });
            }
            if (ages != null && ages.TryGetValue(Membership.MembershipTable.WitnessPath, out var witnessAge))
                info.Paths.Add(new PathStatusInfo
                {
                    Interconnect = Membership.MembershipTable.WitnessPath, Address = i.Config.Cluster.PartitionResolution.Http?.Url ?? "",
                    State = witnessAge is long w && w < i.Config.Cluster.Heartbeat.TimeoutMs ? PathStates.Up : PathStates.Down, LastSeenMs = witnessAge,
                });
            status.Nodes.Add(info);
        }
        foreach (var g in i.Config.Groups)
        {
            var gs = state.Groups[g.Name];
            var info = new GroupStatusInfo { Name = g.Name, State = StateNames.Of(gs.State), Owner = gs.Owner, Generation = gs.Generation, Servers = g.Servers.ToList() };
            foreach (var r in g.Resources)
                info.Resources.Add(new ResourceStatusInfo { Name = r.Name, Type = r.Type, State = StateNames.Of(gs.Resources[r.Name].State) });
            status.Groups.Add(info);
        }
        foreach (var m in i.Config.Monitors)
        {
            // Each node runs its monitors; show the worst state any online node reports, and where.
            var reports = Reports(i).Where(x => state.Nodes[x.Node].State is NodeState.Online or NodeState.Suspended)
                .Select(x => (x.Node, M: x.Report.Monitors.FirstOrDefault(r => r.Name == m.Name))).Where(x => x.M != null).ToList();
            var worst = reports.OrderByDescending(x => Severity(x.M!.State)).FirstOrDefault();
            status.Monitors.Add(new MonitorStatusInfo
            {
                Name = m.Name, Type = m.Type, Target = m.Target,
                State = worst.M?.State ?? MonitorStates.Inactive, Node = worst.Node, Message = worst.M?.Message,
            });
        }
        return status;
    }

    static int Severity(string s) => s switch { MonitorStates.Error => 4, MonitorStates.Warning => 3, MonitorStates.Normal => 2, MonitorStates.Suspended => 1, _ => 0 };
}
