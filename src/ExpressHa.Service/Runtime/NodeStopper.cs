using ExpressHa.Policy;

namespace ExpressHa.Service.Runtime;

/// <summary>The one path for stopping what this node runs as it stops: the policy engine's NodeStopping plan (why the
/// node stops decides whether its groups move) and its steps for this node, in order. Used by the orderly stop of the
/// service, by Stop-HaNode/Stop-HaCluster, and at start for what a previous run left.</summary>
public sealed class NodeStopper(ConfigStore config, string self, ActionRunner runner)
{
    public Plan Decide(ClusterState state, NodeStopCause cause) => PolicyEngine.Decide(config.Current, state, new NodeStopping(self, cause));

    /// <summary>Runs the plan's steps for this node. <paramref name="goOn"/>: a failed step is reported to
    /// <paramref name="failed"/> and the next steps still run (an orderly stop stops what it can); otherwise the first
    /// failure ends the run. The outcome names the first failed step.</summary>
    public async Task<StepsOutcome> RunAsync(Plan plan, bool goOn, Action<ActionOutcome>? failed, CancellationToken ct)
    {
        var steps = plan.Actions.Where(a => a.Node == self).ToList();
        StepsOutcome first = StepsOutcome.Done;
        for (var i = 0; i < steps.Count; i++)
        {
            var outcome = await runner.RunAsync(steps[i], ct);
            if (outcome.Ok) continue;
            failed?.Invoke(outcome);
            if (first.Ok) first = StepsOutcome.Failed(i, outcome.Message);
            if (!goOn) break;
        }
        return first;
    }
}
