using ExpressHa.Config;

namespace ExpressHa.Service.Policy;

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
            if (GroupPlans.OwnerMayStillRun(state, st)) actions.Add(new WaitForNodeDown(target, st.Owner!));
            actions.AddRange(OperatorPolicy.ResetCounters(config, state, group, target));
            actions.AddRange(GroupPlans.Start(group, target));
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

        var coordinator = Placement.Coordinator(config, state, lost);
        var waits = new List<string>();
        var body = new List<PlanAction>();
        var moved = new List<string>();
        var offline = new List<string>();
        var pending = new List<string>();
        var failed = new List<string>();
        foreach (var group in owned)
        {
            var st = GroupPlans.Group(state, group.Name);
            var stoppingForGood = st.Next == null && (st.State == GroupState.Stopping || st.State == GroupState.Failed && GroupPlans.HasFailedStop(st));
            var shouldRun = st.State is GroupState.Online or GroupState.Starting or GroupState.Pending
                || st.State is GroupState.Stopping or GroupState.Failed && st.Next != null;
            if (stoppingForGood)
            {
                if (!waits.Contains(coordinator)) waits.Add(coordinator);
                body.Add(new SetGroupState(coordinator, group.Name, GroupState.Offline, null));
                offline.Add(group.Name);
                continue;
            }
            if (!shouldRun) { failed.Add(group.Name); continue; }
            var target = st.Next != null && st.Next != lost && Placement.IsServerOf(group, st.Next) && Placement.IsOnline(state, st.Next)
                ? st.Next : Placement.FirstOnline(group, state, lost);
            if (target == null)
            {
                body.Add(new SetGroupState(coordinator, group.Name, GroupState.Pending, lost));
                body.Add(PolicyAlerts.NoServer(coordinator, group.Name));
                pending.Add(group.Name);
                continue;
            }
            if (!waits.Contains(target)) waits.Add(target);
            body.Add(PolicyAlerts.GroupMoving(target, group.Name, lost, target));
            body.AddRange(GroupPlans.Start(group, target));
            moved.Add($"{group.Name} to {target}");
        }
        var actions = new List<PlanAction>();
        actions.AddRange(waits.Select(w => new WaitForNodeDown(w, lost)));
        actions.Add(PolicyAlerts.NodeLost(waits.FirstOrDefault() ?? coordinator, lost));
        actions.AddRange(body);

        var parts = new List<string>();
        if (moved.Count > 0) parts.Add($"once it is fenced or confirmed down its groups fail over ({string.Join(", ", moved)})");
        if (offline.Count > 0) parts.Add($"groups that were being stopped become offline once it is confirmed down ({string.Join(", ", offline)})");
        if (pending.Count > 0) parts.Add($"no other server can take {string.Join(", ", pending)}, which {(pending.Count == 1 ? "waits" : "wait")} as pending with {lost} kept as {(pending.Count == 1 ? "its owner" : "their owner")} until it is confirmed down");
        if (failed.Count > 0) parts.Add($"groups that had already failed stay failed ({string.Join(", ", failed)})");
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
            actions.AddRange(GroupPlans.Relocate(group, st.Owner, node));
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
            if (GroupPlans.OwnerMayStillRun(state, st)) actions.Add(new WaitForNodeDown(target, st.Owner!));
            actions.AddRange(GroupPlans.Start(group, target));
            parts.Add($"pending group {group.Name} starts on {target}");
        }
    }

    /// <summary>Clean shutdown of one node: its groups stop there in reverse config order, each resource in reverse dependency
    /// order, and nothing is started elsewhere.</summary>
    public static Plan NodeStopping(ClusterConfig config, ClusterState state, string node)
    {
        var actions = new List<PlanAction>();
        var names = new List<string>();
        foreach (var group in Enumerable.Reverse(config.Groups))
        {
            var st = GroupPlans.Group(state, group.Name);
            if (st.Owner != node || st.State == GroupState.Offline) continue;
            names.Add(group.Name);
            if (st.State == GroupState.Pending) actions.Add(new SetGroupState(node, group.Name, GroupState.Offline, null));
            else actions.AddRange(GroupPlans.Stop(group, node));
        }
        if (names.Count == 0) return Plan.Nothing($"Server {node} is shutting down and runs no group; nothing to stop.");
        return new Plan(actions, $"Server {node} is shutting down: its groups ({string.Join(", ", names)}) stop there in reverse order and are not started elsewhere.");
    }
}
