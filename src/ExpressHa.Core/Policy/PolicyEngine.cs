using System;
using System.Collections.Generic;
using System.Linq;
using ExpressHa.Config;

namespace ExpressHa.Policy;

/// <summary>The policy engine: a pure function of (config, cluster state, event) to a plan. No I/O, no clock, no randomness, and
/// it never changes the state it is given; every list it builds follows config order, so the same input gives the same plan.
/// <para>Conventions the runtime follows (see docs in each file):</para>
/// <list type="bullet">
/// <item>Events are decided one at a time, against the state as it is after the previous plan's steps were applied. A plan's
/// steps run strictly in order, each on its <see cref="PlanAction.Node"/>; a failed step aborts the rest and comes back as an
/// event (ResourceStartFailed, ResourceStopFailed).</item>
/// <item>Counters: before deciding ResourceStartFailed / ResourceStopFailed the runtime increments the resource's StartFailures /
/// StopFailures (so the first failure is seen as 1). It resets them when the resource then starts / stops successfully and when its
/// group enters Starting. Every other counter (group failovers, monitor restarts and failovers) changes only through RecordCounter.</item>
/// <item>WaitForNodeDown blocks every later step of the plan until the lost node is fenced or confirmed down
/// (NodeStatus.ConfirmedDown). It returns at once when that is already true. NodeDownConfirmed and fencing results update the
/// state directly: they must not queue behind the plan that waits for them. Fencing a LOST node is the fencing subsystem's own job
/// (with its delays and race check); plans only ask for fencing (FenceNode) of a node that is still alive but failed to stop a resource.</item>
/// <item>SetGroupState sets state, owner and GroupStatus.Next exactly as given; entering Starting on a node raises the generation
/// (when the owner changes) and resets the group's resource states to Offline and their failure counts to 0.</item>
/// </list></summary>
public static class PolicyEngine
{
    public static Plan Decide(ClusterConfig config, ClusterState state, PolicyEvent ev)
    {
        if (config == null) throw new ArgumentNullException(nameof(config));
        if (state == null) throw new ArgumentNullException(nameof(state));
        return ExplainWaits(Dispatch(config, state, ev), ev);
    }

    static Plan Dispatch(ClusterConfig config, ClusterState state, PolicyEvent ev) => ev switch
    {
        ClusterStarted => NodePolicy.ClusterStarted(config, state),
        NodeLost e => NodePolicy.NodeLost(config, state, e.Node),
        NodeDownConfirmed e => Plan.Nothing($"Server {e.Node} is confirmed down; plans waiting for it (WaitForNodeDown) go on, nothing new is planned."),
        NodeJoined e => NodePolicy.NodeJoined(config, state, e.Node),
        NodeStopping e => NodePolicy.NodeStopping(config, state, e.Node, e.Cause),
        GroupReleased e => ReleasePolicy.Released(config, state, e.Group),
        NodeSuspended e => Plan.Nothing($"Server {e.Node} is suspended for maintenance: its groups keep running where they are and nothing moves."),
        NodeResumed e => NodePolicy.NodeResumed(config, state, e.Node),
        GroupStartRequested e => OperatorPolicy.Start(config, state, e),
        GroupStopRequested e => OperatorPolicy.Stop(config, state, e),
        GroupMoveRequested e => OperatorPolicy.Move(config, state, e),
        ResourceStartFailed e => FailurePolicy.StartFailed(config, state, e),
        ResourceStopFailed e => FailurePolicy.StopFailed(config, state, e),
        MonitorFailed e => MonitorPolicy.Failed(config, state, e),
        MonitorRecovered e => MonitorPolicy.Recovered(config, state, e),
        null => throw new ArgumentNullException(nameof(ev)),
        _ => Plan.Nothing($"The policy engine has no rule for {ev.GetType().Name}; nothing is done."),
    };

    /// <summary>Says in the reason why the plan waits for lost nodes the event itself does not name (safety rule 1).</summary>
    static Plan ExplainWaits(Plan plan, PolicyEvent ev)
    {
        var named = ev switch { NodeLost e => e.Node, ResourceStopFailed e => e.Node, _ => null };
        var others = plan.Actions.OfType<WaitForNodeDown>().Select(w => w.LostNode).Where(n => n != named).Distinct().ToList();
        if (others.Count == 0) return plan;
        var list = string.Join(" and ", others);
        return new Plan(plan.Actions, plan.Reason + $" Before any start it waits until {list} {(others.Count == 1 ? "is" : "are")} fenced or confirmed down, " +
            $"since a lost node may still run the group.");
    }
}
