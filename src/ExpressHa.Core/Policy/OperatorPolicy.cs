using System;
using System.Collections.Generic;
using System.Linq;
using ExpressHa.Config;

namespace ExpressHa.Policy;

/// <summary>Operator requests: start, stop and move a group. A refused request is an empty plan whose reason says why.</summary>
internal static class OperatorPolicy
{
    public static Plan Start(ClusterConfig config, ClusterState state, GroupStartRequested ev)
    {
        var group = config.FindGroup(ev.Group);
        if (group == null) return Plan.Refuse($"Group {ev.Group} is not defined in the configuration.");
        var st = GroupPlans.Group(state, group.Name);
        switch (st.State)
        {
            case GroupState.Online when ev.Node != null && ev.Node != st.Owner:
                return Plan.Refuse($"Group {group.Name} is already online on {st.Owner}; to run it on {ev.Node}, move it (Move-HaGroup -Node {ev.Node}).");
            case GroupState.Online:
                return Plan.Nothing($"Group {group.Name} is already online on {st.Owner}; nothing to do.");
            case GroupState.Starting:
            case GroupState.Stopping:
                return Plan.Refuse($"Group {group.Name} is {GroupPlans.Lower(st.State)} on {st.Owner}; wait until it has finished.");
            case GroupState.Failed when GroupPlans.HasFailedStop(st):
                return Plan.Refuse($"Group {group.Name} failed to stop on {st.Owner} and may still run there; it cannot start until {st.Owner} is fenced or confirmed down.");
        }
        string? target;
        if (ev.Node != null)
        {
            var refusal = Placement.Refusal(group, state, ev.Node);
            if (refusal != null) return Plan.Refuse($"Group {group.Name} cannot start on {ev.Node}: {refusal}");
            target = ev.Node;
        }
        else
        {
            target = Placement.FirstOnline(group, state);
            if (target == null) return Plan.Refuse($"Group {group.Name} cannot start: no server of its failover policy ({string.Join(", ", group.Servers)}) is online.");
        }
        var actions = new List<PlanAction>();
        actions.AddRange(ResetCounters(config, state, group, target));
        GroupPlans.AddStart(actions, group, state, target, st.Owner);
        return new Plan(actions, $"An operator asked to start group {group.Name}; it starts on {target}" +
            (ev.Node == null ? ", the first online server of its failover policy." : ", the requested server."));
    }

    public static Plan Stop(ClusterConfig config, ClusterState state, GroupStopRequested ev)
    {
        var group = config.FindGroup(ev.Group);
        if (group == null) return Plan.Refuse($"Group {ev.Group} is not defined in the configuration.");
        var st = GroupPlans.Group(state, group.Name);
        switch (st.State)
        {
            case GroupState.Offline:
                return Plan.Nothing($"Group {group.Name} is already offline; nothing to do.");
            case GroupState.Starting:
            case GroupState.Stopping:
                return Plan.Refuse($"Group {group.Name} is {GroupPlans.Lower(st.State)} on {st.Owner}; wait until it has finished.");
        }
        if (st.Owner == null || st.State == GroupState.Pending && !Placement.IsOnline(state, st.Owner))
        {
            var node = Placement.Coordinator(config, state);
            return new Plan(new PlanAction[] { new SetGroupState(node, group.Name, GroupState.Offline, null) },
                $"An operator asked to stop group {group.Name}; it is {GroupPlans.Lower(st.State)} and runs nowhere, so it is only marked offline.");
        }
        if (!Placement.IsOnline(state, st.Owner))
        {
            if (GroupPlans.Node(state, st.Owner) is { State: NodeState.Lost, ConfirmedDown: true } || GroupPlans.Node(state, st.Owner).State == NodeState.Offline)
            {
                var node = Placement.Coordinator(config, state);
                return new Plan(new PlanAction[] { new SetGroupState(node, group.Name, GroupState.Offline, null) },
                    $"An operator asked to stop group {group.Name}; its owner {st.Owner} is down, so it is only marked offline.");
            }
            return Plan.Refuse($"Group {group.Name} cannot be stopped: its owner {st.Owner} is {GroupPlans.Lower(GroupPlans.Node(state, st.Owner).State)} and not confirmed down.");
        }
        return new Plan(GroupPlans.Stop(group, st.Owner).ToList(),
            $"An operator asked to stop group {group.Name}; its resources stop on {st.Owner} in reverse dependency order.");
    }

    public static Plan Move(ClusterConfig config, ClusterState state, GroupMoveRequested ev)
    {
        var group = config.FindGroup(ev.Group);
        if (group == null) return Plan.Refuse($"Group {ev.Group} is not defined in the configuration.");
        var st = GroupPlans.Group(state, group.Name);
        if (st.State != GroupState.Online || st.Owner == null)
            return Plan.Refuse($"Group {group.Name} is {GroupPlans.Lower(st.State)}, not online, so it cannot be moved; start it instead.");
        string? target;
        if (ev.Node != null)
        {
            if (ev.Node == st.Owner) return Plan.Nothing($"Group {group.Name} is already online on {st.Owner}; nothing to move.");
            var refusal = Placement.Refusal(group, state, ev.Node);
            if (refusal != null) return Plan.Refuse($"Group {group.Name} cannot move to {ev.Node}: {refusal}");
            target = ev.Node;
        }
        else
        {
            target = Placement.NextAfter(group, state, st.Owner);
            if (target == null) return Plan.Refuse($"Group {group.Name} cannot move: no other server of its failover policy is online.");
        }
        var actions = new List<PlanAction>();
        GroupPlans.AddRelocate(actions, group, state, st.Owner, target, ResetCounters(config, state, group, target));
        return new Plan(actions, $"An operator asked to move group {group.Name}; it stops on {st.Owner} and starts on {target}" +
            (ev.Node == null ? ", the next online server of its failover policy." : ", the requested server."));
    }

    /// <summary>An operator start or move clears the group's failover count and the counters of the monitors that recover it
    /// (only those that are not already zero).</summary>
    internal static IEnumerable<PlanAction> ResetCounters(ClusterConfig config, ClusterState state, GroupConfig group, string node)
    {
        if (GroupPlans.Group(state, group.Name).Failovers != 0)
            yield return new RecordCounter(node, Counters.GroupSubject(group.Name), Counters.Failovers, 0);
        foreach (var m in config.Monitors)
        {
            if (MonitorPolicy.RecoveryGroup(config, m)?.Name != group.Name) continue;
            var ms = GroupPlans.Monitor(state, m.Name);
            if (ms.Restarts != 0) yield return new RecordCounter(node, Counters.MonitorSubject(m.Name), Counters.Restarts, 0);
            if (ms.Failovers != 0) yield return new RecordCounter(node, Counters.MonitorSubject(m.Name), Counters.Failovers, 0);
        }
    }
}
