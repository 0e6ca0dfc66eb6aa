using ExpressHa.Service.Partition;

namespace ExpressHa.Service.Runtime;

/// <summary>What this node does about a lost peer.</summary>
public enum LossAction
{
    /// <summary>Nothing here: another node fences (only the coordinator does).</summary>
    Nothing,
    /// <summary>This node lost partition resolution: it stops its groups and its service instead of taking anything over.</summary>
    StopSelf,
    /// <summary>Fence the lost node; it counts as down once fenced.</summary>
    Fence,
    /// <summary>No fencing: wait (the plan's time) until the lost node has stopped itself or its watchdog reset it, then
    /// count it as down if it is still lost.</summary>
    WaitThenTakeOver,
    /// <summary>Neither fencing nor partition resolution (an unsafe setup the validator warns about): it counts as down at once.</summary>
    TakeOver,
}

public sealed record LossVerdict(LossAction Action, string Reason, LostNodeWaitPlan? Wait = null);

/// <summary>The facts the loss decision needs. <see cref="Resolution"/> is the verdict of partition resolution when
/// it is configured (run before this decision), null otherwise; <see cref="Wait"/> what the lost-node wait needs.</summary>
public sealed record LossInputs
{
    public required bool FencingEnabled { get; init; }
    public PartitionVerdict? Resolution { get; init; }
    public required bool IsCoordinator { get; init; }
    public required LostNodeWaitInputs Wait { get; init; }
}

/// <summary>What happens when a peer is lost, before any group moves. In order:
/// <code>
/// resolution     fencing  coordinator  action             why
/// configured,    any      any          StopSelf           this side may be the cut-off one: it steps down, takes nothing
///  lost
/// survived/none  on       yes          Fence              only a fenced node counts as down
/// survived/none  on       no           Nothing            the coordinator fences; its word arrives in heartbeats
/// survived       off      any          WaitThenTakeOver   the lost node stops itself once it loses resolution, or its
///                                                         watchdog resets it: wait that long (LostNodeWait)
/// none           off      any          TakeOver           unprotected (the validator warns): counts as down at once
/// </code>
/// Every node runs this; the NodeLost plan waits (WaitForNodeDown) until the node counts as down.</summary>
public static class LossDecision
{
    public static LossVerdict Decide(LossInputs i)
    {
        if (i.Resolution is { Survives: false } lost) return new(LossAction.StopSelf, lost.Reason);
        if (i.FencingEnabled)
            return i.IsCoordinator ? new(LossAction.Fence, "every heartbeat path timed out") : new(LossAction.Nothing, "the coordinator fences the lost node");
        var plan = LostNodeWait.Decide(i.Wait);
        return plan.Basis == WaitBasis.Unprotected ? new(LossAction.TakeOver, plan.Reason, plan) : new(LossAction.WaitThenTakeOver, plan.Reason, plan);
    }

    /// <summary>A peer restarted within the heartbeat timeout: fenced first when its old run may still run a group and
    /// fencing is on; otherwise it counts as down at once (without fencing this is unsafe for resources that outlive the
    /// service).</summary>
    public static LossAction ForRestart(bool ranSomething, bool fencingEnabled)
        => ranSomething && fencingEnabled ? LossAction.Fence : LossAction.TakeOver;
}
