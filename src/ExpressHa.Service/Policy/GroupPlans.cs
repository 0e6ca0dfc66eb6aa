using ExpressHa.Config;

namespace ExpressHa.Service.Policy;

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

    /// <summary>Move or fail over: stop on <paramref name="from"/>, then start on <paramref name="to"/>; <paramref name="between"/>
    /// (counters, alerts) goes between the two halves.</summary>
    public static IEnumerable<PlanAction> Relocate(GroupConfig group, string from, string to, IEnumerable<PlanAction>? between = null)
        => Stop(group, from, to).Concat(between ?? Array.Empty<PlanAction>()).Concat(Start(group, to));

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

    /// <summary>The owner is lost and not yet fenced or confirmed down: whatever it ran may still run.</summary>
    public static bool OwnerMayStillRun(ClusterState state, GroupStatus status)
        => status.Owner != null && Node(state, status.Owner) is { State: NodeState.Lost, ConfirmedDown: false };

    public static string Lower(GroupState s) => s.ToString().ToLowerInvariant();
    public static string Lower(NodeState s) => s.ToString().ToLowerInvariant();
}
