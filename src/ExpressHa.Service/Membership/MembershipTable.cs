using ExpressHa.Config;
using ExpressHa.Service.Heartbeat;

namespace ExpressHa.Service.Membership;

public enum PeerState { Offline, Online, Lost }

public abstract record MembershipChange(string Node);
public sealed record PathUp(string Node, string Interconnect) : MembershipChange(Node);
public sealed record PathDown(string Node, string Interconnect) : MembershipChange(Node);
public sealed record PeerJoined(string Node) : MembershipChange(Node);
/// <summary>Every path timed out.</summary>
public sealed record PeerLost(string Node) : MembershipChange(Node);
/// <summary>A new incarnation arrived while the old one still counted as online: the node restarted within the timeout.</summary>
public sealed record PeerRestarted(string Node) : MembershipChange(Node);

/// <summary>Who is alive, per path. Pure bookkeeping: the caller passes the time (monotonic ms) and gets the changes.</summary>
public sealed class MembershipTable
{
    readonly Dictionary<string, Peer> _peers = new(StringComparer.Ordinal);
    readonly int _timeoutMs;

    /// <summary>The path name of the witness heartbeat (partitionResolution.http with heartbeat: true).</summary>
    public const string WitnessPath = "witness";

    public MembershipTable(ClusterConfig config, string self, int timeoutMs)
    {
        Self = self;
        _timeoutMs = timeoutMs;
        var own = config.FindNode(self)?.Addresses.Keys.ToHashSet(StringComparer.Ordinal) ?? new HashSet<string>();
        var witness = config.Cluster.PartitionResolution.Http is { Heartbeat: true };
        foreach (var n in config.Nodes.Where(n => n.Name != self))
            _peers[n.Name] = new Peer(n.Addresses.Keys.Where(own.Contains).Concat(witness ? new[] { WitnessPath } : Array.Empty<string>()));
    }

    /// <summary>The witness saw <paramref name="node"/> post at <paramref name="seenAtMs"/> (our clock): that keeps its
    /// witness path up while the node is online, so a broken interconnect alone is a path warning, not a loss. It never
    /// makes a node join: that takes a real heartbeat with the node's report.</summary>
    public List<MembershipChange> Witnessed(string node, long seenAtMs, long nowMs)
    {
        var changes = new List<MembershipChange>();
        if (!_peers.TryGetValue(node, out var peer) || peer.State != PeerState.Online || !peer.Paths.TryGetValue(WitnessPath, out var path)) return changes;
        if (nowMs - seenAtMs >= _timeoutMs || (path.LastSeenMs is long last && seenAtMs <= last)) return changes;
        var seenBefore = path.LastSeenMs != null;
        path.LastSeenMs = seenAtMs;
        if (!path.Up)
        {
            path.Up = true;
            if (seenBefore) changes.Add(new PathUp(node, WitnessPath));
        }
        return changes;
    }

    public string Self { get; }

    public IEnumerable<string> Peers => _peers.Keys;

    public PeerState StateOf(string node) => _peers.TryGetValue(node, out var p) ? p.State : PeerState.Offline;

    public HeartbeatReport? LastReport(string node) => _peers.TryGetValue(node, out var p) ? p.Report : null;

    /// <summary>The incarnation whose reports this table holds for the node (0: none yet).</summary>
    public long IncarnationOf(string node) => _peers.TryGetValue(node, out var p) ? p.Incarnation : 0;

    /// <summary>Milliseconds since the last valid heartbeat per path (null: never).</summary>
    public IReadOnlyDictionary<string, long?> PathAges(string node, long nowMs)
        => _peers.TryGetValue(node, out var p)
            ? p.Paths.ToDictionary(kv => kv.Key, kv => kv.Value.LastSeenMs is long t ? nowMs - t : (long?)null)
            : new Dictionary<string, long?>();

    public bool PathUpNow(string node, string interconnect)
        => _peers.TryGetValue(node, out var p) && p.Paths.TryGetValue(interconnect, out var path) && path.Up;

