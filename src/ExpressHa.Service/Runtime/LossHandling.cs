using ExpressHa.Config;
using ExpressHa.Service.Fencing;
using ExpressHa.Service.Heartbeat;
using ExpressHa.Service.Membership;
using ExpressHa.Service.Partition;
using ExpressHa.Policy;

namespace ExpressHa.Service.Runtime;

/// <summary>What happens when a peer is lost, before any group moves (safety rule 1):
/// 1. partition resolution, when configured: a node that loses it stops its groups and its service (and runs the
///    configured OS action) instead of taking anything over;
/// 2. fencing, when configured: the coordinator fences the lost node; only a fenced node counts as down;
/// 3. without fencing but with partition resolution: the lost node stops itself once it loses resolution, so it counts
///    as down after the time that takes;
/// 4. with neither (an unsafe setup the validator warns about): it counts as down at once.
/// The NodeLost plan waits (WaitForNodeDown) until the node counts as down; that fact travels in heartbeats.</summary>
public sealed partial class NodeAgent
{
    WitnessClient? _witness;
    string? _afterStopCommand;
    volatile bool _lostResolution;
    volatile bool _lastWitnessReachable;
    /// <summary>The witness's ages of every node in its answer to this node's last partition resolution post.</summary>
    IReadOnlyDictionary<string, long> _lastWitnessAges = new Dictionary<string, long>();

    Fencer FencerInstance => _parts.Fencer;

    WitnessClient Witness(ClusterConfig c)
        => _witness ??= new WitnessClient(c.Cluster.PartitionResolution.Http!.Url, c.Cluster.Name, Self, _o.Key);

    async Task HandleLossAsync(string node)
    {
        try
        {
            var config = Config;
            var pr = config.Cluster.PartitionResolution;
            long? witnessSilence = null;
            if (pr.IsConfigured)
            {
                // Give the witness one interval to forget the lost node's last post (ping, tcp and majority have nothing to wait for).
                if (pr.Http != null) await Task.Delay(config.Cluster.Heartbeat.IntervalMs, _stopping.Token);
                var verdict = await ResolvePartitionAsync(config);
                if (!verdict.Survives && pr.Http != null && verdict.Methods.Any(m => m.Method == "http" && !m.Passed) && _lastWitnessReachable)
                {
                    // The witness may still count the lost node's last post as recent (its posts and our heartbeats are
                    // not in step): look once more after half a timeout before giving up this node.
                    await Task.Delay(config.Cluster.Heartbeat.TimeoutMs / 2 + config.Cluster.Heartbeat.IntervalMs, _stopping.Token);
                    verdict = await ResolvePartitionAsync(config);
                }
                foreach (var w in verdict.Warnings) Alerts.Log("np", w);
                if (!verdict.Survives)
                {
                    LoseResolution(config, node, verdict.Reason);
                    return;
                }
                _proofs.Survived(node);
                witnessSilence = _lastWitnessAges.TryGetValue(node, out var age) ? age : null;
                Alerts.Alert("info", "np", 2, $"Partition resolution after losing {node}: {Self} survives ({verdict.Reason}).");
            }
            if (config.Cluster.Fencing.IsEnabled)
            {
                if (Coordinator() != Self) return;
                var outcome = await FencerInstance.FenceAsync(config, node, Self, "every heartbeat path timed out",
                    () => _membership.StateOf(node) != PeerState.Online && _serviceState == "running", _stopping.Token);
                if (outcome.Fenced) ConfirmDown(node, "it was fenced");
                return;
            }
            var plan = LostNodeWait.Decide(WaitInputs(config, node, witnessSilence));
            if (plan.Basis == WaitBasis.Unprotected)
            {
                ConfirmDown(node, plan.Reason);
                return;
            }
            Alerts.Alert(plan.Basis == WaitBasis.Watchdog ? "info" : "warning", "np", 3,
                $"No fencing is configured: the groups of {node} start here after {plan.WaitMs} ms, because {plan.Reason}.");
            if (plan.WaitMs > 0) await Task.Delay(TimeSpan.FromMilliseconds(plan.WaitMs), _stopping.Token);
            bool stillLost;
            lock (_gate) stillLost = _membership.StateOf(node) != PeerState.Online;
            if (stillLost) ConfirmDown(node, plan.Basis == WaitBasis.Watchdog
                ? "its watchdog has reset it (the bound has passed)"
                : "it lost partition resolution and had the time to stop itself");
        }
        catch (OperationCanceledException) { }
        catch (Exception ex)
        {
            Alerts.Alert("error", "np", 9, $"Handling the loss of {node} failed: {ex.Message}; its groups stay down until it is confirmed down.");
        }
    }

