using ExpressHa.Api;
using ExpressHa.Config;
using ExpressHa.Service.Heartbeat;

namespace ExpressHa.Service.Runtime;

/// <summary>Which of the groups this node runs (online or starting) a live peer also runs under a newer ownership
/// (<see cref="OwnershipRule"/>): this node was cut off or stalled and the cluster moved on, so its copy must stop.
/// Pure: this node's records and the online peers' last reports in, the groups to stop and the peer holding each out.</summary>
public static class StaleOwnership
{
    /// <summary>A record of a copy that runs (or is being started).</summary>
    public static bool Runs(GroupReport g) => g.State is GroupStates.Online or GroupStates.Starting;

    /// <summary>Each group at most once, with the first peer (in the order given) found holding it under a newer ownership.</summary>
    public static List<(string Group, string Holder)> Find(ClusterConfig config, string self, IEnumerable<GroupReport> mine, IEnumerable<HeartbeatReport> onlinePeers)
    {
        var running = mine.Where(Runs).ToList();
        var found = new List<(string Group, string Holder)>();
        if (running.Count == 0) return found;
        var myPriority = config.FindNode(self)?.Priority ?? int.MaxValue;
        foreach (var r in onlinePeers)
        {
            if (r.Node == self) continue;
            var peerPriority = config.FindNode(r.Node)?.Priority ?? int.MaxValue;
            foreach (var g in running)
            {
                var theirs = r.Groups.FirstOrDefault(x => x.Name == g.Name && Runs(x));
                if (theirs == null || found.Any(f => f.Group == g.Name)) continue;
                var newer = OwnershipRule.Compare(
                    new OwnershipClaim(r.Node, theirs.Generation, Live: true, Held: true, peerPriority),
                    new OwnershipClaim(self, g.Generation, Live: true, Held: true, myPriority)) > 0;
                if (newer) found.Add((g.Name, r.Node));
            }
        }
        return found;
    }
}