    public List<MembershipChange> Receive(HeartbeatReport report, string interconnect, long nowMs)
    {
        var changes = new List<MembershipChange>();
        if (!_peers.TryGetValue(report.Node, out var peer) || !peer.Paths.TryGetValue(interconnect, out var path)) return changes;

        if (peer.Incarnation != report.Incarnation)
        {
            // A packet from an older incarnation must not replace a newer one.
            if (peer.Report != null && report.SentAtMs <= peer.Report.SentAtMs) return changes;
            // A new incarnation that adopted what this very incarnation ran (ResumedFrom) continues it: no restart.
            var continuation = peer.State == PeerState.Online && peer.Incarnation != 0 && report.ResumedFrom == peer.Incarnation;
            if (peer.State == PeerState.Online && peer.Incarnation != 0 && !continuation)
            {
                // Restarted within the timeout: whatever it ran is gone. Treat it as lost now (its last report stays for
                // the recovery decision) and let the new incarnation join only after a full timeout.
                peer.State = PeerState.Lost;
                foreach (var p in peer.Paths.Values) p.Up = false;
                peer.HoldUntilMs = nowMs + _timeoutMs;
                changes.Add(new PeerRestarted(report.Node));
                return changes;
            }
            if (nowMs < peer.HoldUntilMs) return changes;
            peer.Incarnation = report.Incarnation;
            foreach (var p in peer.Paths.Values) p.LastSeq = -1;
        }
        if (report.Seq <= path.LastSeq) return changes;
        path.LastSeq = report.Seq;
        var seenBefore = path.LastSeenMs != null;
        path.LastSeenMs = nowMs;
        if (peer.Report == null || report.Seq >= peer.Report.Seq || peer.Report.Incarnation != report.Incarnation) peer.Report = report;
        if (!path.Up)
        {
            path.Up = true;
            // "Up again" only for a path that had been seen: the second path of a node that just joined is simply up.
            if (peer.State == PeerState.Online && seenBefore) changes.Add(new PathUp(report.Node, interconnect));
        }
        if (peer.State != PeerState.Online)
        {
            peer.State = PeerState.Online;
            foreach (var (name, p) in peer.Paths) if (!p.Up) p.LastSeenMs = null;
            changes.Add(new PeerJoined(report.Node));
        }
        return changes;
    }

    /// <summary>Milliseconds until the next path of an online peer times out (null: none can), so the caller can look
    /// exactly then instead of up to a tick late.</summary>
    public long? NextExpiryInMs(long nowMs)
    {
        long? next = null;
        foreach (var peer in _peers.Values)
        {
            if (peer.State != PeerState.Online) continue;
            foreach (var path in peer.Paths.Values)
                if (path.Up && path.LastSeenMs is long seen)
                {
                    var due = Math.Max(0, seen + _timeoutMs - nowMs);
                    if (next is not long n || due < n) next = due;
                }
        }
        return next;
    }

    public List<MembershipChange> Tick(long nowMs)
    {
        var changes = new List<MembershipChange>();
        foreach (var (name, peer) in _peers)
        {
            if (peer.State != PeerState.Online) continue;
            foreach (var (ic, path) in peer.Paths)
            {
                if (!path.Up || path.LastSeenMs is not long seen || nowMs - seen < _timeoutMs) continue;
                path.Up = false;
                changes.Add(new PathDown(name, ic));
            }
            if (peer.Paths.Values.All(p => !p.Up))
            {
                peer.State = PeerState.Lost;
                changes.RemoveAll(c => c is PathDown d && d.Node == name);
                changes.Add(new PeerLost(name));
            }
        }
        return changes;
    }

    sealed class Peer
    {
        public Peer(IEnumerable<string> interconnects)
        {
            foreach (var ic in interconnects) Paths[ic] = new PathInfo();
        }

        public PeerState State { get; set; } = PeerState.Offline;
        public long Incarnation { get; set; }
        public long HoldUntilMs { get; set; }
        public HeartbeatReport? Report { get; set; }
        public Dictionary<string, PathInfo> Paths { get; } = new(StringComparer.Ordinal);
    }

    sealed class PathInfo
    {
        public bool Up { get; set; }
        public long? LastSeenMs { get; set; }
        public long LastSeq { get; set; } = -1;
    }
}
