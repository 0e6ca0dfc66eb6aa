using System.Threading.Channels;
using ExpressHa.Service.Heartbeat;
using ExpressHa.Service.Membership;
using ExpressHa.Policy;

namespace ExpressHa.Service.Runtime;

/// <summary>The coordinator loop: one event at a time, state in, plan out (PolicyEngine), plan carried out step by step
/// on the nodes it names. Only the coordinator acts on cluster events; every node answers its own steps.</summary>
public sealed partial class NodeAgent
{
    abstract record Work;
    sealed record PolicyWork(PolicyEvent Event, TaskCompletionSource<Plan>? Reply = null) : Work;
    sealed record Reconcile : Work;

    readonly Channel<Work> _work = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
    readonly Dictionary<(string Node, string Monitor), long> _seenErrors = new();
    readonly Dictionary<(string Node, string Monitor), string> _lastMonitorState = new();
    int _reconcileQueued;

    long StartupWaitMs => Math.Max(3L * Config.Cluster.Heartbeat.TimeoutMs, 5000);
    long _startedAtMs = -1;

    void Enqueue(Work w)
    {
        if (w is Reconcile && Interlocked.Exchange(ref _reconcileQueued, 1) == 1) return;
        _work.Writer.TryWrite(w);
    }

    async Task CoordinatorLoop(CancellationToken ct)
    {
        _startedAtMs = Now;
        try
        {
            await foreach (var w in _work.Reader.ReadAllAsync(ct))
            {
                try
                {
                    while (Holding) await Task.Delay(20, ct);
                    if (w is StopStale stale)
                    {
                        await StopStaleAsync(stale, ct);
                        continue;
                    }
                    if (w is Reconcile)
                    {
                        Interlocked.Exchange(ref _reconcileQueued, 0);
                        if (_serviceState == "running" && IsCoordinator) await ReconcileAsync(ct);
                        continue;
                    }
                    var pw = (PolicyWork)w;
                    if (pw.Reply == null && !IsCoordinator) continue;
                    await DecideAndRunAsync(pw.Event, pw.Reply, ct, depth: 0);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
                catch (Exception ex)
                {
                    Alerts.Alert("error", "pm", 9, $"The coordinator failed on {w}: {ex.Message}");
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    async Task ReconcileAsync(CancellationToken ct)
    {
        if (!_clusterStarted)
        {
            bool allJoined, coordinator;
            lock (_gate)
            {
                allJoined = _membership.Peers.All(p => _membership.StateOf(p) == PeerState.Online);
                // Checked again with the same membership: a peer that joined since the loop's check may coordinate now.
                coordinator = CoordinatorUnlocked() == Self;
            }
            if (!coordinator) return;
            // Like the products this follows, wait a while for every server before starting groups, so a node that
            // boots a little later does not find its group already started elsewhere.
            if (allJoined || Now - _startedAtMs >= StartupWaitMs)
            {
                _clusterStarted = true;
                SendSoon();
                await DecideAndRunAsync(new ClusterStarted(), null, ct, 0);
            }
            return;
        }

        var failures = new List<PolicyEvent>();
        lock (_gate)
        {
            var reports = new List<HeartbeatReport> { BuildReportNoSeq() };
            foreach (var p in _membership.Peers)
                if (_membership.StateOf(p) == PeerState.Online && _membership.LastReport(p) is HeartbeatReport r) reports.Add(r);
            foreach (var r in reports)
                foreach (var m in r.Monitors)
                {
                    var key = (r.Node, m.Name);
                    var seen = _seenErrors.GetValueOrDefault(key);
                    var wasError = _lastMonitorState.GetValueOrDefault(key) == "error";
                    if (m.State == "error" && m.ErrorCount > seen) failures.Add(new MonitorFailed(m.Name, r.Node, m.Message ?? "monitor error"));
                    else if (m.State == "normal" && wasError) failures.Add(new MonitorRecovered(m.Name, r.Node));
                    _seenErrors[key] = Math.Max(seen, m.ErrorCount);
                    _lastMonitorState[key] = m.State;
                }
        }
        foreach (var f in failures) await DecideAndRunAsync(f, null, ct, 0);
        // Between plans only: a move's own stop half never shows up here as released.
        if (ViewComplete())
            foreach (var g in ReleasePolicy.ToStart(Config, CurrentState())) await DecideAndRunAsync(new GroupReleased(g), null, ct, 0);
    }

    /// <summary>Every peer was heard (or lost) since this service started, or the startup wait is over. A service that just
    /// started may see its own released leftover as the newest record of a group before it hears the node that runs it
    /// under a newer generation; released groups wait for this.</summary>
    bool ViewComplete()
    {
        lock (_gate) return _membership.Peers.All(p => _membership.StateOf(p) != PeerState.Offline) || (_startedAtMs >= 0 && Now - _startedAtMs >= StartupWaitMs);
    }

    async Task DecideAndRunAsync(PolicyEvent ev, TaskCompletionSource<Plan>? reply, CancellationToken ct, int depth)
    {
        var plan = PolicyEngine.Decide(Config, CurrentState(), ev);
        reply?.TrySetResult(plan);
        if (plan.IsEmpty)
        {
            if (ev is not ClusterStarted and not NodeJoined and not MonitorRecovered and not GroupReleased) Alerts.Log("policy", $"{ev}: {plan.Reason}");
            return;
        }
        Alerts.Log("policy", $"{ev} -> {plan}");
        var i = 0;
        while (i < plan.Actions.Count)
        {
            var node = plan.Actions[i].Node;
            var batch = plan.Actions.Skip(i).TakeWhile(a => a.Node == node).ToList();
            i += batch.Count;
            var (ok, failedIndex, reason) = node == Self ? await RunLocalAsync(batch, ct) : await RunRemoteAsync(node, batch, ct);
            if (ok) continue;
            var failed = batch[Math.Clamp(failedIndex, 0, batch.Count - 1)];
            PolicyEvent? next = failed switch
            {
                StartResource s => new ResourceStartFailed(s.Group, s.Resource, s.Node, reason),
                StopResource s => new ResourceStopFailed(s.Group, s.Resource, s.Node, reason),
                _ => null,
            };
            Alerts.Log("policy", $"plan for {ev} stopped at '{failed.Describe()}': {reason}");
            if (next == null) return;
            if (depth >= 20)
            {
                Alerts.Alert("error", "pm", 10, $"Giving up after {depth} recovery plans for {ev}; the group is left as it is.");
                return;
            }
            if (node != Self) await WaitForFreshReportAsync(node, ct);
            await DecideAndRunAsync(next, null, ct, depth + 1);
            return;
        }
    }

    async Task<(bool Ok, int FailedIndex, string Reason)> RunLocalAsync(IReadOnlyList<PlanAction> steps, CancellationToken ct)
    {
        for (var i = 0; i < steps.Count; i++)
        {
            // Control steps (service state, monitor suspension) too, as RunActionsAsync does for steps from a peer.
            var outcome = await RunControlAsync(steps[i], ct);
            if (!outcome.Ok) return (false, i, Reason(outcome));
        }
        return (true, -1, "");
    }

    static string Reason(ActionOutcome o) => o.Failure switch
    {
        ResourceStartFailed f => f.Reason,
        ResourceStopFailed f => f.Reason,
        _ => o.Message,
    };

    /// <summary>After a peer ran steps, its next heartbeat carries the result; wait for it (bounded) so the next decision sees it.</summary>
    async Task WaitForFreshReportAsync(string node, CancellationToken ct)
    {
        long before;
        lock (_gate) before = _membership.LastReport(node)?.Seq ?? 0;
        var deadline = Now + 3L * Config.Cluster.Heartbeat.IntervalMs + 200;
        while (Now < deadline)
        {
            lock (_gate) if ((_membership.LastReport(node)?.Seq ?? 0) > before) return;
            await Task.Delay(10, ct);
        }
    }
}
