using System.Diagnostics;
using System.Security.Cryptography;
using ExpressHa.Config;
using ExpressHa.Service.Alerts;
using ExpressHa.Service.Heartbeat;
using ExpressHa.Service.Membership;
using ExpressHa.Policy;
using ExpressHa.Service.Resources;
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
    public ResourceDriverRegistry? Drivers { get; init; }
    /// <summary>Overrides cluster.watchdog.device on this node (a stand-in file per node for tests and the demo).</summary>
    public string? WatchdogDevice { get; init; }
}

/// <summary>The cluster service on one node: heartbeats and membership, what this node runs, the coordinator loop that
/// turns events into plans, the monitors and the management API.</summary>
public sealed partial class NodeAgent : IServiceHooks, IAsyncDisposable, ISupportControl, Api.IClusterEventSource
{
    readonly AgentOptions _o;
    readonly LocalState _local = new();
    readonly ActionRunner _runner;
    readonly object _gate = new();
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly long _incarnation = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8)) & long.MaxValue;
    readonly HashSet<string> _confirmedDown = new(StringComparer.Ordinal);
    readonly CancellationTokenSource _stopping = new();
    MembershipTable _membership;
    HeartbeatTransport? _transport;
    long _seq;
    volatile string _serviceState = "running";
    volatile bool _clusterStarted;
    volatile bool _sendNow;
    string? _stopReason;
    readonly Dictionary<string, long> _journalGenerations;
    readonly ResourceDriverRegistry _drivers;
    readonly PeerProofs _proofs = new();
    readonly CancellationTokenSource _feedStop = new();
    Watchdog.WatchdogDevice? _watchdog;
    Task _feeding = Task.CompletedTask;
    volatile bool _shuttingDown;
    long _lastTickAt;

    public NodeAgent(AgentOptions options)
    {
        _o = options;
        var config = options.Config.Current;
        if (config.FindNode(options.Node) == null)
            throw new InvalidOperationException($"node '{options.Node}' is not in the config; its nodes are {string.Join(", ", config.Nodes.Select(n => n.Name))}");
        _membership = new MembershipTable(config, options.Node, config.Cluster.Heartbeat.TimeoutMs);
        _drivers = options.Drivers ?? ResourceDriverRegistry.Default();
        _runner = new ActionRunner(() => _o.Config.Current, options.Node, _local, _drivers, options.Alerts, options.StateDir, this)
        {
            Journal = new OwnershipJournal(options.StateDir, options.Node),
        };
        _journalGenerations = GenerationSeed.Highest(OwnershipJournal.Read(options.StateDir));
        _local.Changed += SendSoon;
        options.Alerts.Raised += Events.AlertRaised;
    }

    /// <summary>Change notices for the web UI's event stream: raised where this node learns something changed (its
    /// own state, a peer's report, membership, an alert), never by a timer.</summary>
    public Api.ClusterEvents Events { get; } = new();

    SupportOperations? _support;

    /// <summary>The operations routes' reads: merged alerts, group history, support bundles.</summary>
    public SupportOperations Support => LazyInitializer.EnsureInitialized(ref _support, () => new SupportOperations(new SupportSources
    {
        Self = Self,
        StateDir = _o.StateDir,
        Config = () => Config,
        RunningConfig = GetRunningConfig,
        Status = GetStatus,
        LocalAlerts = GetAlerts,
        LocalMirrors = ct => LocalMirrors.GetMirrorsAsync(ct),
        Redactor = () => NodeSecrets.Redactor(Config, Self, _o.ApiToken),
        Peer = node => PeerClientFor(node),
        IsOnline = node => { lock (_gate) return _membership.StateOf(node) == PeerState.Online; },
    }));

    ClusterConfig Config => _o.Config.Current;
    string Self => _o.Node;
    IAlertSink Alerts => _o.Alerts;
    long Now => _clock.ElapsedMilliseconds;

    /// <summary>Set by the API layer once it listens, so peers can pin this node's certificate.</summary>
    public string? ApiFingerprint { get; set; }

    /// <summary>Cancelled when the service decides to stop itself (final action stopService, Stop-HaCluster).</summary>
    public CancellationToken StopRequested => _stopping.Token;

    public async Task RunAsync(CancellationToken shutdown)
    {
        Alerts.Alert("info", "pm", 1, $"Cluster service on {Self} is starting (cluster {Config.Cluster.Name}, config generation {_o.Config.Generation}).");
        await StartMirrorsAsync();
        await ReleaseLeftoversAsync(shutdown);
        // Armed once nothing a previous service left runs here any more: a reset from now on bounds only what this one starts.
        ArmWatchdog();
        Interlocked.Exchange(ref _lastTickAt, Now);
        _feeding = FeedLoop(_feedStop.Token);
        _transport = new HeartbeatTransport(Config, Self, _o.Key, Alerts, OnHeartbeat);
        _transport.Start();
        StartMonitors();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(shutdown, _stopping.Token);
        var loops = new[] { SendLoop(linked.Token), TickLoop(linked.Token), CoordinatorLoop(linked.Token), WitnessLoop(linked.Token) };
        try
        {
            await Task.WhenAny(Task.WhenAll(loops), Task.Delay(Timeout.Infinite, linked.Token));
        }
        catch (OperationCanceledException) { }
        await ShutdownAsync(_stopReason ?? "the service was asked to stop");
    }

    readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>Sends a report now rather than at the next interval (local state changed).</summary>
    void SendSoon()
    {
        Events.StatusChanged();
        _sendNow = true;
        try { if (_wake.CurrentCount == 0) _wake.Release(); } catch (SemaphoreFullException) { }
    }

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
                _transport?.Send(BuildReport());
                continue;
            }
            try { await _wake.WaitAsync((int)Math.Min(due, int.MaxValue), ct); } catch (OperationCanceledException) { return; }
        }
    }

    public Heartbeat.HeartbeatReport BuildReport()
    {
        var (groups, monitors) = _local.Snapshot();
        var seq = Interlocked.Increment(ref _seq);
        _proofs.Sent(seq, Now);
        var heard = new Dictionary<string, HeardEcho>(StringComparer.Ordinal);
        lock (_gate)
            foreach (var p in _membership.Peers)
                if (_membership.StateOf(p) == PeerState.Online && _membership.LastReport(p) is HeartbeatReport r)
                    heard[p] = new HeardEcho { Incarnation = r.Incarnation, Seq = r.Seq };
        return new HeartbeatReport
        {
            Cluster = Config.Cluster.Name,
            Node = Self,
            Incarnation = _incarnation,
            Seq = seq,
            Heard = heard,
            WatchdogMs = _watchdog?.TimeoutMs,
            ResumedFrom = _resumedFrom,
            SentAtMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            ConfigGeneration = _o.Config.Generation,
            ServiceState = _serviceState,
            ApiFingerprint = ApiFingerprint,
            ClusterStarted = _clusterStarted,
            Groups = groups,
            Monitors = monitors,
            ConfirmedDown = ConfirmedDownList(),
            JournalGenerations = _journalGenerations,
        };
    }

    void OnHeartbeat(HeartbeatReport report, string interconnect)
    {
        List<MembershipChange> changes;
        lock (_gate) changes = _membership.Receive(report, interconnect, Now);
        if (report.Heard.TryGetValue(Self, out var echo)) _proofs.Echoed(report.Node, echo.Incarnation, echo.Seq, _incarnation);
        // "The cluster has started" spreads from node to node, but not to or from a stopped service: after
        // Stop-HaCluster every node forgets it, so the next Start-HaCluster starts the auto groups again.
        var started = report.ClusterStarted && report.ServiceState != "stopped" && _serviceState != "stopped";
        var joinedRunningCluster = started && !_clusterStarted;
        if (started) _clusterStarted = true;
        // A lost node fenced (or known stopped) by a peer counts as down here too, so a plan waiting on this node goes on.
        if (report.ConfirmedDown.Count > 0)
            lock (_gate)
                foreach (var n in report.ConfirmedDown)
                    if (n != Self && _membership.StateOf(n) != PeerState.Online && _confirmedDown.Add(n)) MirrorPeerDown(n);
        Handle(changes);
        // This node came (back) into a cluster that already runs: the peers' PeerJoined goes to the coordinator, which may
        // be this node itself (the most preferred one), so the join (failback auto, pending groups) is decided here too.
        if (joinedRunningCluster) Enqueue(new PolicyWork(new NodeJoined(Self)));
        if (report.ConfigGeneration > _o.Config.Generation) _ = FetchNewerConfigAsync(report.Node, report.ConfigGeneration);
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
            Interlocked.Exchange(ref _lastTickAt, before);
            long? expiry;
            lock (_gate) expiry = _membership.NextExpiryInMs(before);
            if (expiry is long e && e + 1 < delay) delay = (int)Math.Max(1, e + 1);
            try { await Task.Delay(delay, ct); } catch (OperationCanceledException) { return; }
            if (NoticeStall(Now - before - delay)) continue;
            CheckStaleOwnership();
            List<MembershipChange> changes;
            lock (_gate) changes = _membership.Tick(Now);
            Handle(changes);
            UpdateMonitorActivity();
            if (!_clusterStarted || MonitorReportsChanged() || (IsCoordinator && ViewComplete() && ReleasePolicy.ToStart(Config, CurrentState()).Count > 0))
                Enqueue(new Reconcile());
        }
    }

    long _monitorDigest;

    /// <summary>True when any node's monitor states changed since the last look: only then is there anything to reconcile.</summary>
    bool MonitorReportsChanged()
    {
        var hash = new HashCode();
        lock (_gate)
        {
            foreach (var m in _local.Snapshot().Monitors) hash.Add((Self, m.Name, m.State, m.ErrorCount));
            foreach (var p in _membership.Peers)
                if (_membership.StateOf(p) == PeerState.Online && _membership.LastReport(p) is HeartbeatReport r)
                    foreach (var m in r.Monitors) hash.Add((p, m.Name, m.State, m.ErrorCount));
        }
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
                    Alerts.Alert("warning", "nm", 3, $"Heartbeat path {p.Interconnect} to {p.Node} is down; {p.Node} is still reachable on another path.");
                    break;
                case PathUp p:
                    Alerts.Alert("info", "nm", 4, $"Heartbeat path {p.Interconnect} to {p.Node} is up again.");
                    break;
                case PeerJoined j:
                    lock (_gate) _confirmedDown.Remove(j.Node);
                    _proofs.Joined(j.Node, Now);
                    Alerts.Alert("info", "nm", 1, $"Server {j.Node} has started (heartbeat received).");
                    Enqueue(new PolicyWork(new NodeJoined(j.Node)));
                    break;
                case PeerLost l:
                    Alerts.Log("nm", $"no heartbeat from {l.Node} on any path for {Config.Cluster.Heartbeat.TimeoutMs} ms");
                    Enqueue(new PolicyWork(new NodeLost(l.Node)));
                    _ = HandleLossAsync(l.Node);
                    break;
                case PeerRestarted r:
                    HandleRestart(r.Node);
                    break;
            }
        }
    }

    List<string> ConfirmedDownList()
    {
        lock (_gate) return _confirmedDown.Where(n => _membership.StateOf(n) != PeerState.Online).ToList();
    }

    public long IncarnationOf(string node)
    {
        lock (_gate) return _membership.IncarnationOf(node);
    }

    /// <summary>The same incarnation online again never went down. A new one released what its journal says the old one
    /// held before it sent its first heartbeat (Leftovers), so once its report shows nothing that may still run, the old
    /// one is down.</summary>
    public LostNodeStatus LostNode(string node, long incarnation)
    {
        lock (_gate)
        {
            if (_membership.StateOf(node) == PeerState.Online)
            {
                if (_membership.IncarnationOf(node) == incarnation) return LostNodeStatus.Back;
                return _membership.LastReport(node)?.Groups.Any(GroupRecords.MayRun) == true ? LostNodeStatus.Lost : LostNodeStatus.Down;
            }
            return _confirmedDown.Contains(node) ? LostNodeStatus.Down : LostNodeStatus.Lost;
        }
    }

    public void RequestServiceStop(string reason)
    {
        _stopReason = reason;
        _stopping.Cancel();
    }

    public long NextGeneration(string group)
    {
        lock (_gate) return ClusterView.NextGeneration(ViewInputs(), group);
    }

    ClusterView.Inputs ViewInputs() => new(
        Config, Self,
        _serviceState == "suspended" ? NodeState.Suspended : NodeState.Online,
        BuildReportNoSeq(),
        n => _membership.StateOf(n),
        n => _membership.LastReport(n),
        n => _confirmedDown.Contains(n));

    HeartbeatReport BuildReportNoSeq()
    {
        var (groups, monitors) = _local.Snapshot();
        return new HeartbeatReport { Cluster = Config.Cluster.Name, Node = Self, Incarnation = _incarnation, ServiceState = _serviceState, Groups = groups, Monitors = monitors, ClusterStarted = _clusterStarted, JournalGenerations = _journalGenerations };
    }

    public ClusterState CurrentState()
    {
        lock (_gate) return ClusterView.BuildState(ViewInputs());
    }

    /// <summary>The coordinator: the online node with the lowest priority number (then name). Every node computes the same.</summary>
    public string Coordinator()
    {
        lock (_gate) return CoordinatorUnlocked();
    }

    bool IsCoordinator => Coordinator() == Self;

    async Task ShutdownAsync(string reason)
    {
        _shuttingDown = true;
        _serviceState = "stopping";
        SendSoon();
        Alerts.Alert("info", "pm", 2, $"Cluster service on {Self} is stopping: {reason}.");
        StopMonitors();
        var plan = PolicyEngine.Decide(Config, CurrentState(), new NodeStopping(Self, _lostResolution ? NodeStopCause.LostResolution : NodeStopCause.Shutdown));
        foreach (var step in plan.Actions.Where(a => a.Node == Self))
        {
            var outcome = await _runner.RunAsync(step, CancellationToken.None);
            if (!outcome.Ok) Alerts.Alert("error", "pm", 3, $"Stopping on {Self}: {outcome.Message}");
        }
        _transport?.Send(BuildReport());
        await StopMirrorsAsync();
        // Everything this node ran has stopped: the watchdog may stop counting.
        _feedStop.Cancel();
        await _feeding;
        _watchdog?.Disarm();
        Alerts.Alert("info", "pm", 4, $"Cluster service on {Self} has stopped.");
        if (_afterStopCommand != null) RunOsCommand(_afterStopCommand);
    }

    void RunOsCommand(string command)
    {
        if (CommandRunner.RunOsAction(command, TimeSpan.FromSeconds(30)) is string error)
            Alerts.Alert("error", "pm", 5, $"The command '{command}' could not run: {error}");
    }

    public async ValueTask DisposeAsync()
    {
        // Not disarmed: a service that ends without its orderly stop leaves the countdown running.
        _feedStop.Cancel();
        await _feeding;
        _watchdog?.Dispose();
        StopMonitors();
        _transport?.Dispose();
        await StopMirrorsAsync();
    }
}
