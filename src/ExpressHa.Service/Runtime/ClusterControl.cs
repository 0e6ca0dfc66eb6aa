using ExpressHa.Api;
using ExpressHa.Client;
using ExpressHa.Policy;
using ExpressHa.Service.Alerts;
using ExpressHa.Service.Api;
using ExpressHa.Service.Heartbeat;
using ExpressHa.Service.Support;

namespace ExpressHa.Service.Runtime;

/// <summary>The management API's view of the node. Group operations are planned by the coordinator: a request that
/// reaches another node is forwarded there. Node, monitor and cluster operations run as control steps on the nodes
/// they name (<see cref="LocalSteps"/>); config pushes are <see cref="ConfigPush"/>'s, mirror operations
/// <see cref="MirrorOperations"/>'.</summary>
public sealed class ClusterControl(ConfigStore config, string self, AlertLog alerts, NodeView view, MembershipState members, ServiceLifecycle life,
    WorkQueue work, Coordinator coordinator, LocalSteps steps, PeerClients peers, ConfigPush push, MirrorOperations mirrors,
    Action sendNow, NodeClock clock, ClusterEvents events, Func<SupportOperations> support)
    : IClusterControl, IRunningConfigSource, ISupportControl, IClusterEventSource
{
    ExpressHa.Config.ClusterConfig Config => config.Current;

    public ClusterEvents Events => events;

    public SupportOperations Support => support();

    public RunningConfig GetRunningConfig() => new(config.CurrentYaml, config.Generation);

    public ClusterStatus GetStatus() => view.Status();

    public IReadOnlyList<AlertEntry> GetAlerts(AlertQuery q) => alerts.Query(q.MinLevel, q.Module, q.Since, q.Last);

    public Task<OperationResult> StartGroupAsync(string group, string? node, CancellationToken ct)
        => GroupOperation(group, node, new GroupStartRequested(group, node), c => c.StartGroupAsync(group, node, ct), ct);

    public Task<OperationResult> StopGroupAsync(string group, CancellationToken ct)
        => GroupOperation(group, null, new GroupStopRequested(group), c => c.StopGroupAsync(group, ct), ct);

    public Task<OperationResult> MoveGroupAsync(string group, string? node, CancellationToken ct)
        => GroupOperation(group, node, new GroupMoveRequested(group, node), c => c.MoveGroupAsync(group, node, ct), ct);

    async Task<OperationResult> GroupOperation(string group, string? node, PolicyEvent ev, Func<PeerClient, Task<OperationResult>> forward, CancellationToken ct)
    {
        if (Config.FindGroup(group) == null) return OperationResult.Failure(ErrorCodes.GroupNotFound, $"Group '{group}' does not exist in cluster '{Config.Cluster.Name}'.");
        if (node != null && Config.FindNode(node) == null) return OperationResult.Failure(ErrorCodes.NodeNotFound, $"Node '{node}' does not exist in cluster '{Config.Cluster.Name}'.");
        var coordinatorNode = view.Coordinator();
        if (coordinatorNode != self) return await peers.ForwardAsync(coordinatorNode, forward);
        if (life.State != ServiceState.Running)
            return OperationResult.Failure(ErrorCodes.ServiceNotRunning, $"The cluster service on {self} is {life.State.Wire()} and no other node's service runs; start it with Start-HaCluster or Resume-HaNode.");
        var reply = new TaskCompletionSource<Plan>(TaskCreationOptions.RunContinuationsAsynchronously);
        work.Enqueue(new PolicyWork(ev, reply));
        var plan = await reply.Task.WaitAsync(ct);
        if (plan.Refused) return OperationResult.Failure(ErrorCodes.OperationRefused, plan.Reason);
        return OperationResult.Success(plan.Reason);
    }

    public async Task<OperationResult> SuspendNodeAsync(string node, CancellationToken ct) => await NodeServiceState(node, ServiceState.Suspended, ct);
    public async Task<OperationResult> ResumeNodeAsync(string node, CancellationToken ct) => await NodeServiceState(node, ServiceState.Running, ct);

    async Task<OperationResult> NodeServiceState(string node, ServiceState state, CancellationToken ct)
    {
        if (Config.FindNode(node) == null) return OperationResult.Failure(ErrorCodes.NodeNotFound, $"Node '{node}' does not exist in cluster '{Config.Cluster.Name}'.");
        var result = await RunEverywhere(new[] { node }, n => new SetServiceState(n, state), ct);
        if (result.Ok) await UntilReportsShow(new[] { node }, r => r.ServiceState == state.Wire(), ct);
        return result.Ok ? OperationResult.Success(state == ServiceState.Suspended ? $"Node {node} is suspended: its monitors stop, its groups keep running, nothing fails over to it." : $"Node {node} is running again.") : result;
    }

    /// <summary>Waits (at most a heartbeat timeout) until this node holds a report from each of these peers that shows a
    /// change they just made, so that a status read right after the answer (the cmdlets' -PassThru) shows it.</summary>
    async Task UntilReportsShow(IEnumerable<string> nodes, Func<HeartbeatReport, bool> shows, CancellationToken ct)
    {
        var others = nodes.Where(n => n != self).ToList();
        var deadline = clock.NowMs + Config.Cluster.Heartbeat.TimeoutMs;
        while (clock.NowMs < deadline)
        {
            if (others.All(n => members.LastReport(n) is not HeartbeatReport r || shows(r))) return;
            await Task.Delay(10, ct);
        }
    }

    public Task<OperationResult> SuspendMonitorAsync(string monitor, CancellationToken ct) => MonitorSuspension(monitor, true, ct);
    public Task<OperationResult> ResumeMonitorAsync(string monitor, CancellationToken ct) => MonitorSuspension(monitor, false, ct);

    async Task<OperationResult> MonitorSuspension(string monitor, bool suspend, CancellationToken ct)
    {
        if (Config.FindMonitor(monitor) == null) return OperationResult.Failure(ErrorCodes.MonitorNotFound, $"Monitor '{monitor}' does not exist in cluster '{Config.Cluster.Name}'.");
        var nodes = OnlineNodes();
        var result = await RunEverywhere(nodes, n => new SetMonitorSuspended(n, monitor, suspend), ct);
        if (result.Ok)
            await UntilReportsShow(nodes, r => r.Monitors.FirstOrDefault(m => m.Name == monitor) is not MonitorReport m || (m.State == MonitorStates.Suspended) == suspend, ct);
        return result.Ok ? OperationResult.Success($"Monitor {monitor} is {(suspend ? "suspended" : "resumed")} on {string.Join(", ", OnlineNodes())}.") : result;
    }

    public async Task<OperationResult> PseudoFailMonitorAsync(string monitor, string? node, bool failing, CancellationToken ct)
    {
        var m = Config.FindMonitor(monitor);
        if (m == null) return OperationResult.Failure(ErrorCodes.MonitorNotFound, $"Monitor '{monitor}' does not exist in cluster '{Config.Cluster.Name}'.");
        if (node != null && Config.FindNode(node) == null) return OperationResult.Failure(ErrorCodes.NodeNotFound, $"Node '{node}' does not exist in cluster '{Config.Cluster.Name}'.");
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
        var state = view.CurrentState();
        foreach (var name in new[] { m.Target, m.Recovery.Target })
        {
            if (name == null) continue;
            var group = Config.FindGroup(name) ?? Config.Groups.FirstOrDefault(g => g.Resources.Any(r => r.Name == name));
            if (group != null && state.Groups.TryGetValue(group.Name, out var gs) && gs.Owner != null) return gs.Owner;
        }
        return self;
    }

    public Task<OperationResult> StopNodeAsync(string node, CancellationToken ct) => NodeService(node, ServiceState.Stopped, ct);
    public Task<OperationResult> StartNodeAsync(string node, CancellationToken ct) => NodeService(node, ServiceState.Running, ct);

    async Task<OperationResult> NodeService(string node, ServiceState state, CancellationToken ct)
    {
        if (Config.FindNode(node) == null) return OperationResult.Failure(ErrorCodes.NodeNotFound, $"Node '{node}' does not exist in cluster '{Config.Cluster.Name}'.");
        var result = await RunEverywhere(new[] { node }, n => new SetServiceState(n, state), ct);
        if (!result.Ok) return result;
        if (state == ServiceState.Running) work.Reconcile();
        return OperationResult.Success(state == ServiceState.Stopped ? $"The cluster service on {node} is stopped; its groups stopped and do not move." : $"The cluster service on {node} runs again.");
    }

    public async Task<OperationResult> KillNodeAsync(string node, CancellationToken ct)
    {
        if (Config.FindNode(node) == null) return OperationResult.Failure(ErrorCodes.NodeNotFound, $"Node '{node}' does not exist in cluster '{Config.Cluster.Name}'.");
        var result = await RunEverywhere(new[] { node }, n => new KillService(n), ct);
        return result.Ok ? OperationResult.Success($"The cluster service on {node} is being killed; the other nodes will find it lost after the heartbeat timeout.") : result;
    }

    public async Task<OperationResult> StartClusterAsync(CancellationToken ct)
    {
        var result = await RunEverywhere(OnlineNodes(), n => new SetServiceState(n, ServiceState.Running), ct);
        if (!result.Ok) return result;
        life.ClusterStarted = false;
        coordinator.EndStartupWait();
        work.Reconcile();
        return OperationResult.Success($"The cluster service runs on {string.Join(", ", OnlineNodes())}; groups with automatic startup start now.");
    }

    public async Task<OperationResult> StopClusterAsync(CancellationToken ct)
    {
        var nodes = OnlineNodes();
        var result = await RunEverywhere(nodes.Where(n => n != self).Append(self).ToList(), n => new SetServiceState(n, ServiceState.Stopped), ct);
        return result.Ok ? OperationResult.Success($"The cluster is stopped on {string.Join(", ", nodes)}: groups are offline, nothing fails over.") : result;
    }

    List<string> OnlineNodes()
    {
        var online = members.OnlinePeers();
        return Config.Nodes.Where(n => n.Name == self || online.Contains(n.Name)).Select(n => n.Name).ToList();
    }

    async Task<OperationResult> RunEverywhere(IReadOnlyList<string> nodes, Func<string, PlanAction> step, CancellationToken ct)
    {
        foreach (var n in nodes)
        {
            var outcome = n == self ? await steps.RunAllAsync(new[] { step(n) }, ct) : await peers.RunStepsAsync(n, new[] { step(n) }, ct);
            if (!outcome.Ok) return OperationResult.Failure(ErrorCodes.NodeFailed, $"{n}: {outcome.Reason}");
        }
        return OperationResult.Success("done");
    }

    /// <summary>Steps a peer (its coordinator, or an operator's request) sends this node: the first failure ends the
    /// list, and the answer names the failed step.</summary>
    public async Task<OperationResult> RunActionsAsync(IReadOnlyList<PlanAction> actions, CancellationToken ct)
    {
        var outcome = await steps.RunAllAsync(actions, ct);
        if (!outcome.Ok)
            return new OperationResult { Ok = false, Code = ErrorCodes.StepFailed, Message = outcome.Reason, FailedStep = outcome.FailedIndex };
        sendNow();
        return OperationResult.Success($"{actions.Count} step(s) done on {self}");
    }

    public Task<ConfigPushResult> PushConfigAsync(string yaml, bool dryRun, CancellationToken ct) => push.PushAsync(yaml, dryRun, ct);
    public Task<NodeRefusal?> PrepareConfigAsync(string yaml, long generation, CancellationToken ct) => push.PrepareAsync(yaml, generation, ct);
    public Task<OperationResult> FinishConfigAsync(long generation, bool commit, CancellationToken ct) => push.FinishAsync(generation, commit, ct);

    public Task<MirrorReport> GetMirrorsAsync(CancellationToken ct) => mirrors.GetAllAsync(ct);
    public Task<OperationResult> SuspendMirrorAsync(string mirror, CancellationToken ct) => mirrors.SuspendAsync(mirror, ct);
    public Task<OperationResult> ResumeMirrorAsync(string mirror, CancellationToken ct) => mirrors.ResumeAsync(mirror, ct);
    public Task<OperationResult> RepairMirrorAsync(string mirror, string source, CancellationToken ct) => mirrors.RepairAsync(mirror, source, ct);
    public Task<JobStart> StartMirrorBackupAsync(string mirror, BackupRequest request, CancellationToken ct) => mirrors.StartBackupAsync(mirror, request, ct);
    public Task<JobStart> StartMirrorRestoreAsync(string mirror, RestoreRequest request, CancellationToken ct) => mirrors.StartRestoreAsync(mirror, request, ct);
    public JobStatus? GetJob(string id) => mirrors.GetJob(id);
    public IMirrorNode LocalMirrors => mirrors.Local;
}
