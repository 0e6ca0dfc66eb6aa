using ExpressHa.Api;
using ExpressHa.Config;
using ExpressHa.Policy;
using ExpressHa.Service.Alerts;
using ExpressHa.Service.Heartbeat;
using ExpressHa.Service.Membership;
using ExpressHa.Service.Security;
using ExpressHa.Service.Support;

namespace ExpressHa.Service.Runtime;

public sealed class AgentOptions
{
    public required string Node { get; init; }
    public required string StateDir { get; init; }
    public required ConfigStore Config { get; init; }
    public required AlertLog Alerts { get; init; }
    public required ClusterKey Key { get; init; }
    public required string ApiToken { get; init; }
    /// <summary>Overrides cluster.watchdog.device on this node (a stand-in file per node for tests and the demo).</summary>
    public string? WatchdogDevice { get; init; }
}

/// <summary>The cluster service on one node. It wires the runtime's parts, each taking what it needs (the node's
/// services come from <see cref="NodeComposition"/>), and runs the loops: reports out (SendLoop), membership and
/// self-protection (TickLoop), the <see cref="Runtime.Coordinator"/>, the witness. Heartbeats in become membership
/// changes, handed to the coordinator's queue and the <see cref="LossHandler"/>. Cluster state (membership, who counts
/// as down) is <see cref="MembershipState"/>'s, under its lock rule.</summary>
public sealed class NodeAgent : IServiceHooks, IAsyncDisposable
{
    readonly AgentOptions _o;
    readonly AlertLog _alerts;
    readonly NodeClock _clock;
    readonly LocalState _local = new();
    readonly ServiceLifecycle _life = new();
    readonly PeerProofs _proofs = new();
    readonly WorkQueue _work = new();
    readonly MembershipState _members;
    readonly HeartbeatReports _reports;
    readonly NodeView _view;
    readonly NodeStopper _stopper;
    readonly MonitorHost _monitors;
    readonly MirrorHost _mirrors;
    readonly StaleOwnershipGuard _stale;
    readonly Coordinator _coordinator;
    readonly PartitionResolver _resolver;
    readonly LossHandler _loss;
    readonly WatchdogHost _watchdog;
    readonly LeftoverHandler _leftovers;
    readonly ConfigPush _configPush;
    readonly SemaphoreSlim _wake = new(0, 1);
    HeartbeatTransport? _transport;
    volatile bool _sendNow;
    long _monitorDigest;

