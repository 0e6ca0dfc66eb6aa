using System;
using System.Collections.Generic;
using System.Linq;
using ExpressHa.Config;

namespace ExpressHa.Policy;

/// <summary>Membership events: cluster start, a node lost, joined, stopping or resumed.</summary>
internal static class NodePolicy
{
    /// <summary>Auto groups start on their first online server, in config order; manual groups stay offline; an auto group with
    /// no online server becomes Pending and starts when one of its servers joins.</summary>
    public static Plan ClusterStarted(ClusterConfig config, ClusterState state)
    {
        var actions = new List<PlanAction>();
        var started = new List<string>();
        var manual = new List<string>();
        var pending = new List<string>();
        var running = new List<string>();
        foreach (var group in config.Groups)
        {
            var st = GroupPlans.Group(state, group.Name);
            if (st.State != GroupState.Offline && st.State != GroupState.Pending) { running.Add(group.Name); continue; }
            if (group.Startup != GroupPolicies.Auto) { manual.Add(group.Name); continue; }
            var target = Placement.FirstOnline(group, state);
            if (target == null)
            {
                pending.Add(group.Name);
                if (st.State == GroupState.Pending) continue;
                var node = Placement.Coordinator(config, state);
                actions.Add(new SetGroupState(node, group.Name, GroupState.Pending, null));
                actions.Add(PolicyAlerts.NoServer(node, group.Name));
                continue;
            }
            actions.AddRange(OperatorPolicy.ResetCounters(config, state, group, target));
            GroupPlans.AddStart(actions, group, state, target, st.Owner);
            started.Add($"{group.Name} on {target}");
        }
        var parts = new List<string>();
        if (started.Count > 0) parts.Add($"auto groups start on their first online server ({string.Join(", ", started)})");
        if (pending.Count > 0) parts.Add($"auto groups with no online server wait as pending ({string.Join(", ", pending)})");
        if (manual.Count > 0) parts.Add($"manual groups stay offline until an operator starts them ({string.Join(", ", manual)})");
        if (running.Count > 0) parts.Add($"groups that are not offline are left as they are ({string.Join(", ", running)})");
        if (parts.Count == 0) parts.Add("there is no group");
        return new Plan(actions, "The cluster started: " + string.Join("; ", parts) + ".");
    }

    /// <summary>Every group the lost node owned and that should run is started on its first other online server, but only after
    /// the lost node is fenced or confirmed down: the plan begins with WaitForNodeDown on each target. A group that was being
    /// stopped for good becomes Offline after the same wait; one with nowhere to go becomes Pending (owner kept, so a later start
    /// still waits); one that had already failed (and was cleaned up) stays Failed.</summary>
    public static Plan NodeLost(ClusterConfig config, ClusterState state, string lost)
    {
        var owned = config.Groups.Where(g => GroupPlans.Group(state, g.Name) is { } s && s.Owner == lost && s.State != GroupState.Offline).ToList();
        if (owned.Count == 0) return Plan.Nothing($"Server {lost} was lost but owned no group; nothing has to be recovered.");

        // First pass: what happens to each group (and which node waits for the lost one).
        var coordinator = Placement.Coordinator(config, state, lost);
        var decisions = new List<(GroupConfig Group, string Outcome, string? Target)>();
        foreach (var group in owned)
        {
            var st = GroupPlans.Group(state, group.Name);
            var stoppingForGood = st.Next == null && (st.State == GroupState.Stopping || st.State == GroupState.Failed && GroupPlans.HasFailedStop(st));
            var shouldRun = st.State is GroupState.Online or GroupState.Starting or GroupState.Pending
                || st.State is GroupState.Stopping or GroupState.Failed && st.Next != null;
            if (stoppingForGood) { decisions.Add((group, "offline", coordinator)); continue; }
            if (!shouldRun) { decisions.Add((group, "failed", null)); continue; }
            var target = st.Next != null && st.Next != lost && Placement.IsServerOf(group, st.Next) && Placement.IsOnline(state, st.Next)
                ? st.Next : Placement.FirstOnline(group, state, lost);
            decisions.Add((group, target == null ? "pending" : "moved", target));
        }

        // Second pass: the waits open the plan (safety rule 1), then the alert, then each group.
        var actions = new List<PlanAction>();
        foreach (var waiter in decisions.Where(d => d.Outcome is "offline" or "moved").Select(d => d.Target!).Distinct())
            actions.Add(new WaitForNodeDown(waiter, lost));
        actions.Add(PolicyAlerts.NodeLost(actions.Count > 0 ? actions[0].Node : coordinator, lost));
        foreach (var (group, outcome, target) in decisions)
        {
            switch (outcome)
            {
                case "offline":
                    actions.Add(new SetGroupState(coordinator, group.Name, GroupState.Offline, null));
                    break;
                case "pending":
                    actions.Add(new SetGroupState(coordinator, group.Name, GroupState.Pending, lost));
                    actions.Add(PolicyAlerts.NoServer(coordinator, group.Name));
                    break;
                case "moved":
                    actions.Add(PolicyAlerts.GroupMoving(target!, group.Name, lost, target!));
                    GroupPlans.AddStart(actions, group, state, target!, lost);
                    break;
            }
        }

        string Names(string outcome, bool withTarget = false)
            => string.Join(", ", decisions.Where(d => d.Outcome == outcome).Select(d => withTarget ? $"{d.Group.Name} to {d.Target}" : d.Group.Name));
        int Count(string outcome) => decisions.Count(d => d.Outcome == outcome);
        var parts = new List<string>();
        if (Count("moved") > 0) parts.Add($"once it is fenced or confirmed down its groups fail over ({Names("moved", true)})");
        if (Count("offline") > 0) parts.Add($"groups that were being stopped become offline once it is confirmed down ({Names("offline")})");
        if (Count("pending") > 0) parts.Add($"no other server can take {Names("pending")}, which {(Count("pending") == 1 ? "waits" : "wait")} as pending with {lost} kept as {(Count("pending") == 1 ? "its owner" : "their owner")} until it is confirmed down");
        if (Count("failed") > 0) parts.Add($"groups that had already failed stay failed ({Names("failed")})");
        return new Plan(actions, $"Server {lost} was lost: " + string.Join("; ", parts) + ".");
    }

