using System;
using System.Collections.Generic;
using System.Linq;
using ExpressHa.Config;

namespace ExpressHa.Policy;

/// <summary>Monitor errors: restart the recovery target on the node (up to Recovery.Restarts), then fail its group over (up to
/// Recovery.Failovers), then the final action.</summary>
internal static class MonitorPolicy
{
    public const string Local = RecoverySettings.LocalServer;

    /// <summary>The recovery target's name: Recovery.Target, else the monitor's target, else the local server.</summary>
    public static string RecoveryTarget(MonitorConfig m) => m.EffectiveRecoveryTarget;

    /// <summary>The group the recovery acts on: the named group, or the group of the named resource; null for local.</summary>
    public static GroupConfig? RecoveryGroup(ClusterConfig config, MonitorConfig m)
    {
        var target = RecoveryTarget(m);
        if (target == Local) return null;
        if (config.FindGroup(target) is { } g) return g;
        config.FindResource(target, out var owner);
        return owner;
    }

    /// <summary>The group whose activity decides when an "active" monitor runs: the group of its target resource (or the group it names).</summary>
    static GroupConfig? WatchedGroup(ClusterConfig config, MonitorConfig m)
    {
        if (m.Target == null) return RecoveryGroup(config, m);
        if (config.FindGroup(m.Target) is { } g) return g;
        config.FindResource(m.Target, out var owner);
        return owner;
    }

    public static Plan Failed(ClusterConfig config, ClusterState state, MonitorFailed ev)
    {
        var m = config.FindMonitor(ev.Monitor);
        if (m == null) return Plan.Nothing($"Monitor {ev.Monitor} is not defined in the configuration; the report is ignored.");
        var ms = GroupPlans.Monitor(state, m.Name);
        var node = ev.Node;
        if (ms.State == MonitorState.Suspended) return Plan.Nothing($"Monitor {m.Name} is suspended; its failure on {node} is ignored.");
        if (!Placement.IsOnline(state, node))
            return Plan.Nothing($"Server {node} is {GroupPlans.Lower(GroupPlans.Node(state, node).State)}, not online; the failure of monitor {m.Name} there is ignored.");

        if (m.Timing == MonitorTimings.Active)
        {
            var watched = WatchedGroup(config, m);
            var ws = watched == null ? null : GroupPlans.Group(state, watched.Name);
            if (watched == null || ws!.State != GroupState.Online || ws.Owner != node)
                return Plan.Nothing($"Monitor {m.Name} runs only while {m.Target ?? RecoveryTarget(m)} is active, and group {watched?.Name ?? "?"} is not online on {node}; the failure is not counted.");
        }

        var alert = PolicyAlerts.MonitorFailed(node, m.Name, ev.Reason);
        var target = RecoveryTarget(m);
        if (target == Local) return LocalRecovery(config, state, m, ms, node, alert);

        var group = RecoveryGroup(config, m);
        if (group == null)
            return new Plan(new PlanAction[] { alert }, $"Monitor {m.Name} failed on {node}, but its recovery target {target} does not exist; only an alert is raised.");
        var gs = GroupPlans.Group(state, group.Name);
        if (gs.State != GroupState.Online || gs.Owner != node)
            return new Plan(new PlanAction[] { alert }, $"Monitor {m.Name} failed on {node}, where group {group.Name} is not online ({GroupPlans.Lower(gs.State)}{(gs.Owner != null ? " on " + gs.Owner : "")}); only an alert is raised.");

        var subject = Counters.MonitorSubject(m.Name);
        var rec = m.Recovery;
        var actions = new List<PlanAction> { alert };
        if (ms.Restarts < rec.Restarts)
        {
            actions.Add(new RecordCounter(node, subject, Counters.Restarts, ms.Restarts + 1));
            var resource = group.FindResource(target);
            if (resource != null)
            {
                var set = DependencyOrder.WithDependents(group, resource.Name);
                actions.AddRange(set.Reverse().Select(r => (PlanAction)new StopResource(node, group.Name, r.Name)));
                actions.AddRange(set.Select(r => (PlanAction)new StartResource(node, group.Name, r.Name)));
            }
            else
            {
                actions.AddRange(GroupPlans.Stop(group, node, node));
                GroupPlans.AddStart(actions, group, state, node);
            }
            var what = resource != null ? $"resource {resource.Name} and what depends on it are" : $"group {group.Name} is";
            return new Plan(actions, $"Monitor {m.Name} failed on {node}; {what} restarted there (restart {ms.Restarts + 1} of {rec.Restarts}).");
        }

        var to = Placement.FirstOnline(group, state, node);
        if (ms.Failovers < rec.Failovers && to != null)
        {
            var between = new List<PlanAction>
            {
                PolicyAlerts.GroupMoving(to, group.Name, node, to),
                new RecordCounter(to, subject, Counters.Failovers, ms.Failovers + 1),
            };
            if (ms.Restarts != 0) between.Add(new RecordCounter(to, subject, Counters.Restarts, 0));
            GroupPlans.AddRelocate(actions, group, state, node, to, between);
            return new Plan(actions, $"Monitor {m.Name} failed on {node} and its restart threshold is used up ({ms.Restarts} of {rec.Restarts}); " +
                $"group {group.Name} fails over to {to} (failover {ms.Failovers + 1} of {rec.Failovers}).");
        }

        var why = ms.Failovers >= rec.Failovers
            ? $"its restart and failover thresholds are used up ({ms.Restarts} of {rec.Restarts} restarts, {ms.Failovers} of {rec.Failovers} failovers)"
            : $"its restart threshold is used up ({ms.Restarts} of {rec.Restarts}) and no other server of group {group.Name} is online";
        return FinalAction(m, node, why, actions, new[] { group });
    }