    public NodeAgent(NodeComposition parts)
    {
        var o = _o = parts.Options;
        var config = o.Config.Current;
        if (config.FindNode(o.Node) == null)
            throw new InvalidOperationException($"node '{o.Node}' is not in the config; its nodes are {string.Join(", ", config.Nodes.Select(n => n.Name))}");
        var self = o.Node;
        var store = o.Config;
        _alerts = parts.Alerts;
        _clock = parts.Clock;
        _members = new MembershipState(config, self);
        _reports = new HeartbeatReports(store, self, _local, _life, _members, _proofs, _clock, GenerationSeed.Highest(OwnershipJournal.Read(o.StateDir)));
        _view = new NodeView(store, self, _life, _members, _reports, _clock);
        var peers = new PeerClients(store, _members, o.Key, o.ApiToken);
        var runner = new ActionRunner(() => store.Current, self, _local, parts.Drivers, _alerts, o.StateDir, this, parts.Mirrors)
        {
            Journal = new OwnershipJournal(o.StateDir, self),
        };
        _stopper = new NodeStopper(store, self, runner);
        _monitors = new MonitorHost(store, self, _local, parts.Probes, parts.Mirrors, _alerts, _work);
        var steps = new LocalSteps(self, runner, _monitors, _stopper, _life, _view, _alerts, SendSoon);
        _stale = new StaleOwnershipGuard(store, self, _local, _members, _alerts, _clock);
        _coordinator = new Coordinator(store, self, _work, _view, _life, _members, steps, peers, _stale, _alerts, _clock, SendSoon);
        _mirrors = new MirrorHost(store, self, o.Key, parts.Mirrors, peers, _alerts);
        _resolver = new PartitionResolver(self, o.Key, _members, _proofs, _clock);
        _loss = new LossHandler(store, self, _members, _life, _proofs, parts.Fencer, _resolver, _view, _work, _mirrors, _alerts, _clock, SendSoon);
        _watchdog = new WatchdogHost(store, o.WatchdogDevice, _alerts, _life, _members, _proofs, _local, _clock);
        _leftovers = new LeftoverHandler(store, self, o.StateDir, o.Key, _local, parts.Drivers, parts.Mirrors, _stopper, _alerts);
        _configPush = new ConfigPush(store, self, _members, peers, _monitors, _alerts, SendSoon);
        var jobs = new JobTable();
        var mirrorOps = new MirrorOperations(self, new LocalMirrorNode(self, parts.Mirrors, jobs, _alerts, _life.Stopping),
            node => new PeerMirrorNode(node, timeout => peers.For(node, timeout)), () => store.Current, _view.CurrentState, _alerts, jobs, _life.Stopping)
        {
            IsOnline = _members.IsOnline,
        };
        SupportOperations? support = null;
        ClusterControl? control = null;
        control = new ClusterControl(store, self, _alerts, _view, _members, _life, _work, _coordinator, steps, peers, _configPush, mirrorOps,
            SendReportNow, _clock, Events, () => LazyInitializer.EnsureInitialized(ref support, () => new SupportOperations(new SupportSources
            {
                Self = self,
                StateDir = o.StateDir,
                Config = () => store.Current,
                RunningConfig = control!.GetRunningConfig,
                Status = control.GetStatus,
                LocalAlerts = control.GetAlerts,
                LocalMirrors = ct => mirrorOps.Local.GetMirrorsAsync(ct),
                Redactor = () => NodeSecrets.Redactor(store.Current, self, o.ApiToken),
                Peer = node => peers.For(node),
                IsOnline = _members.IsOnline,
            })));
        Control = control;
        _local.Changed += SendSoon;
        _alerts.Raised += Events.AlertRaised;
    }

    /// <summary>What the management API serves on this node.</summary>
    public ClusterControl Control { get; }

    /// <summary>Change notices for the web UI's event stream: raised where this node learns something changed (its
    /// own state, a peer's report, membership, an alert), never by a timer.</summary>
    public Api.ClusterEvents Events { get; } = new();

    /// <summary>Set by the API layer once it listens, so peers can pin this node's certificate.</summary>
    public string? ApiFingerprint { get => _reports.ApiFingerprint; set => _reports.ApiFingerprint = value; }

    /// <summary>Cancelled when the service decides to stop itself (final action stopService, Stop-HaCluster).</summary>
    public CancellationToken StopRequested => _life.Stopping;

    ClusterConfig Config => _o.Config.Current;
    string Self => _o.Node;
    long Now => _clock.NowMs;

    public async Task RunAsync(CancellationToken shutdown)
    {
        _alerts.Raise(AlertEvents.Pm.Starting, $"Cluster service on {Self} is starting (cluster {Config.Cluster.Name}, config generation {_o.Config.Generation}).");
        await _mirrors.StartAsync(_life.Stopping);
        _reports.ResumedFrom = await _leftovers.ReleaseAsync(shutdown);
        // Armed once nothing a previous service left runs here any more: a reset from now on bounds only what this one starts.
        _watchdog.Arm();
        _reports.WatchdogMs = _watchdog.TimeoutMs;
        _reports.ProofLeaseMs = () => _watchdog.ProofLeaseMs;
        _transport = new HeartbeatTransport(Config, Self, _o.Key, _alerts, OnHeartbeat);
        _transport.Start();
        _monitors.Start();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(shutdown, _life.Stopping);
        var loops = new[] { SendLoop(linked.Token), TickLoop(linked.Token), _coordinator.RunAsync(linked.Token), _resolver.WitnessLoop(() => Config, Handle, linked.Token) };
        try
        {
            await Task.WhenAny(Task.WhenAll(loops), Task.Delay(Timeout.Infinite, linked.Token));
        }
        catch (OperationCanceledException) { }
        await ShutdownAsync(_life.StopReason ?? "the service was asked to stop");
    }

