using System;
using System.Collections.Generic;
using System.Linq;
using ExpressHa.Config;

namespace ExpressHa.Policy;

/// <summary>Failed starts and stops reported by the executor.</summary>
internal static class FailurePolicy
{
    /// <summary>A resource failed to start on N. Its StartFailures (already counting this failure) up to OnActivationFailure.Retries:
    /// start it again and go on with the resources after it. Beyond that: stop what started on N (reverse order, the failed resource
    /// included since it may be half started); then fail the group over to its first other online server while the group's
    /// failover count is under OnActivationFailure.Failovers; else the group is Failed on N and the final action runs.</summary>
    public static Plan StartFailed(ClusterConfig config, ClusterState state, ResourceStartFailed ev)
    {
        var group = config.FindGroup(ev.Group);
        var resource = group?.FindResource(ev.Resource);
        if (group == null || resource == null) return Plan.Nothing($"Resource {ev.Group}/{ev.Resource} is not defined in the configuration; the report is ignored.");
        var st = GroupPlans.Group(state, group.Name);
        if (st.Owner != ev.Node || st.State is not (GroupState.Starting or GroupState.Online))
            return Plan.Nothing($"Group {group.Name} is {GroupPlans.Lower(st.State)}{(st.Owner != null ? " on " + st.Owner : "")}, so the start failure of {resource.Name} reported by {ev.Node} is stale and ignored.");

        var failures = Math.Max(1, GroupPlans.Resource(st, resource.Name).StartFailures);
        var policy = resource.OnActivationFailure;
        var node = ev.Node;
        var actions = new List<PlanAction> { PolicyAlerts.ResourceStartFailed(node, resource.Name, ev.Reason) };

        if (failures <= policy.Retries)
        {
            actions.Add(new StartResource(node, group.Name, resource.Name));
            var order = DependencyOrder.StartOrder(group);
            foreach (var r in order.SkipWhile(r => r.Name != resource.Name).Skip(1))
                if (GroupPlans.Resource(st, r.Name).State != ResourceState.Online) actions.Add(new StartResource(node, group.Name, r.Name));
            if (st.State == GroupState.Starting) actions.Add(new SetGroupState(node, group.Name, GroupState.Online, node));
            return new Plan(actions, $"Resource {resource.Name} of group {group.Name} failed to start on {node} (failure {failures}); " +
                $"it is retried there (retry {failures} of {policy.Retries}) and the resources after it start next.");
        }

        var target = Placement.FirstOnline(group, state, node);
        var failover = st.Failovers < policy.Failovers && target != null;
        actions.Add(new SetGroupState(node, group.Name, GroupState.Stopping, node, failover ? target : null));
        actions.AddRange(GroupPlans.StopStarted(group, st, node));
        var retried = policy.Retries == 0 ? "with no retry configured" : $"after {policy.Retries} retr{(policy.Retries == 1 ? "y" : "ies")}";
        if (failover)
        {
            actions.Add(PolicyAlerts.GroupMoving(target!, group.Name, node, target!));
            actions.Add(new RecordCounter(target!, Counters.GroupSubject(group.Name), Counters.Failovers, st.Failovers + 1));
            GroupPlans.AddStart(actions, group, state, target!, node);
            return new Plan(actions, $"Resource {resource.Name} of group {group.Name} failed to start on {node} {retried}; " +
                $"what started there is stopped and the group fails over to {target} (failover {st.Failovers + 1} of {policy.Failovers}).");
        }

        actions.Add(new SetGroupState(node, group.Name, GroupState.Failed, node));
        actions.Add(PolicyAlerts.GroupStartFailed(node, group.Name));
        var why = policy.Failovers == 0 ? "it allows no failover"
            : st.Failovers >= policy.Failovers
            ? $"its failover threshold is used up ({st.Failovers} of {policy.Failovers})"
            : "no other server of its failover policy is online";
        actions.AddRange(FinalAction(node, policy.FinalAction, $"resource {resource.Name} of group {group.Name} failed to start", out var outcome));
        return new Plan(actions, $"Resource {resource.Name} of group {group.Name} failed to start on {node} {retried} and {why}; " +
            $"what started there is stopped, the group is failed and {outcome}.");
    }

    /// <summary>Final actions after a failure on a node. stopGroup needs nothing more (the plan already stopped the group);
    /// none nothing at all; the others take the node out.</summary>
    internal static IEnumerable<PlanAction> FinalAction(string node, string action, string reason, out string outcome)
    {
        switch (action)
        {
            case FinalActions.StopService:
            case FinalActions.Shutdown:
            case FinalActions.Reboot:
                outcome = $"the final action {action} runs on {node}";
                return new PlanAction[] { new RunFinalAction(node, action, reason) };
            case FinalActions.StopGroup:
                outcome = "the final action stopGroup leaves it stopped";
                return Array.Empty<PlanAction>();
            default:
                outcome = "the final action is none, so it stays failed until an operator acts";
                return Array.Empty<PlanAction>();
        }
    }