    /// <summary>A peer restarted within the heartbeat timeout. Its new service knows nothing of what the old one
    /// started, but a crashed service leaves that running (an exec daemon, an address): only a restarted machine has
    /// really lost it. So when the old incarnation's last report may still run a group, the node counts as down only
    /// once it is fenced (by the coordinator), as for any lost node. Without fencing, or when it ran nothing (a group
    /// it released, stopped to move, runs nothing), it counts as down at once (without fencing this is unsafe for
    /// resources that outlive the service). Either way the NodeLost decision comes first, on the old report.</summary>
    void HandleRestart(string node)
    {
        bool ranSomething;
        lock (_gate) ranSomething = _membership.LastReport(node) is HeartbeatReport old && old.Groups.Any(GroupRecords.MayRun);
        var fence = ranSomething && Config.Cluster.Fencing.IsEnabled;
        Alerts.Alert("error", "nm", 5, fence
            ? $"Server {node} restarted within the heartbeat timeout while it ran a group; what its old service started may still run, so it counts as lost and is fenced before its groups move."
            : $"Server {node} restarted within the heartbeat timeout; it counts as lost.");
        if (!fence)
            lock (_gate) _confirmedDown.Add(node);
        Enqueue(new PolicyWork(new NodeLost(node)));
        if (fence) _ = FenceRestartedAsync(node);
    }

    async Task FenceRestartedAsync(string node)
    {
        try
        {
            if (Coordinator() != Self) return;
            var outcome = await FencerInstance.FenceAsync(Config, node, Self, "it restarted within the heartbeat timeout while it ran a group",
                () => _serviceState == "running", _stopping.Token);
            if (outcome.Fenced) ConfirmDown(node, "it was fenced");
        }
        catch (OperationCanceledException) { }
        catch (Exception ex)
        {
            Alerts.Alert("error", "np", 9, $"Fencing the restarted {node} failed: {ex.Message}; its groups stay down until it is confirmed down.");
        }
    }

    public async Task<bool> FenceAsync(string target, string reason, CancellationToken ct)
    {
        var outcome = await FencerInstance.FenceAsync(Config, target, Self, reason, () => _serviceState == "running", ct);
        if (outcome.Fenced) ConfirmDown(target, "it was fenced");
        return outcome.Fenced;
    }

    LostNodeWaitInputs WaitInputs(ClusterConfig c, string node, long? witnessSilence)
    {
        var pr = c.Cluster.PartitionResolution;
        long sinceHeard;
        int? watchdogMs;
        var now = Now;
        lock (_gate)
        {
            var ages = _membership.PathAges(node, now).Values.Where(a => a != null).Select(a => a!.Value).ToList();
            sinceHeard = ages.Count > 0 ? ages.Min() : c.Cluster.Heartbeat.TimeoutMs;
            watchdogMs = _membership.LastReport(node)?.WatchdogMs;
        }
        return new LostNodeWaitInputs
        {
            FencingEnabled = c.Cluster.Fencing.IsEnabled,
            ResolutionConfigured = pr.IsConfigured,
            HeartbeatIntervalMs = c.Cluster.Heartbeat.IntervalMs,
            HeartbeatTimeoutMs = c.Cluster.Heartbeat.TimeoutMs,
            ResolutionCheckMs = Math.Max(pr.Ping?.TimeoutMs ?? 0, Math.Max(pr.Tcp?.TimeoutMs ?? 0, pr.Http?.TimeoutMs ?? 0)),
            LostNodeWatchdogMs = watchdogMs,
            SinceLastHeardMs = sinceHeard,
            WitnessSilenceMs = witnessSilence,
        };
    }