    /// <summary>Sends a report now rather than at the next interval (local state changed).</summary>
    void SendSoon()
    {
        Events.StatusChanged();
        _sendNow = true;
        try { if (_wake.CurrentCount == 0) _wake.Release(); } catch (SemaphoreFullException) { }
    }

    /// <summary>Sends a report at once, from the caller's thread (the steps a peer sent are done).</summary>
    void SendReportNow() => _transport?.Send(_reports.Next());

    /// <summary>Sleeps until the next interval or until something changed, so an idle node wakes only to send.</summary>
    async Task SendLoop(CancellationToken ct)
    {
        var last = -1L;
        while (!ct.IsCancellationRequested)
        {
            var interval = Config.Cluster.Heartbeat.IntervalMs;
            var due = last < 0 ? 0 : last + interval - Now;
            if (_sendNow || due <= 0)
            {
                _sendNow = false;
                last = Now;
                SendReportNow();
                continue;
            }
            try { await _wake.WaitAsync((int)Math.Min(due, int.MaxValue), ct); } catch (OperationCanceledException) { return; }
        }
    }

    void OnHeartbeat(HeartbeatReport report, string interconnect)
    {
        var changes = _members.Receive(report, interconnect, Now);
        if (report.Heard.TryGetValue(Self, out var echo)) _proofs.Echoed(report.Node, echo.Incarnation, echo.Seq, _reports.Incarnation);
        // "The cluster has started" spreads from node to node, but not to or from a stopped service: after
        // Stop-HaCluster every node forgets it, so the next Start-HaCluster starts the auto groups again.
        var started = report.ClusterStarted && report.ServiceState != ServiceState.Stopped.Wire() && _life.State != ServiceState.Stopped;
        var joinedRunningCluster = started && !_life.ClusterStarted;
        if (started) _life.ClusterStarted = true;
        // A lost node fenced (or known stopped) by a peer counts as down here too, so a plan waiting on this node goes on.
        if (report.ConfirmedDown.Count > 0) _loss.ConfirmedByPeer(report.ConfirmedDown);
        Handle(changes);
        // This node came (back) into a cluster that already runs: the peers' PeerJoined goes to the coordinator, which may
        // be this node itself (the most preferred one), so the join (failback auto, pending groups) is decided here too.
        if (joinedRunningCluster) _work.Decide(new NodeJoined(Self));
        if (report.ConfigGeneration > _o.Config.Generation) _ = _configPush.FetchNewerAsync(report.Node, report.ConfigGeneration);
        Events.StatusChanged();
    }

