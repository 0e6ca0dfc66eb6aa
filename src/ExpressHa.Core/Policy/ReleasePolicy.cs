using System;
using System.Collections.Generic;
using System.Linq;
using ExpressHa.Config;

namespace ExpressHa.Policy;

/// <summary>Released groups. A group its owner stopped to move (Stopping, Next set) with every resource offline there is
/// released: nothing of it runs anywhere, and the owner does nothing more with it. Whatever the owner does next (it goes
/// on shutting down, restarts, crashes, is cut off), the group starts on a server of its policy:
/// <list type="bullet">
/// <item>while the owner is heard (online, stopping, suspended), the coordinator starts it at once (this rule);</item>
/// <item>once the owner is lost, NodeLost moves it after the usual wait for the lost node;</item>
/// <item>when the owner's service starts again, it finds the group in its journal, stops what may be left of it and
/// reports it released again before its first heartbeat (Runtime/Leftovers), so a new incarnation never erases the
/// record: this rule then applies.</item>
/// </list></summary>
public static class ReleasePolicy
{
    public static bool IsReleased(GroupStatus group)
        => group is { State: GroupState.Stopping, Next: not null, Owner: not null }
           && group.Resources.Values.All(r => r.State == ResourceState.Offline);

    /// <summary>The groups this rule has to start: released by an owner that is not lost, in config order.</summary>
    public static IReadOnlyList<string> ToStart(ClusterConfig config, ClusterState state)
        => config.Groups.Select(g => g.Name)
            .Where(g => GroupPlans.Group(state, g) is var st && IsReleased(st) && GroupPlans.Node(state, st.Owner!).State != NodeState.Lost)
            .ToList();

    /// <summary>Starts a released group on its Next server when that one can take it, else on the first online server of its
    /// policy other than the owner; with the usual waits for lost servers (safety rule 1). Nowhere to go: it stays released
    /// (the record is the intent) until a server of its policy is online.</summary>
    public static Plan Released(ClusterConfig config, ClusterState state, string groupName)
    {
        var group = config.FindGroup(groupName);
        if (group == null) return Plan.Nothing($"There is no group {groupName}; nothing to start.");
        var st = GroupPlans.Group(state, groupName);
        if (st is { State: GroupState.Stopping, Next: not null, Owner: not null } && !IsReleased(st))
            return Plan.Nothing($"Group {groupName} is still being stopped on {st.Owner} to move (not every resource is offline); it starts elsewhere once it is released.");
        if (!IsReleased(st))
            return Plan.Nothing($"Group {groupName} is {GroupPlans.Lower(st.State)}{(st.Owner != null ? " on " + st.Owner : "")}, not stopped to move; nothing to start.");
        var owner = st.Owner!;
        if (GroupPlans.Node(state, owner).State == NodeState.Lost)
            return Plan.Nothing($"Group {groupName} was stopped on {owner} to move, but {owner} is lost: the loss of {owner} moves it once {owner} is down.");
        var target = st.Next != owner && Placement.IsServerOf(group, st.Next!) && Placement.IsOnline(state, st.Next!)
            ? st.Next! : Placement.FirstOnline(group, state, owner);
        if (target == null)
            return Plan.Nothing($"Group {groupName} was stopped on {owner} to move, but no other server of its policy is online; it starts when one is.");
        var actions = new List<PlanAction>();
        GroupPlans.AddStart(actions, group, state, target, owner);
        actions.Insert(actions.FindIndex(a => a is not WaitForNodeDown), PolicyAlerts.GroupMoving(target, groupName, owner, target));
        return new Plan(actions, $"Group {groupName} was stopped on {owner} to move and nothing of it runs there: it starts on {target}.");
    }
}
