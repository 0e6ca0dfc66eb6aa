namespace ExpressHa.Service.Runtime;

/// <summary>For each peer, the newest proof that it still counts this node alive, as a time on this node's monotonic
/// clock: the send time of this node's newest heartbeat the peer echoed (its report's <c>Heard</c> names our
/// incarnation and sequence number), or of this node's newest witness post whose answer showed the peer still seeing
/// it. Only a time this node sent something the peer then saw counts, so a proof is never later than the peer's own
/// "last heard" of this node (<see cref="Watchdog.FeedRule"/>). Also which peers' losses this node survived.
/// Thread-safe.</summary>
public sealed class PeerProofs
{
    const int Slots = 1024;
    readonly object _gate = new();
    readonly long[] _sentSeq = new long[Slots];
    readonly long[] _sentAt = new long[Slots];
    readonly Dictionary<string, long> _proof = new(StringComparer.Ordinal);
    readonly HashSet<string> _survived = new(StringComparer.Ordinal);

    public PeerProofs() => Array.Fill(_sentSeq, -1);

    /// <summary>This node sent heartbeat <paramref name="seq"/> at <paramref name="atMs"/>.</summary>
    public void Sent(long seq, long atMs)
    {
        lock (_gate)
        {
            _sentSeq[seq % Slots] = seq;
            _sentAt[seq % Slots] = atMs;
        }
    }

    /// <summary>The peer's report says it heard our heartbeat <paramref name="seq"/> of <paramref name="incarnation"/>.</summary>
    public void Echoed(string peer, long incarnation, long seq, long ownIncarnation)
    {
        if (incarnation != ownIncarnation || seq < 0) return;
        lock (_gate)
        {
            if (_sentSeq[seq % Slots] != seq) return;
            Raise(peer, _sentAt[seq % Slots]);
        }
    }

    /// <summary>A witness post sent at <paramref name="sentAtMs"/> was accepted and its answer showed these peers still
    /// seeing this node.</summary>
    public void Vouched(IEnumerable<string> peers, long sentAtMs)
    {
        lock (_gate)
            foreach (var p in peers) Raise(p, sentAtMs);
    }

    /// <summary>A peer (re)joined: it hears us from now on or the proof goes stale; its old loss is over.</summary>
    public void Joined(string peer, long nowMs)
    {
        lock (_gate)
        {
            _proof[peer] = nowMs;
            _survived.Remove(peer);
        }
    }

    public void Survived(string peer)
    {
        lock (_gate) _survived.Add(peer);
    }

    public bool HasSurvived(string peer)
    {
        lock (_gate) return _survived.Contains(peer);
    }

    public long? ProofAgeMs(string peer, long nowMs)
    {
        lock (_gate) return _proof.TryGetValue(peer, out var t) ? Math.Max(0, nowMs - t) : null;
    }

    void Raise(string peer, long atMs)
    {
        if (!_proof.TryGetValue(peer, out var t) || atMs > t) _proof[peer] = atMs;
    }
}
