using ExpressHa.Service.Membership;
using ExpressHa.Service.Watchdog;

namespace ExpressHa.Service.Runtime;

/// <summary>The node watchdog (cluster.watchdog): armed once a previous run's leftovers are stopped, fed by
/// <see cref="FeedRule"/>'s verdict on this node's view (also during an orderly stop, unless this node lost partition
/// resolution), disarmed only after an orderly stop stopped every group.</summary>
public sealed partial class NodeAgent
{
    void ArmWatchdog()
    {
        var w = Config.Cluster.Watchdog;
        if (!w.IsEnabled) return;
        var device = _o.WatchdogDevice ?? w.Device;
        _watchdog = WatchdogDevice.Open(device, w.TimeoutMs);
        Alerts.Alert("info", "wd", 4, $"The watchdog {device} is armed: this machine resets within {_watchdog.TimeoutMs} ms of the last feed" +
            (_watchdog.IsStandIn ? " (a stand-in file: the harness watching it plays the reset)." : "."));
    }

    async Task FeedLoop(CancellationToken ct)
    {
        if (_watchdog == null) return;
        var feeder = new WatchdogFeeder(_watchdog, FeedVerdictNow,
            () => FeedRule.PeriodMs(Config.Cluster.Heartbeat.IntervalMs, _watchdog.TimeoutMs), Alerts);
        await feeder.RunAsync(ct);
    }

    FeedVerdict FeedVerdictNow()
    {
        var c = Config;
        var now = Now;
        var tick = Math.Clamp(c.Cluster.Heartbeat.IntervalMs / 2, 25, 500);
        var peers = new List<PeerFeedView>();
        lock (_gate)
            foreach (var p in _membership.Peers)
            {
                var standing = _membership.StateOf(p) switch
                {
                    PeerState.Online => PeerStanding.Online,
                    PeerState.Lost => PeerStanding.Lost,
                    _ => PeerStanding.NeverHeard,
                };
                peers.Add(new PeerFeedView(p, standing, _confirmedDown.Contains(p) || _proofs.HasSurvived(p), _proofs.ProofAgeMs(p, now)));
            }
        return FeedRule.Decide(new FeedInputs
        {
            // A tick later than the heartbeat timeout is a stall (as NoticeStall counts it); a shorter lateness is load, e.g.
            // at start-up on a small machine. A stalled node stops feeding within a timeout of its last tick, and so of
            // the last heartbeat its peers heard: inside the bound survivors wait on. The orderly stop runs after the
            // loops ended; the proofs still bound it when survivors rely on them.
            LoopsAlive = _shuttingDown || now - Interlocked.Read(ref _lastTickAt) <= Math.Max(4L * tick, c.Cluster.Heartbeat.TimeoutMs),
            LostResolution = _lostResolution,
            SurvivorsRelyOnWatchdog = !c.Cluster.Fencing.IsEnabled && c.Cluster.PartitionResolution.IsConfigured,
            HeartbeatTimeoutMs = c.Cluster.Heartbeat.TimeoutMs,
            ProofLeaseMs = _watchdog is { } wd ? ProofLease.Ms(c, wd.TimeoutMs) : null,
            RunsGroups = _local.Snapshot().Groups.Any(Heartbeat.GroupRecords.MayRun),
            Peers = peers,
        });
    }
}