    void ConfirmDown(string node, string why)
    {
        lock (_gate) _confirmedDown.Add(node);
        MirrorPeerDown(node);
        SendSoon();
        Alerts.Alert("info", "np", 4, $"{node} counts as down: {why}.");
    }

    async Task<PartitionVerdict> ResolvePartitionAsync(ClusterConfig c)
    {
        var pr = c.Cluster.PartitionResolution;
        List<string> visible;
        var now = Now;
        lock (_gate)
            visible = SidePeers.Select(_membership.Peers.Select(p => new PeerSighting(p, _membership.StateOf(p) == PeerState.Online,
                _membership.PathAges(p, now).Values.Min())), c.Cluster.Heartbeat.TimeoutMs);
        var ping = pr.Ping != null ? new PingCheck().CheckAsync(pr.Ping) : Task.FromResult<CheckResult>(null!);
        var tcp = pr.Tcp != null ? TcpCheck.CheckAsync(pr.Tcp) : Task.FromResult<CheckResult>(null!);
        var witness = pr.Http != null ? Witness(c).PostAsync(visible, pr.Http.TimeoutMs) : Task.FromResult<WitnessResult>(null!);
        await Task.WhenAll(ping, tcp, witness);
        _lastWitnessReachable = pr.Http != null && witness.Result.Reachable;
        if (_lastWitnessReachable) _lastWitnessAges = witness.Result.AgesMs;
        return PartitionDecision.Decide(new PartitionInputs
        {
            Settings = pr,
            Self = Self,
            Nodes = c.Nodes,
            VisiblePeers = visible,
            Ping = pr.Ping != null ? ping.Result : null,
            Tcp = pr.Tcp != null ? tcp.Result : null,
            Witness = pr.Http != null ? witness.Result : null,
            WitnessSeenWithinMs = c.Cluster.Heartbeat.TimeoutMs,
        });
    }

    void LoseResolution(ClusterConfig c, string lost, string reason)
    {
        var action = c.Cluster.PartitionResolution.Action;
        Alerts.Alert("error", "np", 1, $"{Self} lost partition resolution after losing {lost} ({reason}); it stops its groups and its cluster service" +
            (action == PartitionActions.StopService ? "." : $", then runs the {action} command."));
        _lostResolution = true;
        _afterStopCommand = action switch
        {
            PartitionActions.Shutdown => c.Cluster.ShutdownCommand,
            PartitionActions.Reboot => c.Cluster.RebootCommand,
            _ => null,
        };
        RequestServiceStop($"partition resolution lost ({reason})");
    }

    /// <summary>Posts this node's liveness (and whom it sees) to the witness every interval when it serves as a heartbeat
    /// path, and counts the peers the witness saw recently as alive on the "witness" path.</summary>
    async Task WitnessLoop(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var c = Config;
            var http = c.Cluster.PartitionResolution.Http;
            try { await Task.Delay(c.Cluster.Heartbeat.IntervalMs, ct); } catch (OperationCanceledException) { return; }
            if (http == null || !http.Heartbeat) continue;
            List<string> visible;
            lock (_gate) visible = _membership.Peers.Where(p => _membership.StateOf(p) == PeerState.Online).ToList();
            var sentAt = Now;
            var result = await Witness(c).PostAsync(visible, http.TimeoutMs, ct);
            if (!result.Reachable) continue;
            _proofs.Vouched(result.Sees.Where(kv => kv.Key != Self && kv.Value.Contains(Self)).Select(kv => kv.Key), sentAt);
            var now = Now;
            var changes = new List<Membership.MembershipChange>();
            lock (_gate)
                foreach (var (node, age) in result.AgesMs)
                    if (node != Self && age >= 0) changes.AddRange(_membership.Witnessed(node, now - age, now));
            Handle(changes);
        }
    }
}
