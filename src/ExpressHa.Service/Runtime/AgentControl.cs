using ExpressHa.Api;
using ExpressHa.Client;
using ExpressHa.Diff;
using ExpressHa.Service.Api;
using ExpressHa.Service.Heartbeat;
using ExpressHa.Service.Membership;
using ExpressHa.Policy;

namespace ExpressHa.Service.Runtime;

/// <summary>The management API's view of the node. Group operations are planned by the coordinator: a request that
/// reaches another node is forwarded there.</summary>
public sealed partial class NodeAgent : IClusterControl, IRunningConfigSource
{
    public RunningConfig GetRunningConfig() => new(_o.Config.CurrentYaml, _o.Config.Generation);

    public ClusterStatus GetStatus()
    {
        lock (_gate)
        {
            var inputs = ViewInputs();
            var state = ClusterView.BuildState(inputs);
            return ClusterView.BuildStatus(inputs, state, CoordinatorUnlocked(), _o.Config.Generation, n => _membership.PathAges(n, Now));
        }
    }

    /// <summary>The most preferred node whose service runs (not suspended, stopped or stopping); this node when none does.</summary>
    string CoordinatorUnlocked()
        => Config.Nodes
            .Where(n => n.Name == Self ? _serviceState == "running"
                : _membership.StateOf(n.Name) == PeerState.Online && _membership.LastReport(n.Name)?.ServiceState == "running")
            .OrderBy(n => n.Priority).ThenBy(n => n.Name, StringComparer.Ordinal).FirstOrDefault()?.Name ?? Self;

    public IReadOnlyList<AlertEntry> GetAlerts(AlertQuery q) => _o.Alerts.Query(q.MinLevel, q.Module, q.Since, q.Last);

    public Task<OperationResult> StartGroupAsync(string group, string? node, CancellationToken ct)
        => GroupOperation(group, node, new GroupStartRequested(group, node), c => c.StartGroupAsync(group, node, ct), ct);

    public Task<OperationResult> StopGroupAsync(string group, CancellationToken ct)
        => GroupOperation(group, null, new GroupStopRequested(group), c => c.StopGroupAsync(group, ct), ct);

    public Task<OperationResult> MoveGroupAsync(string group, string? node, CancellationToken ct)
        => GroupOperation(group, node, new GroupMoveRequested(group, node), c => c.MoveGroupAsync(group, node, ct), ct);

