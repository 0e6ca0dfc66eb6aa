using ExpressHa.Api;
using ExpressHa.Service.Alerts;
using ExpressHa.Service.Membership;
using ExpressHa.Service.Watchdog;

namespace ExpressHa.Service.Runtime;

/// <summary>The node watchdog (cluster.watchdog): armed once a previous run's leftovers are stopped, fed by
/// <see cref="FeedRule"/>'s verdict on this node's view (also during an orderly stop, unless this node lost partition
/// resolution), disarmed only after an orderly stop stopped every group.</summary>
public sealed class WatchdogHost(ConfigStore config, string? deviceOverride, IAlertSink alerts, ServiceLifecycle life, MembershipState members,
    PeerProofs proofs, LocalState local, NodeClock clock)
{
    readonly CancellationTokenSource _feedStop = new();
    WatchdogDevice? _device;
    Task _feeding = Task.CompletedTask;
    long _lastTickAt;

    /// <summary>The armed device's timeout; null when no watchdog is armed.</summary>
    public int? TimeoutMs => _device?.TimeoutMs;

    /// <summary>The proof lease this node feeds by (<see cref="ProofLease"/>); null without a watchdog.</summary>
    public int? ProofLeaseMs => _device is { } d ? ProofLease.Ms(config.Current, d.TimeoutMs) : null;

    /// <summary>The tick loop is alive (it calls this each time it wakes).</summary>
    public void Ticked() => Interlocked.Exchange(ref _lastTickAt, clock.NowMs);

    /// <summary>Arms the device and starts feeding it.</summary>
    public void Arm()
    {
        Ticked();
        var w = config.Current.Cluster.Watchdog;
        if (!w.IsEnabled) return;
        var device = deviceOverride ?? w.Device;
        _device = WatchdogDevice.Open(device, w.TimeoutMs);
        alerts.Raise(AlertEvents.Wd.Armed, $"The watchdog {device} is armed: this machine resets within {_device.TimeoutMs} ms of the last feed" +
            (_device.IsStandIn ? " (a stand-in file: the harness watching it plays the reset)." : "."));
        var armed = _device;
        var feeder = new WatchdogFeeder(armed, VerdictNow, () => FeedRule.PeriodMs(config.Current.Cluster.Heartbeat.IntervalMs, armed.TimeoutMs), alerts);
        _feeding = feeder.RunAsync(_feedStop.Token);
    }

    /// <summary>Everything this node ran has stopped: the watchdog may stop counting.</summary>
    public async Task DisarmAsync()
    {
        _feedStop.Cancel();
        await _feeding;
        _device?.Disarm();
    }

    /// <summary>Not disarmed: a service that ends without its orderly stop leaves the countdown running.</summary>
    public async Task AbandonAsync()
    {
        _feedStop.Cancel();
        await _feeding;
        _device?.Dispose();
    }

    FeedVerdict VerdictNow()
    {
        var c = config.Current;
        var now = clock.NowMs;
        var tick = Math.Clamp(c.Cluster.Heartbeat.IntervalMs / 2, 25, 500);
        var snapshot = members.Snapshot(now);
        var peers = snapshot.States.Select(kv => new PeerFeedView(kv.Key, kv.Value switch
            {
                PeerState.Online => PeerStanding.Online,
                PeerState.Lost => PeerStanding.Lost,
                _ => PeerStanding.NeverHeard,
            }, snapshot.ConfirmedDown.Contains(kv.Key) || proofs.HasSurvived(kv.Key), proofs.ProofAgeMs(kv.Key, now))).ToList();
        return FeedRule.Decide(new FeedInputs
        {
            // A tick later than the heartbeat timeout is a stall (as NoticeStall counts it); a shorter lateness is load, e.g.
            // at start-up on a small machine. A stalled node stops feeding within a timeout of its last tick, and so of
            // the last heartbeat its peers heard: inside the bound survivors wait on. The orderly stop runs after the
            // loops ended; the proofs still bound it when survivors rely on them.
            LoopsAlive = life.ShuttingDown || now - Interlocked.Read(ref _lastTickAt) <= Math.Max(4L * tick, c.Cluster.Heartbeat.TimeoutMs),
            LostResolution = life.LostResolution,
            SurvivorsRelyOnWatchdog = !c.Cluster.Fencing.IsEnabled && c.Cluster.PartitionResolution.IsConfigured,
            HeartbeatTimeoutMs = c.Cluster.Heartbeat.TimeoutMs,
            ProofLeaseMs = _device is { } wd ? ProofLease.Ms(c, wd.TimeoutMs) : null,
            RunsGroups = local.Snapshot().Groups.Any(Heartbeat.GroupRecords.MayRun),
            Peers = peers,
        });
    }
}