    /// <summary>Pending groups start (on their first online server); groups with failback auto whose most preferred online server
    /// is the joining node move back to it. Failback manual groups stay where they run.</summary>
    public static Plan NodeJoined(ClusterConfig config, ClusterState state, string node)
    {
        var actions = new List<PlanAction>();
        var parts = new List<string>();
        var stays = new List<string>();
        StartPending(config, state, node, actions, parts);
        foreach (var group in config.Groups)
        {
            var st = GroupPlans.Group(state, group.Name);
            if (st.State != GroupState.Online || st.Owner == null || st.Owner == node || !Placement.IsServerOf(group, node)) continue;
            var best = Placement.FirstOnline(group, state);
            var ownerRank = group.Servers.IndexOf(st.Owner);
            if (best != node || (ownerRank >= 0 && ownerRank < group.Servers.IndexOf(node))) continue;
            if (group.Failback != GroupPolicies.Auto) { stays.Add(group.Name); continue; }
            GroupPlans.AddRelocate(actions, group, state, st.Owner, node);
            parts.Add($"group {group.Name} fails back from {st.Owner} (failback auto)");
        }
        if (stays.Count > 0) parts.Add($"{string.Join(", ", stays)} stay{(stays.Count == 1 ? "s" : "")} where {(stays.Count == 1 ? "it runs" : "they run")} because failback is manual");
        if (actions.Count == 0 && parts.Count == 0) return Plan.Nothing($"Server {node} joined; no group is pending or fails back to it.");
        if (actions.Count == 0) return Plan.Nothing($"Server {node} joined; " + string.Join("; ", parts) + ".");
        return new Plan(actions, $"Server {node} joined: " + string.Join("; ", parts) + ".");
    }

    /// <summary>Nothing moves when a node comes back from maintenance; pending groups it can run start there.</summary>
    public static Plan NodeResumed(ClusterConfig config, ClusterState state, string node)
    {
        var actions = new List<PlanAction>();
        var parts = new List<string>();
        StartPending(config, state, node, actions, parts);
        if (actions.Count == 0) return Plan.Nothing($"Server {node} resumed from maintenance; no group moves.");
        return new Plan(actions, $"Server {node} resumed from maintenance; no running group moves, and " + string.Join("; ", parts) + ".");
    }

    static void StartPending(ClusterConfig config, ClusterState state, string node, List<PlanAction> actions, List<string> parts)
    {
        foreach (var group in config.Groups)
        {
            var st = GroupPlans.Group(state, group.Name);
            if (st.State != GroupState.Pending || !Placement.IsServerOf(group, node)) continue;
            var target = Placement.FirstOnline(group, state);
            if (target == null) continue;
            GroupPlans.AddStart(actions, group, state, target, st.Owner);
            parts.Add($"pending group {group.Name} starts on {target}");
        }
    }

    /// <summary>One node stops its groups: in reverse config order, each resource in reverse dependency order. A stop of the
    /// whole cluster leaves them offline. Any other stop (this node shuts down, lost partition resolution, or starts and
    /// finds in its journal groups its previous run held) stops each
    /// group marked to move, Next set to its first other online server (else its next server), and leaves it Stopping: a
    /// node that still hears this one starts it at once (<see cref="ReleasePolicy"/>), the node that loses it moves it
    /// (NodeLost), like a group lost while online.</summary>
    public static Plan NodeStopping(ClusterConfig config, ClusterState state, string node, NodeStopCause cause)
    {
        var move = cause != NodeStopCause.ClusterStop;
        var actions = new List<PlanAction>();
        var names = new List<string>();
        foreach (var group in Enumerable.Reverse(config.Groups))
        {
            var st = GroupPlans.Group(state, group.Name);
            if (st.Owner != node || st.State == GroupState.Offline) continue;
            names.Add(group.Name);
            if (st.State == GroupState.Pending) actions.Add(new SetGroupState(node, group.Name, GroupState.Offline, null));
            // A failed group has used up its failover threshold or failed to stop: it waits for the operator, it is not moved.
            else actions.AddRange(GroupPlans.Stop(group, node, move && st.State != GroupState.Failed
                ? Placement.FirstOnline(group, state, node) ?? group.Servers.FirstOrDefault(s => s != node) : null));
        }
        var list = string.Join(", ", names);
        if (names.Count == 0) return Plan.Nothing($"Server {node} is shutting down and runs no group; nothing to stop.");
        return cause switch
        {
            NodeStopCause.LostResolution => new Plan(actions, $"Server {node} lost partition resolution: its groups ({list}) stop there in reverse order and move to another server."),
            NodeStopCause.Shutdown => new Plan(actions, $"Server {node} is shutting down: its groups ({list}) stop there in reverse order and move to another server."),
            NodeStopCause.Restarted => new Plan(actions, $"Server {node} starts and its previous run held groups ({list}): what may be left of them stops there in reverse order, before it joins, and they move to another server."),
            _ => new Plan(actions, $"The cluster is stopping: the groups of {node} ({list}) stop there in reverse order and are not started elsewhere."),
        };
    }
}
