namespace ExpressHa.Service.Partition;

/// <summary>How this node last saw one peer: its membership state and the age of its freshest heartbeat on any path
/// (null: never heard).</summary>
public sealed record PeerSighting(string Node, bool Online, long? AgeMs);

/// <summary>The peers that count as this node's side when it decides a partition: online and heard within half the
/// heartbeat timeout. A node cut off from everyone times its peers out one by one (a path's timer each); deciding on the
/// first loss, it would otherwise count a peer it no longer hears either, only because that peer's timer has not run
/// out yet, survive on a majority it does not have, and fence the healthy side.</summary>
public static class SidePeers
{
    public static List<string> Select(IEnumerable<PeerSighting> peers, int heartbeatTimeoutMs)
    {
        ArgumentNullException.ThrowIfNull(peers);
        var freshWithinMs = heartbeatTimeoutMs / 2;
        return peers.Where(p => p.Online && p.AgeMs is long age && age <= freshWithinMs).Select(p => p.Node).ToList();
    }
}
