using ExpressHa.Api;
using ExpressHa.Config;
using ExpressHa.Policy;
using ExpressHa.Service.Alerts;
using ExpressHa.Service.Fencing;
using ExpressHa.Service.Heartbeat;
using ExpressHa.Service.Partition;

namespace ExpressHa.Service.Runtime;

/// <summary>Acts on a lost or restarted peer as <see cref="LossDecision"/> says: runs partition resolution first when it
/// is configured, then fences, waits or counts the node as down at once. That a node counts as down travels in
/// heartbeats; the NodeLost plan waits for it.</summary>
public sealed class LossHandler(ConfigStore config, string self, MembershipState members, ServiceLifecycle life, PeerProofs proofs,
    Fencer fencer, PartitionResolver resolver, NodeView view, WorkQueue work, MirrorHost mirrors, IAlertSink alerts, NodeClock clock, Action changed)
{
    public async Task HandleLossAsync(string node)
    {
        try
        {
            var c = config.Current;
            var pr = c.Cluster.PartitionResolution;
            PartitionVerdict? verdict = null;
            if (pr.IsConfigured)
            {
                // Give the witness one interval to forget the lost node's last post (ping, tcp and majority have nothing to wait for).
                if (pr.Http != null) await Task.Delay(c.Cluster.Heartbeat.IntervalMs, life.Stopping);
                verdict = await resolver.ResolveAsync(c);
                if (!verdict.Survives && pr.Http != null && verdict.Methods.Any(m => m.Method == "http" && !m.Passed) && resolver.LastWitnessReachable)
                {
                    // The witness may still count the lost node's last post as recent (its posts and our heartbeats are
                    // not in step): look once more after half a timeout before giving up this node.
                    await Task.Delay(c.Cluster.Heartbeat.TimeoutMs / 2 + c.Cluster.Heartbeat.IntervalMs, life.Stopping);
                    verdict = await resolver.ResolveAsync(c);
                }
                foreach (var w in verdict.Warnings) alerts.Log("np", w);
                if (verdict.Survives)
                {
                    proofs.Survived(node);
                    alerts.Raise(AlertEvents.Np.Survives, $"Partition resolution after losing {node}: {self} survives ({verdict.Reason}).");
                }
            }
            var decision = LossDecision.Decide(new LossInputs
            {
                FencingEnabled = c.Cluster.Fencing.IsEnabled,
                Resolution = verdict,
                IsCoordinator = c.Cluster.Fencing.IsEnabled && view.IsCoordinator,
                Wait = WaitInputs(c, node, verdict != null ? resolver.WitnessSilenceOf(node) : null),
            });
            switch (decision.Action)
            {
                case LossAction.StopSelf:
                    LoseResolution(c, node, decision.Reason);
                    break;
                case LossAction.Fence:
                    var outcome = await fencer.FenceAsync(c, node, self, decision.Reason,
                        () => !members.IsOnline(node) && life.State == ServiceState.Running, life.Stopping);
                    if (outcome.Fenced) ConfirmDown(node, "it was fenced");
                    break;
                case LossAction.TakeOver:
                    ConfirmDown(node, decision.Reason);
                    break;
                case LossAction.WaitThenTakeOver:
                    var plan = decision.Wait!;
                    alerts.Raise(AlertEvents.Np.WaitWithoutFencing,
                        $"No fencing is configured: the groups of {node} start here after {plan.WaitMs} ms, because {plan.Reason}.",
                        plan.Basis == WaitBasis.Watchdog ? AlertLevels.Info : AlertLevels.Warning);
                    if (plan.WaitMs > 0) await Task.Delay(TimeSpan.FromMilliseconds(plan.WaitMs), life.Stopping);
                    if (!members.IsOnline(node))
                        ConfirmDown(node, plan.Basis == WaitBasis.Watchdog
                            ? "its watchdog has reset it (the bound has passed)"
                            : "it lost partition resolution and had the time to stop itself");
                    break;
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception ex)
        {
            alerts.Raise(AlertEvents.Np.LossHandlingFailed, $"Handling the loss of {node} failed: {ex.Message}; its groups stay down until it is confirmed down.");
        }
    }

    /// <summary>A peer restarted within the heartbeat timeout. Its new service knows nothing of what the old one
    /// started, but a crashed service leaves that running (an exec daemon, an address): only a restarted machine has
    /// really lost it. So when the old incarnation's last report may still run a group, the node counts as down only
    /// once it is fenced (by the coordinator), as for any lost node. Without fencing, or when it ran nothing (a group
    /// it released, stopped to move, runs nothing), it counts as down at once (without fencing this is unsafe for
    /// resources that outlive the service). Either way the NodeLost decision comes first, on the old report.</summary>
    public void HandleRestart(string node)
    {
        var ranSomething = members.LastReport(node) is HeartbeatReport old && old.Groups.Any(GroupRecords.MayRun);
        var fence = LossDecision.ForRestart(ranSomething, config.Current.Cluster.Fencing.IsEnabled) == LossAction.Fence;
        alerts.Raise(AlertEvents.Nm.NodeRestarted, fence
            ? $"Server {node} restarted within the heartbeat timeout while it ran a group; what its old service started may still run, so it counts as lost and is fenced before its groups move."
            : $"Server {node} restarted within the heartbeat timeout; it counts as lost.");
        if (!fence) members.ConfirmDown(node);
        work.Decide(new NodeLost(node));
        if (fence) _ = FenceRestartedAsync(node);
    }

    async Task FenceRestartedAsync(string node)
    {
        try
        {
            if (!view.IsCoordinator) return;
            var outcome = await fencer.FenceAsync(config.Current, node, self, "it restarted within the heartbeat timeout while it ran a group",
                () => life.State == ServiceState.Running, life.Stopping);
            if (outcome.Fenced) ConfirmDown(node, "it was fenced");
        }
        catch (OperationCanceledException) { }
        catch (Exception ex)
        {
            alerts.Raise(AlertEvents.Np.RestartedFenceFailed, $"Fencing the restarted {node} failed: {ex.Message}; its groups stay down until it is confirmed down.");
        }
    }

    /// <summary>A fencing step of a plan (a failed stop, an operator's request).</summary>
    public async Task<bool> FenceAsync(string target, string reason, CancellationToken ct)
    {
        var outcome = await fencer.FenceAsync(config.Current, target, self, reason, () => life.State == ServiceState.Running, ct);
        if (outcome.Fenced) ConfirmDown(target, "it was fenced");
        return outcome.Fenced;
    }

    /// <summary>A peer says these nodes are down: they count so here too (a plan waiting on one goes on).</summary>
    public void ConfirmedByPeer(IEnumerable<string> nodes)
    {
        foreach (var n in members.ConfirmDownFromPeer(nodes)) mirrors.PeerDown(n);
    }

    LostNodeWaitInputs WaitInputs(ClusterConfig c, string node, long? witnessSilence)
    {
        var pr = c.Cluster.PartitionResolution;
        var (sinceHeard, watchdogMs, leaseMs) = members.LossFacts(node, clock.NowMs, c.Cluster.Heartbeat.TimeoutMs);
        return new LostNodeWaitInputs
        {
            FencingEnabled = c.Cluster.Fencing.IsEnabled,
            ResolutionConfigured = pr.IsConfigured,
            HeartbeatIntervalMs = c.Cluster.Heartbeat.IntervalMs,
            HeartbeatTimeoutMs = c.Cluster.Heartbeat.TimeoutMs,
            ResolutionCheckMs = Math.Max(pr.Ping?.TimeoutMs ?? 0, Math.Max(pr.Tcp?.TimeoutMs ?? 0, pr.Http?.TimeoutMs ?? 0)),
            LostNodeWatchdogMs = watchdogMs,
            LostNodeProofLeaseMs = leaseMs,
            SinceLastHeardMs = sinceHeard,
            WitnessSilenceMs = witnessSilence,
        };
    }

    void ConfirmDown(string node, string why)
    {
        members.ConfirmDown(node);
        mirrors.PeerDown(node);
        changed();
        alerts.Raise(AlertEvents.Np.ConfirmedDown, $"{node} counts as down: {why}.");
    }

    void LoseResolution(ClusterConfig c, string lost, string reason)
    {
        var action = c.Cluster.PartitionResolution.Action;
        alerts.Raise(AlertEvents.Np.ResolutionLost, $"{self} lost partition resolution after losing {lost} ({reason}); it stops its groups and its cluster service" +
            (action == PartitionActions.StopService ? "." : $", then runs the {action} command."));
        life.LoseResolution(action switch
        {
            PartitionActions.Shutdown => c.Cluster.ShutdownCommand,
            PartitionActions.Reboot => c.Cluster.RebootCommand,
            _ => null,
        }, $"partition resolution lost ({reason})");
    }
}