    async Task TickLoop(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            // Half an interval, so an idle node wakes rarely; but when a path would time out sooner, wake just then, so a
            // loss is noticed at the timeout and not up to a tick later.
            var delay = Math.Clamp(Config.Cluster.Heartbeat.IntervalMs / 2, 25, 500);
            var before = Now;
            _watchdog.Ticked();
            if (_members.NextExpiryInMs(before) is long e && e + 1 < delay) delay = (int)Math.Max(1, e + 1);
            try { await Task.Delay(delay, ct); } catch (OperationCanceledException) { return; }
            if (_stale.NoticeStall(Now - before - delay)) continue;
            foreach (var stop in _stale.Check()) _work.Enqueue(stop);
            Handle(_members.Tick(Now));
            _monitors.UpdateActivity();
            if (!_life.ClusterStarted || MonitorReportsChanged() || (_view.IsCoordinator && _coordinator.ViewComplete() && ReleasePolicy.ToStart(Config, _view.CurrentState()).Count > 0))
                _work.Reconcile();
        }
    }

    /// <summary>True when any node's monitor states changed since the last look: only then is there anything to reconcile.</summary>
    bool MonitorReportsChanged()
    {
        var hash = new HashCode();
        foreach (var m in _local.Snapshot().Monitors) hash.Add((Self, m.Name, m.State, m.ErrorCount));
        foreach (var r in _members.OnlineReports())
            foreach (var m in r.Monitors) hash.Add((r.Node, m.Name, m.State, m.ErrorCount));
        long digest = hash.ToHashCode();
        return Interlocked.Exchange(ref _monitorDigest, digest) != digest;
    }

    void Handle(List<MembershipChange> changes)
    {
        if (changes.Count > 0) Events.StatusChanged();
        foreach (var c in changes)
        {
            switch (c)
            {
                case PathDown p:
                    _alerts.Raise(AlertEvents.Nm.PathDown, $"Heartbeat path {p.Interconnect} to {p.Node} is down; {p.Node} is still reachable on another path.");
                    break;
                case PathUp p:
                    _alerts.Raise(AlertEvents.Nm.PathUp, $"Heartbeat path {p.Interconnect} to {p.Node} is up again.");
                    break;
                case PeerJoined j:
                    _members.Rejoined(j.Node);
                    _proofs.Joined(j.Node, Now);
                    _alerts.Raise(AlertEvents.Nm.NodeStarted, $"Server {j.Node} has started (heartbeat received).");
                    _work.Decide(new NodeJoined(j.Node));
                    break;
                case PeerLost l:
                    _alerts.Log("nm", $"no heartbeat from {l.Node} on any path for {Config.Cluster.Heartbeat.TimeoutMs} ms");
                    _work.Decide(new NodeLost(l.Node));
                    _ = _loss.HandleLossAsync(l.Node);
                    break;
                case PeerRestarted r:
                    _loss.HandleRestart(r.Node);
                    break;
            }
        }
    }

    public long IncarnationOf(string node) => _members.IncarnationOf(node);

    public LostNodeStatus LostNode(string node, long incarnation) => _members.LostNode(node, incarnation);

    public Task MembershipChanged() => _members.Changed();

    public void RequestServiceStop(string reason) => _life.RequestStop(reason);

    public long NextGeneration(string group) => _view.NextGeneration(group);

    public Task<bool> FenceAsync(string target, string reason, CancellationToken ct) => _loss.FenceAsync(target, reason, ct);

    /// <summary>The orderly stop: the NodeStopping plan (its groups move, or stay put after a lost resolution), the
    /// mirrors after the groups, the watchdog last.</summary>
    async Task ShutdownAsync(string reason)
    {
        _life.ShuttingDown = true;
        _life.State = ServiceState.Stopping;
        SendSoon();
        _alerts.Raise(AlertEvents.Pm.Stopping, $"Cluster service on {Self} is stopping: {reason}.");
        _monitors.Stop();
        var plan = _stopper.Decide(_view.CurrentState(), _life.LostResolution ? NodeStopCause.LostResolution : NodeStopCause.Shutdown);
        await _stopper.RunAsync(plan, goOn: true, failed => _alerts.Raise(AlertEvents.Pm.StopFailed, $"Stopping on {Self}: {failed.Message}"), CancellationToken.None);
        SendReportNow();
        await _mirrors.StopAsync();
        // Everything this node ran has stopped: the watchdog may stop counting.
        await _watchdog.DisarmAsync();
        _alerts.Raise(AlertEvents.Pm.Stopped, $"Cluster service on {Self} has stopped.");
        if (_life.AfterStopCommand is string command && Resources.CommandRunner.RunOsAction(command, TimeSpan.FromSeconds(30)) is string error)
            _alerts.Raise(AlertEvents.Pm.CommandFailed, $"The command '{command}' could not run: {error}");
    }

    public async ValueTask DisposeAsync()
    {
        // Not disarmed: a service that ends without its orderly stop leaves the countdown running.
        await _watchdog.AbandonAsync();
        _monitors.Stop();
        _transport?.Dispose();
        await _mirrors.StopAsync();
    }
}