    /// <summary>Local recovery has no restart step: the groups the node runs fail over (under the failover threshold), else the
    /// final action runs on the node (even when it runs nothing: a standby whose own check fails takes itself out).</summary>
    static Plan LocalRecovery(ClusterConfig config, ClusterState state, MonitorConfig m, MonitorStatus ms, string node, PlanAction alert)
    {
        var rec = m.Recovery;
        var actions = new List<PlanAction> { alert };
        var owned = config.Groups.Where(g => GroupPlans.Group(state, g.Name) is { State: GroupState.Online } s && s.Owner == node).ToList();
        var moves = owned.Select(g => (Group: g, To: Placement.FirstOnline(g, state, node))).Where(x => x.To != null).ToList();
        if (ms.Failovers < rec.Failovers && moves.Count > 0)
        {
            actions.Add(new RecordCounter(moves[0].To!, Counters.MonitorSubject(m.Name), Counters.Failovers, ms.Failovers + 1));
            foreach (var (g, to) in moves)
                GroupPlans.AddRelocate(actions, g, state, node, to!, new PlanAction[] { PolicyAlerts.GroupMoving(to!, g.Name, node, to!) });
            return new Plan(actions, $"Monitor {m.Name} failed on {node} and recovers the local server; its groups fail over " +
                $"({string.Join(", ", moves.Select(x => x.Group.Name + " to " + x.To))}, failover {ms.Failovers + 1} of {rec.Failovers}).");
        }
        var why = owned.Count == 0 ? $"{node} runs no group to fail over"
            : moves.Count == 0 ? "no other server can take its groups"
            : $"its failover threshold is used up ({ms.Failovers} of {rec.Failovers})";
        return FinalAction(m, node, why, actions, owned);
    }

    static Plan FinalAction(MonitorConfig m, string node, string why, List<PlanAction> actions, IReadOnlyList<GroupConfig> groups)
    {
        var action = m.Recovery.FinalAction;
        string outcome;
        switch (action)
        {
            case FinalActions.StopService:
            case FinalActions.Shutdown:
            case FinalActions.Reboot:
                actions.Add(new RunFinalAction(node, action, $"monitor {m.Name} failed"));
                outcome = $"the final action {action} runs on {node}";
                break;
            case FinalActions.StopGroup when groups.Count > 0:
                foreach (var g in groups.Reverse())
                {
                    actions.Add(new SetGroupState(node, g.Name, GroupState.Stopping, node));
                    actions.AddRange(DependencyOrder.StopOrder(g).Select(r => (PlanAction)new StopResource(node, g.Name, r.Name)));
                    actions.Add(new SetGroupState(node, g.Name, GroupState.Failed, node));
                }
                outcome = $"the final action stopGroup stops {string.Join(", ", groups.Select(g => g.Name))} on {node} and leaves {(groups.Count == 1 ? "it" : "them")} failed";
                break;
            default:
                actions.Add(PolicyAlerts.MonitorNoRecovery(node, m.Name, $"{why}, and the final action is {action}."));
                outcome = $"the final action is {action}, so only alerts are raised";
                break;
        }
        return new Plan(actions, $"Monitor {m.Name} failed on {node} and {why}; {outcome}.");
    }

    public static Plan Recovered(ClusterConfig config, ClusterState state, MonitorRecovered ev)
    {
        var m = config.FindMonitor(ev.Monitor);
        if (m == null) return Plan.Nothing($"Monitor {ev.Monitor} is not defined in the configuration; the report is ignored.");
        var ms = GroupPlans.Monitor(state, m.Name);
        if (ms.Restarts == 0)
            return Plan.Nothing($"Monitor {m.Name} recovered on {ev.Node}; its restart count is already zero, nothing to reset.");
        return new Plan(new PlanAction[] { new RecordCounter(ev.Node, Counters.MonitorSubject(m.Name), Counters.Restarts, 0) },
            $"Monitor {m.Name} recovered on {ev.Node}; its restart count is reset (its failover count is kept, so a flapping target cannot fail over back and forth forever).");
    }
}
