using ExpressHa.Api;
using ExpressHa.Policy;
using ExpressHa.Service.Alerts;
using ExpressHa.Service.Heartbeat;

namespace ExpressHa.Service.Runtime;

/// <summary>The coordinator loop: one event at a time, state in, plan out (PolicyEngine), plan carried out step by step
/// on the nodes it names. Only the coordinator acts on cluster events; every node answers its own steps.</summary>
public sealed class Coordinator(ConfigStore config, string self, WorkQueue work, NodeView view, ServiceLifecycle life, MembershipState members,
    LocalSteps steps, PeerClients peers, StaleOwnershipGuard stale, IAlertSink alerts, NodeClock clock, Action changed)
{
    readonly Dictionary<(string Node, string Monitor), long> _seenErrors = new();
    readonly Dictionary<(string Node, string Monitor), string> _lastMonitorState = new();
    long _startedAtMs = -1;

    long Now => clock.NowMs;

    /// <summary>How long a starting cluster waits for every server before it starts groups.</summary>
    public long StartupWaitMs => Math.Max(3L * config.Current.Cluster.Heartbeat.TimeoutMs, 5000);

    /// <summary>Start-HaCluster: the servers already answered, so the startup wait is over.</summary>
    public void EndStartupWait() => _startedAtMs = Now - StartupWaitMs;

    public async Task RunAsync(CancellationToken ct)
    {
        _startedAtMs = Now;
        try
        {
            await foreach (var w in work.ReadAllAsync(ct))
            {
                try
                {
                    while (stale.Holding) await Task.Delay(20, ct);
                    switch (w)
                    {
                        case StopStale s:
                            await stale.StopAsync(s, steps, ct);
                            break;
                        case Reconcile:
                            work.ReconcileTaken();
                            if (life.State == ServiceState.Running && view.IsCoordinator) await ReconcileAsync(ct);
                            break;
                        case PolicyWork pw when pw.Reply != null || view.IsCoordinator:
                            await DecideAndRunAsync(pw.Event, pw.Reply, ct, depth: 0);
                            break;
                    }
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
                catch (Exception ex)
                {
                    alerts.Raise(AlertEvents.Pm.CoordinatorFailed, $"The coordinator failed on {w}: {ex.Message}");
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    async Task ReconcileAsync(CancellationToken ct)
    {
        if (!life.ClusterStarted)
        {
            // Checked again on one view: a peer that joined since the loop's check may coordinate now.
            var inputs = view.Inputs();
            var allJoined = inputs.Peers.States.Values.All(s => s == Membership.PeerState.Online);
            if (ClusterView.Coordinator(inputs) != self) return;
            // Like the products this follows, wait a while for every server before starting groups, so a node that
            // boots a little later does not find its group already started elsewhere.
            if (allJoined || Now - _startedAtMs >= StartupWaitMs)
            {
                life.ClusterStarted = true;
                changed();
                await DecideAndRunAsync(new ClusterStarted(), null, ct, 0);
            }
            return;
        }

        var failures = new List<PolicyEvent>();
        var reports = new List<HeartbeatReport> { view.Inputs().SelfReport };
        reports.AddRange(members.OnlineReports());
        foreach (var r in reports)
            foreach (var m in r.Monitors)
            {
                var key = (r.Node, m.Name);
                var seen = _seenErrors.GetValueOrDefault(key);
                var wasError = _lastMonitorState.GetValueOrDefault(key) == MonitorStates.Error;
                if (m.State == MonitorStates.Error && m.ErrorCount > seen) failures.Add(new MonitorFailed(m.Name, r.Node, m.Message ?? "monitor error"));
                else if (m.State == MonitorStates.Normal && wasError) failures.Add(new MonitorRecovered(m.Name, r.Node));
                _seenErrors[key] = Math.Max(seen, m.ErrorCount);
                _lastMonitorState[key] = m.State;
            }
        foreach (var f in failures) await DecideAndRunAsync(f, null, ct, 0);
        // Between plans only: a move's own stop half never shows up here as released.
        if (ViewComplete())
            foreach (var g in ReleasePolicy.ToStart(config.Current, view.CurrentState())) await DecideAndRunAsync(new GroupReleased(g), null, ct, 0);
    }

    /// <summary>Every peer was heard (or lost) since this service started, or the startup wait is over. A service that just
    /// started may see its own released leftover as the newest record of a group before it hears the node that runs it
    /// under a newer generation; released groups wait for this.</summary>
    public bool ViewComplete() => members.AllHeard() || (_startedAtMs >= 0 && Now - _startedAtMs >= StartupWaitMs);

    async Task DecideAndRunAsync(PolicyEvent ev, TaskCompletionSource<Plan>? reply, CancellationToken ct, int depth)
    {
        var plan = PolicyEngine.Decide(config.Current, view.CurrentState(), ev);
        reply?.TrySetResult(plan);
        if (plan.IsEmpty)
        {
            if (ev is not ClusterStarted and not NodeJoined and not MonitorRecovered and not GroupReleased) alerts.Log("policy", $"{ev}: {plan.Reason}");
            return;
        }
        alerts.Log("policy", $"{ev} -> {plan}");
        var i = 0;
        while (i < plan.Actions.Count)
        {
            var node = plan.Actions[i].Node;
            var batch = plan.Actions.Skip(i).TakeWhile(a => a.Node == node).ToList();
            i += batch.Count;
            var outcome = node == self ? await steps.RunAllAsync(batch, ct) : await peers.RunStepsAsync(node, batch, ct);
            if (outcome.Ok) continue;
            var failed = batch[Math.Clamp(outcome.FailedIndex!.Value, 0, batch.Count - 1)];
            PolicyEvent? next = failed switch
            {
                StartResource s => new ResourceStartFailed(s.Group, s.Resource, s.Node, outcome.Reason),
                StopResource s => new ResourceStopFailed(s.Group, s.Resource, s.Node, outcome.Reason),
                _ => null,
            };
            alerts.Log("policy", $"plan for {ev} stopped at '{failed.Describe()}': {outcome.Reason}");
            if (next == null) return;
            if (depth >= 20)
            {
                alerts.Raise(AlertEvents.Pm.RecoveryGivenUp, $"Giving up after {depth} recovery plans for {ev}; the group is left as it is.");
                return;
            }
            if (node != self) await WaitForFreshReportAsync(node, ct);
            await DecideAndRunAsync(next, null, ct, depth + 1);
            return;
        }
    }

    /// <summary>After a peer ran steps, its next heartbeat carries the result; wait for it (bounded) so the next decision sees it.</summary>
    async Task WaitForFreshReportAsync(string node, CancellationToken ct)
    {
        var before = members.LastReport(node)?.Seq ?? 0;
        var deadline = Now + 3L * config.Current.Cluster.Heartbeat.IntervalMs + 200;
        while (Now < deadline)
        {
            if ((members.LastReport(node)?.Seq ?? 0) > before) return;
            await Task.Delay(10, ct);
        }
    }
}
