using ExpressHa.Api;
using ExpressHa.Policy;
using ExpressHa.Service.Alerts;
using ExpressHa.Service.Heartbeat;

namespace ExpressHa.Service.Runtime;

/// <summary>Self-protection. A node that finds a group it runs reported by a live peer under a newer ownership
/// (<see cref="StaleOwnership"/>) stops its copy at once: it was cut off or stalled and the cluster moved on without it.
/// A node whose own timer woke up later than the heartbeat timeout holds every decision until fresh reports arrived,
/// so it does not take a late look for a loss.</summary>
public sealed class StaleOwnershipGuard(ConfigStore config, string self, LocalState local, MembershipState members, IAlertSink alerts, NodeClock clock)
{
    readonly HashSet<string> _queued = new(StringComparer.Ordinal);
    long _holdUntilMs;

    /// <summary>True while decisions wait for fresh heartbeats after a stall.</summary>
    public bool Holding => clock.NowMs < Interlocked.Read(ref _holdUntilMs);

    /// <summary>Called by the tick with how late it woke up; true when this tick must not judge membership.</summary>
    public bool NoticeStall(long lateMs)
    {
        var c = config.Current;
        var timeout = c.Cluster.Heartbeat.TimeoutMs;
        if (lateMs < timeout) return Holding;
        var hold = 2L * c.Cluster.Heartbeat.IntervalMs + 200;
        Interlocked.Exchange(ref _holdUntilMs, clock.NowMs + hold);
        alerts.Raise(AlertEvents.Pm.Stalled, $"The cluster service on {self} was stalled for {lateMs} ms, longer than the heartbeat timeout ({timeout} ms); " +
            "it waits for fresh heartbeats and stops any group the others took over before acting.");
        return true;
    }

    /// <summary>The groups this node must stop now (each once until its stop ran).</summary>
    public List<StopStale> Check()
    {
        var mine = local.Snapshot().Groups;
        if (!mine.Any(StaleOwnership.Runs)) return new();
        var found = StaleOwnership.Find(config.Current, self, mine, members.OnlineReports());
        lock (_queued) return found.Where(f => _queued.Add(f.Group)).Select(f => new StopStale(f.Group, f.Holder)).ToList();
    }

    public async Task StopAsync(StopStale s, LocalSteps steps, CancellationToken ct)
    {
        try
        {
            var group = config.Current.FindGroup(s.Group);
            if (group == null || local.Read(s.Group, g => g?.State ?? GroupState.Offline) is GroupState.Offline) return;
            alerts.Raise(AlertEvents.Pm.StaleCopy, $"Group {s.Group} also runs on {s.Holder} under a newer ownership; {self} was cut off or stalled, so it stops its copy now.");
            var outcome = await steps.RunAllAsync(GroupPlans.Stop(group, self).ToList(), ct);
            if (!outcome.Ok) alerts.Raise(AlertEvents.Pm.StaleCopyStopFailed, $"Stopping the stale copy of group {s.Group} on {self} failed: {outcome.Reason}. Stop it by hand.");
        }
        finally
        {
            lock (_queued) _queued.Remove(s.Group);
        }
    }
}