    async Task<OperationResult> GroupOperation(string group, string? node, PolicyEvent ev, Func<PeerClient, Task<OperationResult>> forward, CancellationToken ct)
    {
        if (Config.FindGroup(group) == null) return OperationResult.Failure("ExpressHa.GroupNotFound", $"Group '{group}' does not exist in cluster '{Config.Cluster.Name}'.");
        if (node != null && Config.FindNode(node) == null) return OperationResult.Failure("ExpressHa.NodeNotFound", $"Node '{node}' does not exist in cluster '{Config.Cluster.Name}'.");
        var coordinator = Coordinator();
        if (coordinator != Self) return await Forward(coordinator, forward, ct);
        if (_serviceState != "running") return OperationResult.Failure("ExpressHa.ServiceNotRunning", $"The cluster service on {Self} is {_serviceState} and no other node's service runs; start it with Start-HaCluster or Resume-HaNode.");
        var reply = new TaskCompletionSource<Plan>(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(new PolicyWork(ev, reply));
        var plan = await reply.Task.WaitAsync(ct);
        if (plan.Refused) return OperationResult.Failure("ExpressHa.OperationRefused", plan.Reason);
        return OperationResult.Success(plan.Reason);
    }

    async Task<OperationResult> Forward(string node, Func<PeerClient, Task<OperationResult>> call, CancellationToken ct)
    {
        try
        {
            using var client = PeerClientFor(node);
            return await call(client);
        }
        catch (HaApiException ex)
        {
            return OperationResult.Failure(ex.Code, ex.Message);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return OperationResult.Failure("ExpressHa.PeerUnreachable", $"The request had to go to {node}, which did not answer: {ex.Message}");
        }
    }

    PeerClient PeerClientFor(string node, TimeSpan? timeout = null)
    {
        var config = Config;
        var n = config.FindNode(node)!;
        var address = n.PrimaryAddress(config.Cluster) ?? "127.0.0.1";
        var port = n.ApiPort ?? config.Cluster.Security.ApiPort;
        string? fingerprint;
        lock (_gate) fingerprint = _membership.LastReport(node)?.ApiFingerprint;
        var tls = config.Cluster.Security.ApiTls;
        var uri = new Uri($"{(tls ? "https" : "http")}://{address}:{port}/");
        return new PeerClient(uri, _o.ApiToken, tls ? fingerprint : null, timeout ?? TimeSpan.FromSeconds(60), Security.ClusterCredential.Derive(_o.Key));
    }

    public async Task<OperationResult> SuspendNodeAsync(string node, CancellationToken ct) => await NodeServiceState(node, "suspended", ct);
    public async Task<OperationResult> ResumeNodeAsync(string node, CancellationToken ct) => await NodeServiceState(node, "running", ct);

    async Task<OperationResult> NodeServiceState(string node, string state, CancellationToken ct)
    {
        if (Config.FindNode(node) == null) return OperationResult.Failure("ExpressHa.NodeNotFound", $"Node '{node}' does not exist in cluster '{Config.Cluster.Name}'.");
        var result = await RunEverywhere(new[] { node }, n => new SetServiceState(n, state), ct);
        if (result.Ok) await UntilReportsShow(new[] { node }, r => r.ServiceState == state, ct);
        return result.Ok ? OperationResult.Success(state == "suspended" ? $"Node {node} is suspended: its monitors stop, its groups keep running, nothing fails over to it." : $"Node {node} is running again.") : result;
    }

    /// <summary>Waits (at most a heartbeat timeout) until this node holds a report from each of these peers that shows a
    /// change they just made, so that a status read right after the answer (the cmdlets' -PassThru) shows it.</summary>
    async Task UntilReportsShow(IEnumerable<string> nodes, Func<HeartbeatReport, bool> shows, CancellationToken ct)
    {
        var peers = nodes.Where(n => n != Self).ToList();
        var deadline = Now + Config.Cluster.Heartbeat.TimeoutMs;
        while (Now < deadline)
        {
            lock (_gate)
                if (peers.All(n => _membership.LastReport(n) is not HeartbeatReport r || shows(r))) return;
            await Task.Delay(10, ct);
        }
    }

    public Task<OperationResult> SuspendMonitorAsync(string monitor, CancellationToken ct) => MonitorSuspension(monitor, true, ct);
    public Task<OperationResult> ResumeMonitorAsync(string monitor, CancellationToken ct) => MonitorSuspension(monitor, false, ct);

    async Task<OperationResult> MonitorSuspension(string monitor, bool suspend, CancellationToken ct)
    {
        if (Config.FindMonitor(monitor) == null) return OperationResult.Failure("ExpressHa.MonitorNotFound", $"Monitor '{monitor}' does not exist in cluster '{Config.Cluster.Name}'.");
        var nodes = OnlineNodes();
        var result = await RunEverywhere(nodes, n => new SetMonitorSuspended(n, monitor, suspend), ct);
        if (result.Ok)
            await UntilReportsShow(nodes, r => r.Monitors.FirstOrDefault(m => m.Name == monitor) is not MonitorReport m || (m.State == "suspended") == suspend, ct);
        return result.Ok ? OperationResult.Success($"Monitor {monitor} is {(suspend ? "suspended" : "resumed")} on {string.Join(", ", OnlineNodes())}.") : result;
    }

    public async Task<OperationResult> PseudoFailMonitorAsync(string monitor, string? node, bool failing, CancellationToken ct)
    {
        var m = Config.FindMonitor(monitor);
        if (m == null) return OperationResult.Failure("ExpressHa.MonitorNotFound", $"Monitor '{monitor}' does not exist in cluster '{Config.Cluster.Name}'.");
        if (node != null && Config.FindNode(node) == null) return OperationResult.Failure("ExpressHa.NodeNotFound", $"Node '{node}' does not exist in cluster '{Config.Cluster.Name}'.");
        var nodes = node != null ? new List<string> { node } : failing ? new List<string> { PseudoFailureNode(m) } : OnlineNodes();
        var result = await RunEverywhere(nodes, n => new SetMonitorPseudoFailure(n, monitor, failing), ct);
        return result.Ok
            ? OperationResult.Success(failing ? $"Monitor {monitor} reports a pseudo-failure on {string.Join(", ", nodes)} until it is cleared." : $"Pseudo-failure of monitor {monitor} cleared on {string.Join(", ", nodes)}.")
            : result;
    }

    /// <summary>Where a pseudo-failure goes when no node is named: where the group of the monitor's target (or recovery
    /// target) runs, else this node.</summary>
    string PseudoFailureNode(ExpressHa.Config.MonitorConfig m)
    {
        var state = CurrentState();
        foreach (var name in new[] { m.Target, m.Recovery.Target })
        {
            if (name == null) continue;
            var group = Config.FindGroup(name) ?? Config.Groups.FirstOrDefault(g => g.Resources.Any(r => r.Name == name));
            if (group != null && state.Groups.TryGetValue(group.Name, out var gs) && gs.Owner != null) return gs.Owner;
        }
        return Self;
    }

    public Task<OperationResult> StopNodeAsync(string node, CancellationToken ct) => NodeService(node, "stopped", ct);
    public Task<OperationResult> StartNodeAsync(string node, CancellationToken ct) => NodeService(node, "running", ct);

    async Task<OperationResult> NodeService(string node, string state, CancellationToken ct)
    {
        if (Config.FindNode(node) == null) return OperationResult.Failure("ExpressHa.NodeNotFound", $"Node '{node}' does not exist in cluster '{Config.Cluster.Name}'.");
        var result = await RunEverywhere(new[] { node }, n => new SetServiceState(n, state), ct);
        if (!result.Ok) return result;
        if (state == "running") Enqueue(new Reconcile());
        return OperationResult.Success(state == "stopped" ? $"The cluster service on {node} is stopped; its groups stopped and do not move." : $"The cluster service on {node} runs again.");
    }

    public async Task<OperationResult> KillNodeAsync(string node, CancellationToken ct)
    {
        if (Config.FindNode(node) == null) return OperationResult.Failure("ExpressHa.NodeNotFound", $"Node '{node}' does not exist in cluster '{Config.Cluster.Name}'.");
        var result = await RunEverywhere(new[] { node }, n => new KillService(n), ct);
        return result.Ok ? OperationResult.Success($"The cluster service on {node} is being killed; the other nodes will find it lost after the heartbeat timeout.") : result;
    }

    public async Task<OperationResult> StartClusterAsync(CancellationToken ct)
    {
        var result = await RunEverywhere(OnlineNodes(), n => new SetServiceState(n, "running"), ct);
        if (!result.Ok) return result;
        _clusterStarted = false;
        _startedAtMs = Now - StartupWaitMs;
        Enqueue(new Reconcile());
        return OperationResult.Success($"The cluster service runs on {string.Join(", ", OnlineNodes())}; groups with automatic startup start now.");
    }

    public async Task<OperationResult> StopClusterAsync(CancellationToken ct)
    {
        var nodes = OnlineNodes();
        var result = await RunEverywhere(nodes.Where(n => n != Self).Append(Self).ToList(), n => new SetServiceState(n, "stopped"), ct);
        return result.Ok ? OperationResult.Success($"The cluster is stopped on {string.Join(", ", nodes)}: groups are offline, nothing fails over.") : result;
    }

    List<string> OnlineNodes()
    {
        lock (_gate) return Config.Nodes.Where(n => n.Name == Self || _membership.StateOf(n.Name) == PeerState.Online).Select(n => n.Name).ToList();
    }

    async Task<OperationResult> RunEverywhere(IReadOnlyList<string> nodes, Func<string, PlanAction> step, CancellationToken ct)
    {
        foreach (var n in nodes)
        {
            var (ok, _, reason) = n == Self ? await RunLocalAsync(new[] { step(n) }, ct) : await RunRemoteAsync(n, new[] { step(n) }, ct);
            if (!ok) return OperationResult.Failure("ExpressHa.NodeFailed", $"{n}: {reason}");
        }
        return OperationResult.Success("done");
    }

    /// <summary>Carries out a control step here (service state, monitor suspension).</summary>
    async Task<ActionOutcome> RunControlAsync(PlanAction step, CancellationToken ct)
    {
        switch (step)
        {
            case SetMonitorSuspended s:
                SuspendLocalMonitor(s.Monitor, s.Suspended);
                return ActionOutcome.Done(s.Describe());
            case SetMonitorPseudoFailure s:
                if (!SetLocalPseudoFailure(s.Monitor, s.Failing)) return new ActionOutcome(false, $"monitor {s.Monitor} does not run on {Self}");
                Alerts.Alert(s.Failing ? "warning" : "info", "monitor", s.Failing ? 108 : 2,
                    s.Failing ? $"Pseudo-failure of monitor {s.Monitor} started on {Self}." : $"Pseudo-failure of monitor {s.Monitor} ended on {Self}.");
                return ActionOutcome.Done(s.Describe());
            case KillService s:
                Alerts.Alert("warning", "pm", 14, $"The cluster service on {Self} is killed on request (operation test).");
                _ = Task.Run(async () =>
                {
                    await Task.Delay(300, CancellationToken.None); // lets the answer reach the caller first
                    System.Diagnostics.Process.GetCurrentProcess().Kill();
                }, CancellationToken.None);
                return ActionOutcome.Done(s.Describe());
            case SetServiceState s when s.State is "running" or "suspended":
                _serviceState = s.State;
                foreach (var r in _monitors.Values) if (s.State == "suspended") r.Suspend(); else r.Resume();
                SendSoon();
                Alerts.Alert("info", "pm", s.State == "suspended" ? 11 : 12, $"The cluster service on {Self} is {(s.State == "suspended" ? "suspended" : "running")}.");
                return ActionOutcome.Done(s.Describe());
            case SetServiceState s when s.State == "stopped":
                _serviceState = "stopped";
                _clusterStarted = false;
                SendSoon();
                var plan = PolicyEngine.Decide(Config, CurrentState(), new NodeStopping(Self));
                foreach (var a in plan.Actions.Where(a => a.Node == Self))
                {
                    var o = await _runner.RunAsync(a, ct);
                    if (!o.Ok) return o;
                }
                Alerts.Alert("info", "pm", 13, $"The cluster service on {Self} is stopped; its groups are offline.");
                return ActionOutcome.Done(s.Describe());
            default:
                var outcome = await _runner.RunAsync(step, ct);
                if (outcome.Ok && step is StartResource started) RearmMonitorsOf(started.Resource);
                return outcome;
        }
    }

    public async Task<ConfigPushResult> PushConfigAsync(string yaml, bool dryRun, CancellationToken ct)
    {
        var result = new ConfigPushResult { DryRun = dryRun, Generation = _o.Config.Generation };
        result.Errors = ConfigStore.Check(yaml, out var pushed);
        if (pushed == null) return result;
        result.Diff = ConfigDiffer.Diff(Config, pushed);
        if (dryRun || result.Diff.IsEmpty) return result;
        if (result.Diff.NeedsSuspend && _monitors.Count > 0 && OnlineNodes().Count > 1)
            Alerts.Log("config", "the pushed config changes nodes or heartbeat settings; they take effect as each service restarts");

        var generation = _o.Config.Generation + 1;
        var nodes = OnlineNodes();
        var prepared = new List<string>();
        foreach (var n in nodes)
        {
            NodeRefusal? refusal;
            if (n == Self) refusal = await PrepareConfigAsync(yaml, generation, ct);
            else
            {
                try
                {
                    using var c = PeerClientFor(n);
                    refusal = await c.PrepareConfigAsync(yaml, generation, ct);
                }
                catch (Exception ex) when (ex is HaApiException or HttpRequestException or TaskCanceledException)
                {
                    refusal = new NodeRefusal { Node = n, Reasons = { "did not answer the prepare request: " + ex.Message } };
                }
            }
            if (refusal != null) result.Refusals.Add(refusal);
            else prepared.Add(n);
        }
        var commit = result.Refusals.Count == 0;
        foreach (var n in prepared)
        {
            if (n == Self) await FinishConfigAsync(generation, commit, ct);
            else
            {
                try
                {
                    using var c = PeerClientFor(n);
                    await c.FinishConfigAsync(generation, commit, ct);
                }
                catch (Exception ex) when (ex is HaApiException or HttpRequestException or TaskCanceledException)
                {
                    Alerts.Alert("error", "config", 3, $"{n} did not confirm the {(commit ? "commit" : "abort")} of config generation {generation}: {ex.Message}");
                }
            }
        }
        result.Applied = commit;
        result.Generation = commit ? generation : _o.Config.Generation;
        Alerts.Alert(commit ? "info" : "warning", "config", commit ? 1 : 2, commit
            ? $"Config generation {generation} applied on {string.Join(", ", prepared)}."
            : $"Config generation {generation} was refused by {string.Join(", ", result.Refusals.Select(r => r.Node))}; no node changed.");
        return result;
    }

    public Task<NodeRefusal?> PrepareConfigAsync(string yaml, long generation, CancellationToken ct)
    {
        var errors = _o.Config.Stage(yaml, generation);
        if (errors.Count == 0 && ConfigStore.Check(yaml, out var c) is { Count: 0 } && c!.FindNode(Self) == null)
        {
            _o.Config.Finish(generation, commit: false);
            errors.Add($"node {Self} is not in the pushed config; remove a node by stopping it first");
        }
        return Task.FromResult(errors.Count == 0 ? null : new NodeRefusal { Node = Self, Reasons = errors });
    }

    public Task<OperationResult> FinishConfigAsync(long generation, bool commit, CancellationToken ct)
    {
        if (!_o.Config.Finish(generation, commit))
            return Task.FromResult(OperationResult.Failure("ExpressHa.NothingStaged", $"No config generation {generation} is staged on {Self}."));
        if (commit) OnConfigChanged();
        SendSoon();
        return Task.FromResult(OperationResult.Success(commit ? $"{Self} runs config generation {generation}." : $"{Self} dropped config generation {generation}."));
    }

    public async Task<OperationResult> RunActionsAsync(IReadOnlyList<PlanAction> actions, CancellationToken ct)
    {
        for (var i = 0; i < actions.Count; i++)
        {
            var outcome = await RunControlAsync(actions[i], ct);
            if (!outcome.Ok) return OperationResult.Failure("ExpressHa.StepFailed", $"{i}\n{Reason(outcome)}");
        }
        _transport?.Send(BuildReport());
        return OperationResult.Success($"{actions.Count} step(s) done on {Self}");
    }

    async Task<(bool Ok, int FailedIndex, string Reason)> RunRemoteAsync(string node, IReadOnlyList<PlanAction> steps, CancellationToken ct)
    {
        try
        {
            using var client = PeerClientFor(node);
            var result = await client.RunActionsAsync(steps, ct);
            if (result.Ok) return (true, -1, "");
            var parts = result.Message.Split('\n', 2);
            return (false, int.TryParse(parts[0], out var i) ? i : 0, parts.Length > 1 ? parts[1] : result.Message);
        }
        catch (Exception ex) when (ex is HaApiException or HttpRequestException or TaskCanceledException)
        {
            return (false, 0, $"{node} did not answer: {ex.Message}");
        }
    }

    /// <summary>A committed config: restart the monitors on it and rebuild membership when the nodes changed.</summary>
    void OnConfigChanged()
    {
        StopMonitorsForReload();
        var config = Config;
        lock (_gate)
        {
            if (!config.Nodes.Select(n => n.Name).SequenceEqual(_membership.Peers.Append(Self).OrderBy(x => x)))
                Alerts.Log("config", "the node list changed; restart the service on every node for heartbeats to follow");
        }
        StartMonitors();
        Alerts.Alert("info", "config", 4, $"{Self} now runs config generation {_o.Config.Generation}.");
    }

    async Task FetchNewerConfigAsync(string peer, long generation)
    {
        if (Interlocked.Exchange(ref _fetching, 1) == 1) return;
        try
        {
            using var client = PeerClientFor(peer);
            var (yaml, gen) = await client.GetConfigAsync(CancellationToken.None);
            if (gen > _o.Config.Generation && ConfigStore.Check(yaml, out _).Count == 0 && _o.Config.Adopt(yaml, gen))
            {
                Alerts.Alert("info", "config", 5, $"{Self} took config generation {gen} from {peer} (it missed the push).");
                OnConfigChanged();
            }
        }
        catch (Exception ex) when (ex is HaApiException or HttpRequestException or TaskCanceledException or InvalidOperationException)
        {
            Alerts.Log("config", $"could not fetch config generation {generation} from {peer}: {ex.Message}");
        }
        finally
        {
            Interlocked.Exchange(ref _fetching, 0);
        }
    }

    int _fetching;
}
