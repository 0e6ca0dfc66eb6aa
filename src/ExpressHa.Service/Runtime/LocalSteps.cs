using ExpressHa.Api;
using ExpressHa.Policy;
using ExpressHa.Service.Alerts;

namespace ExpressHa.Service.Runtime;

/// <summary>Carries out the steps addressed to this node, from its own coordinator or a peer's: the operator's control
/// steps (service state, monitor suspension and pseudo-failure, kill) here, plan steps through the
/// <see cref="ActionRunner"/>.</summary>
public sealed class LocalSteps(string self, ActionRunner runner, MonitorHost monitors, NodeStopper stopper, ServiceLifecycle life, NodeView view,
    IAlertSink alerts, Action changed)
{
    /// <summary>The steps in order; the first failure ends the batch.</summary>
    public async Task<StepsOutcome> RunAllAsync(IReadOnlyList<PlanAction> steps, CancellationToken ct)
    {
        for (var i = 0; i < steps.Count; i++)
        {
            var outcome = await RunAsync(steps[i], ct);
            if (!outcome.Ok) return StepsOutcome.Failed(i, StepsOutcome.ReasonOf(outcome));
        }
        return StepsOutcome.Done;
    }

    public async Task<ActionOutcome> RunAsync(PlanAction step, CancellationToken ct)
    {
        switch (step)
        {
            case SetMonitorSuspended s:
                monitors.Suspend(s.Monitor, s.Suspended);
                return ActionOutcome.Done(s.Describe());
            case SetMonitorPseudoFailure s:
                if (!monitors.SetPseudoFailure(s.Monitor, s.Failing)) return new ActionOutcome(false, $"monitor {s.Monitor} does not run on {self}");
                if (s.Failing) alerts.Raise(AlertEvents.Monitor.Warning, AlertEvents.Monitor.PseudoFailureSetId, $"Pseudo-failure of monitor {s.Monitor} started on {self}.");
                else alerts.Raise(AlertEvents.Monitor.PseudoFailureCleared, $"Pseudo-failure of monitor {s.Monitor} ended on {self}.");
                return ActionOutcome.Done(s.Describe());
            case KillService s:
                alerts.Raise(AlertEvents.Pm.Killed, $"The cluster service on {self} is killed on request (operation test).");
                _ = Task.Run(async () =>
                {
                    await Task.Delay(300, CancellationToken.None); // lets the answer reach the caller first
                    System.Diagnostics.Process.GetCurrentProcess().Kill();
                }, CancellationToken.None);
                return ActionOutcome.Done(s.Describe());
            case SetServiceState { State: ServiceState.Running or ServiceState.Suspended } s:
                life.State = s.State;
                monitors.SuspendAll(s.State == ServiceState.Suspended);
                changed();
                alerts.Raise(s.State == ServiceState.Suspended ? AlertEvents.Pm.Suspended : AlertEvents.Pm.Resumed,
                    $"The cluster service on {self} is {s.State.Wire()}.");
                return ActionOutcome.Done(s.Describe());
            case SetServiceState { State: ServiceState.Stopped } s:
                life.State = ServiceState.Stopped;
                life.ClusterStarted = false;
                changed();
                ActionOutcome? failure = null;
                var stopped = await stopper.RunAsync(stopper.Decide(view.CurrentState(), NodeStopCause.ClusterStop), goOn: false, o => failure = o, ct);
                if (!stopped.Ok) return failure!;
                alerts.Raise(AlertEvents.Pm.StoppedByOperator, $"The cluster service on {self} is stopped; its groups are offline.");
                return ActionOutcome.Done(s.Describe());
            case SetServiceState s:
                return new ActionOutcome(false, $"a service cannot be set {s.State.Wire()} by a step; it stops by itself");
            default:
                var outcome = await runner.RunAsync(step, ct);
                if (outcome.Ok && step is StartResource started) monitors.RearmMonitorsOf(started.Resource);
                return outcome;
        }
    }
}
