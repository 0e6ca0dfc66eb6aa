using ExpressHa.Service.Heartbeat;
using ExpressHa.Service.Membership;
using ExpressHa.Policy;

namespace ExpressHa.Service.Runtime;

/// <summary>Self-protection. A node that finds a group it runs reported by a live peer under a newer ownership
/// generation (or the same generation from a more preferred node) stops its copy at once: it was cut off or stalled
/// and the cluster moved on without it. A node whose own timer woke up later than the heartbeat timeout holds every
/// decision until fresh reports arrived, so it does not take a late look for a loss.</summary>
public sealed partial class NodeAgent
{
    sealed record StopStale(string Group, string Holder) : Work;

    readonly HashSet<string> _staleQueued = new(StringComparer.Ordinal);
    long _holdUntilMs;

    bool Holding => Now < Interlocked.Read(ref _holdUntilMs);

    /// <summary>Called by the tick with how late it woke up; true when this tick must not judge membership.</summary>
    bool NoticeStall(long lateMs)
    {
        var timeout = Config.Cluster.Heartbeat.TimeoutMs;
        if (lateMs < timeout) return Holding;
        var hold = 2L * Config.Cluster.Heartbeat.IntervalMs + 200;
        Interlocked.Exchange(ref _holdUntilMs, Now + hold);
        Alerts.Alert("error", "pm", 20, $"The cluster service on {Self} was stalled for {lateMs} ms, longer than the heartbeat timeout ({timeout} ms); " +
            "it waits for fresh heartbeats and stops any group the others took over before acting.");
        return true;
    }

    void CheckStaleOwnership()
    {
        var mine = _local.Snapshot().Groups.Where(g => g.State is "online" or "starting").ToList();
        if (mine.Count == 0) return;
        var myPriority = Config.FindNode(Self)?.Priority ?? int.MaxValue;
        var found = new List<(string Group, string Holder)>();
        lock (_gate)
        {
            foreach (var peer in _membership.Peers)
            {
                if (_membership.StateOf(peer) != PeerState.Online || _membership.LastReport(peer) is not HeartbeatReport r) continue;
                var peerPriority = Config.FindNode(peer)?.Priority ?? int.MaxValue;
                foreach (var g in mine)
                {
                    var theirs = r.Groups.FirstOrDefault(x => x.Name == g.Name && x.State is "online" or "starting");
                    if (theirs == null) continue;
                    var newer = theirs.Generation > g.Generation
                        || (theirs.Generation == g.Generation && (peerPriority < myPriority || (peerPriority == myPriority && string.CompareOrdinal(peer, Self) < 0)));
                    if (newer && _staleQueued.Add(g.Name)) found.Add((g.Name, peer));
                }
            }
        }
        foreach (var (group, holder) in found) Enqueue(new StopStale(group, holder));
    }

    async Task StopStaleAsync(StopStale s, CancellationToken ct)
    {
        try
        {
            var group = Config.FindGroup(s.Group);
            if (group == null || _local.Read(s.Group, g => g?.State ?? GroupState.Offline) is GroupState.Offline) return;
            Alerts.Alert("error", "pm", 21, $"Group {s.Group} also runs on {s.Holder} under a newer ownership; {Self} was cut off or stalled, so it stops its copy now.");
            var (ok, _, reason) = await RunLocalAsync(GroupPlans.Stop(group, Self).ToList(), ct);
            if (!ok) Alerts.Alert("error", "pm", 22, $"Stopping the stale copy of group {s.Group} on {Self} failed: {reason}. Stop it by hand.");
        }
        finally
        {
            lock (_gate) _staleQueued.Remove(s.Group);
        }
    }
}
