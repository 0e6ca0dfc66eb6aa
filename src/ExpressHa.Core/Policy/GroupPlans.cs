using System;
using System.Collections.Generic;
using System.Linq;
using ExpressHa.Config;

namespace ExpressHa.Policy;

/// <summary>The building blocks of plans: start and stop sequences of one group on one node, and reads of the state that never
/// mutate it (a missing entry reads as the default).</summary>
public static class GroupPlans
{
    /// <summary>SetGroupState Starting, every resource in dependency order, SetGroupState Online.</summary>
    public static IEnumerable<PlanAction> Start(GroupConfig group, string node)
    {
        yield return new SetGroupState(node, group.Name, GroupState.Starting, node);
        foreach (var r in DependencyOrder.StartOrder(group)) yield return new StartResource(node, group.Name, r.Name);
        yield return new SetGroupState(node, group.Name, GroupState.Online, node);
    }

    /// <summary>SetGroupState Stopping, every resource in reverse dependency order, then SetGroupState Offline when the group
    /// stops for good (<paramref name="next"/> null). With a next node the caller goes on with <see cref="Start"/> there.</summary>
    public static IEnumerable<PlanAction> Stop(GroupConfig group, string node, string? next = null)
    {
        yield return new SetGroupState(node, group.Name, GroupState.Stopping, node, next);
        foreach (var r in DependencyOrder.StopOrder(group)) yield return new StopResource(node, group.Name, r.Name);
        if (next == null) yield return new SetGroupState(node, group.Name, GroupState.Offline, null);
    }

    /// <summary>Stops, in reverse dependency order, only the resources the state does not show as offline (after a failed start:
    /// the ones that started, and the failed one itself, which may be half started).</summary>
    public static IEnumerable<PlanAction> StopStarted(GroupConfig group, GroupStatus status, string node)
        => DependencyOrder.StopOrder(group)
            .Where(r => Resource(status, r.Name).State != ResourceState.Offline)
            .Select(r => (PlanAction)new StopResource(node, group.Name, r.Name));

    /// <summary>Safety rule 1 for every start: before the group starts on <paramref name="target"/>, the plan waits for each
    /// server of the group (and its former owner) that is Lost and not confirmed down, unless an earlier step already waits for
    /// it. A lost node that is not known to be down may still run the group, whatever the state says its owner is (like
    /// Pacemaker, which starts nothing an unclean node could be running until that node is fenced).</summary>
    public static void AddStart(List<PlanAction> actions, GroupConfig group, ClusterState state, string target, string? formerOwner = null)
    {
        foreach (var n in group.Servers.Append(formerOwner).Distinct())
            if (n != null && n != target && Node(state, n) is { State: NodeState.Lost, ConfirmedDown: false }
                && !actions.OfType<WaitForNodeDown>().Any(w => w.LostNode == n))
                actions.Add(new WaitForNodeDown(target, n));
        actions.AddRange(Start(group, target));
    }

    /// <summary>Move or fail over: stop on <paramref name="from"/>, then start on <paramref name="to"/>; <paramref name="between"/>
    /// (counters, alerts) goes between the two halves.</summary>
    public static void AddRelocate(List<PlanAction> actions, GroupConfig group, ClusterState state, string from, string to, IEnumerable<PlanAction>? between = null)
    {
        actions.AddRange(Stop(group, from, to));
        actions.AddRange(between ?? Array.Empty<PlanAction>());
        AddStart(actions, group, state, to, from);
    }

    public static GroupStatus Group(ClusterState state, string group)
        => state.Groups.TryGetValue(group, out var g) ? g : new GroupStatus();

    public static ResourceStatus Resource(GroupStatus group, string resource)
        => group.Resources.TryGetValue(resource, out var r) ? r : new ResourceStatus();

    public static MonitorStatus Monitor(ClusterState state, string monitor)
        => state.Monitors.TryGetValue(monitor, out var m) ? m : new MonitorStatus();

    public static NodeStatus Node(ClusterState state, string node)
        => state.Nodes.TryGetValue(node, out var n) ? n : new NodeStatus();

    /// <summary>A resource of the group is in StopFailed: it may still run on the owner.</summary>
    public static bool HasFailedStop(GroupStatus status) => status.Resources.Values.Any(r => r.State == ResourceState.StopFailed);

    public static string Lower(GroupState s) => s.ToString().ToLowerInvariant();
    public static string Lower(NodeState s) => s.ToString().ToLowerInvariant();
}