    /// <summary>A resource failed to stop on N. Retries first (StopFailures, already counting this failure, up to
    /// OnDeactivationFailure.Retries): stop it again and go on. Beyond that the group is Failed on N and never starts elsewhere
    /// while it may still run there: with fencing another online node fences N, waits until it is down, and only then starts the
    /// group elsewhere (when it was meant to keep running) or marks it offline (when it was being stopped for good); without
    /// fencing N runs OnDeactivationFailure.FinalAction (stopService, shutdown, reboot: the group then recovers through NodeLost
    /// and its wait), and none leaves the group failed and blocked.</summary>
    public static Plan StopFailed(ClusterConfig config, ClusterState state, ResourceStopFailed ev)
    {
        var group = config.FindGroup(ev.Group);
        var resource = group?.FindResource(ev.Resource);
        if (group == null || resource == null) return Plan.Nothing($"Resource {ev.Group}/{ev.Resource} is not defined in the configuration; the report is ignored.");
        var st = GroupPlans.Group(state, group.Name);
        if (st.Owner != ev.Node || st.State is GroupState.Offline or GroupState.Pending)
            return Plan.Nothing($"Group {group.Name} is {GroupPlans.Lower(st.State)}{(st.Owner != null ? " on " + st.Owner : "")}, so the stop failure of {resource.Name} reported by {ev.Node} is stale and ignored.");

        var node = ev.Node;
        var failures = Math.Max(1, GroupPlans.Resource(st, resource.Name).StopFailures);
        var policy = resource.OnDeactivationFailure;
        var actions = new List<PlanAction> { PolicyAlerts.ResourceStopFailed(node, resource.Name, ev.Reason) };

        if (failures <= policy.Retries)
        {
            actions.Add(new StopResource(node, group.Name, resource.Name));
            string then;
            if (st.State == GroupState.Online)
            {
                // A monitor restarted this resource: after the stop, start it and its dependents again.
                actions.AddRange(DependencyOrder.WithDependents(group, resource.Name).Select(r => (PlanAction)new StartResource(node, group.Name, r.Name)));
                then = "then it and its dependents start again (the restart a monitor asked for)";
            }
            else
            {
                foreach (var r in DependencyOrder.StopOrder(group).SkipWhile(r => r.Name != resource.Name).Skip(1))
                    if (GroupPlans.Resource(st, r.Name).State != ResourceState.Offline) actions.Add(new StopResource(node, group.Name, r.Name));
                var next = st.Next != null && (st.Next == node || Placement.IsServerOf(group, st.Next) && Placement.IsOnline(state, st.Next)) ? st.Next : null;
                if (next != null)
                {
                    GroupPlans.AddStart(actions, group, state, next, node);
                    then = $"the resources after it stop and the group starts on {next} as planned";
                }
                else
                {
                    actions.Add(new SetGroupState(node, group.Name, GroupState.Offline, null));
                    then = "the resources after it stop and the group is offline";
                }
            }
            return new Plan(actions, $"Resource {resource.Name} of group {group.Name} failed to stop on {node} (failure {failures}); " +
                $"the stop is retried (retry {failures} of {policy.Retries}), {then}.");
        }

        var wantsToRun = st.Next != null || st.State == GroupState.Online;
        var target = !wantsToRun ? null
            : st.Next != null && st.Next != node && Placement.IsServerOf(group, st.Next) && Placement.IsOnline(state, st.Next) ? st.Next
            : Placement.FirstOnline(group, state, node);
        var failedNext = wantsToRun ? target ?? node : null;
        actions.Add(new SetGroupState(node, group.Name, GroupState.Failed, node, failedNext));
        var what = $"resource {resource.Name} of group {group.Name} failed to stop";
        var retried = policy.Retries == 0 ? "" : $" after {policy.Retries} retr{(policy.Retries == 1 ? "y" : "ies")}";

        if (config.Cluster.Fencing.IsEnabled)
        {
            var fencer = target ?? Placement.Coordinator(config, state, node);
            if (fencer == node || !Placement.IsOnline(state, fencer))
            {
                actions.Add(PolicyAlerts.GroupBlocked(node, group.Name, node, $"resource {resource.Name} could not be stopped and no other node is online to fence {node}."));
                return new Plan(actions, $"Resource {resource.Name} of group {group.Name} failed to stop on {node}{retried}; fencing is configured but no other node is online to fence {node}, so the group stays failed and blocked there.");
            }
            actions.Add(new FenceNode(fencer, node, what));
            actions.Add(new WaitForNodeDown(fencer, node));
            string outcome;
            if (target != null)
            {
                actions.Add(PolicyAlerts.GroupMoving(target, group.Name, node, target));
                GroupPlans.AddStart(actions, group, state, target, node);
                outcome = $"only then does the group start on {target}";
            }
            else if (wantsToRun)
            {
                actions.Add(new SetGroupState(fencer, group.Name, GroupState.Pending, null));
                actions.Add(PolicyAlerts.NoServer(fencer, group.Name));
                outcome = "no other server can take the group, which waits as pending";
            }
            else
            {
                actions.Add(new SetGroupState(fencer, group.Name, GroupState.Offline, null));
                outcome = "the group, which was being stopped, is then offline";
            }
            return new Plan(actions, $"Resource {resource.Name} of group {group.Name} failed to stop on {node}{retried} and may still run there; " +
                $"{fencer} fences {node} and waits until it is down, {outcome}.");
        }

        var action = policy.FinalAction;
        if (action is FinalActions.StopService or FinalActions.Shutdown or FinalActions.Reboot)
        {
            actions.Add(new RunFinalAction(node, action, what));
            return new Plan(actions, $"Resource {resource.Name} of group {group.Name} failed to stop on {node}{retried} and fencing is off; " +
                $"{node} takes itself out with the final action {action}, and the group is not started elsewhere before {node} is confirmed down.");
        }
        actions.Add(PolicyAlerts.GroupBlocked(node, group.Name, node, $"resource {resource.Name} could not be stopped, fencing is off and the final action is {action}; stop it by hand, then stop the group."));
        return new Plan(actions, $"Resource {resource.Name} of group {group.Name} failed to stop on {node}{retried}, fencing is off and the final action is {action}; " +
            "the group stays failed and blocked there and is never started elsewhere.");
    }
}
