using ExpressHa.Config;
using ExpressHa.Service.Heartbeat;
using ExpressHa.Service.Membership;
using ExpressHa.Service.Partition;

namespace ExpressHa.Service.Runtime;

/// <summary>What this node knows of its peers: the membership table (their last reports, paths, online or lost) and
/// which lost peers count as down (fenced, or known to have stopped).
/// <para>Concurrency rule of the runtime: this class owns the cluster-state lock. Every read and write of the
/// membership table and the confirmed-down set happens in one of its methods, under that lock; nothing awaits and
/// nothing calls out (alerts, events, the work queue, mirror engines) while it is held. Whoever needs several facts
/// at once takes a <see cref="MembershipSnapshot"/> and decides on it outside the lock. The lock is never taken while
/// another is held (LocalState's included): the agent reads its own state first, then the peers'.</para></summary>
public sealed class MembershipState
{
    readonly object _gate = new();
    readonly MembershipTable _table;
    readonly HashSet<string> _confirmedDown = new(StringComparer.Ordinal);
    TaskCompletionSource _changed = NewSignal();

    static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next change of who is online or counts as down (a wait for a lost node wakes on it
    /// instead of at its next poll).</summary>
    public Task Changed()
    {
        lock (_gate) return _changed.Task;
    }

    /// <summary>Called under the lock: swaps the signal; the caller completes the old one after releasing it.</summary>
    TaskCompletionSource Swap()
    {
        var old = _changed;
        _changed = NewSignal();
        return old;
    }

    List<T> Signal<T>(List<T> changes, TaskCompletionSource? fired)
    {
        fired?.TrySetResult();
        return changes;
    }

    public MembershipState(ClusterConfig config, string self)
        => _table = new MembershipTable(config, self, config.Cluster.Heartbeat.TimeoutMs);

    public List<MembershipChange> Receive(HeartbeatReport report, string interconnect, long nowMs)
    {
        List<MembershipChange> changes;
        TaskCompletionSource? fired = null;
        lock (_gate)
        {
            changes = _table.Receive(report, interconnect, nowMs);
            if (changes.Count > 0) fired = Swap();
        }
        return Signal(changes, fired);
    }

    public List<MembershipChange> Tick(long nowMs)
    {
        List<MembershipChange> changes;
        TaskCompletionSource? fired = null;
        lock (_gate)
        {
            changes = _table.Tick(nowMs);
            if (changes.Count > 0) fired = Swap();
        }
        return Signal(changes, fired);
    }

    /// <summary>The witness saw these nodes <c>age</c> ms ago (its answer to this node's post at <paramref name="nowMs"/>).</summary>
    public List<MembershipChange> Witnessed(IEnumerable<KeyValuePair<string, long>> ages, long nowMs)
    {
        var changes = new List<MembershipChange>();
        lock (_gate)
            foreach (var (node, age) in ages)
                if (node != _table.Self && age >= 0) changes.AddRange(_table.Witnessed(node, nowMs - age, nowMs));
        return changes;
    }

    public long? NextExpiryInMs(long nowMs)
    {
        lock (_gate) return _table.NextExpiryInMs(nowMs);
    }

    public List<string> Peers()
    {
        lock (_gate) return _table.Peers.ToList();
    }

    public PeerState StateOf(string node)
    {
        lock (_gate) return _table.StateOf(node);
    }

    public bool IsOnline(string node) => StateOf(node) == PeerState.Online;

    public HeartbeatReport? LastReport(string node)
    {
        lock (_gate) return _table.LastReport(node);
    }

    public long IncarnationOf(string node)
    {
        lock (_gate) return _table.IncarnationOf(node);
    }

    public List<string> OnlinePeers()
    {
        lock (_gate) return _table.Peers.Where(p => _table.StateOf(p) == PeerState.Online).ToList();
    }

    /// <summary>The last report of every online peer.</summary>
    public List<HeartbeatReport> OnlineReports()
    {
        lock (_gate)
            return _table.Peers.Where(p => _table.StateOf(p) == PeerState.Online).Select(p => _table.LastReport(p)).OfType<HeartbeatReport>().ToList();
    }

    /// <summary>Every peer was heard at least once (online or lost since).</summary>
    public bool AllHeard()
    {
        lock (_gate) return _table.Peers.All(p => _table.StateOf(p) != PeerState.Offline);
    }

    public bool AllOnline()
    {
        lock (_gate) return _table.Peers.All(p => _table.StateOf(p) == PeerState.Online);
    }

    /// <summary>The newest heartbeat of ours each online peer echoed, for the next report's <c>Heard</c>.</summary>
    public Dictionary<string, HeardEcho> HeardEchoes()
    {
        var heard = new Dictionary<string, HeardEcho>(StringComparer.Ordinal);
        lock (_gate)
            foreach (var p in _table.Peers)
                if (_table.StateOf(p) == PeerState.Online && _table.LastReport(p) is HeartbeatReport r)
                    heard[p] = new HeardEcho { Incarnation = r.Incarnation, Seq = r.Seq };
        return heard;
    }

    /// <summary>Counts the node as down; true when it did not count so before.</summary>
    public bool ConfirmDown(string node)
    {
        TaskCompletionSource? fired = null;
        bool added;
        lock (_gate)
        {
            added = _confirmedDown.Add(node);
            if (added) fired = Swap();
        }
        fired?.TrySetResult();
        return added;
    }

    /// <summary>Takes over a peer's word that these nodes are down (those not online here); returns the ones new here.</summary>
    public List<string> ConfirmDownFromPeer(IEnumerable<string> nodes)
    {
        var added = new List<string>();
        TaskCompletionSource? fired = null;
        lock (_gate)
        {
            foreach (var n in nodes)
                if (n != _table.Self && _table.StateOf(n) != PeerState.Online && _confirmedDown.Add(n)) added.Add(n);
            if (added.Count > 0) fired = Swap();
        }
        return Signal(added, fired);
    }

    /// <summary>The node joined again: it no longer counts as down.</summary>
    public void Rejoined(string node)
    {
        lock (_gate) _confirmedDown.Remove(node);
    }

    /// <summary>The nodes that count as down and are not online (sent in every heartbeat).</summary>
    public List<string> ConfirmedDown()
    {
        lock (_gate) return _confirmedDown.Where(n => _table.StateOf(n) != PeerState.Online).ToList();
    }

    /// <summary>The same incarnation online again never went down. A new one released what its journal says the old one
    /// held before it sent its first heartbeat (Leftovers), so once its report shows nothing that may still run, the old
    /// one is down.</summary>
    public LostNodeStatus LostNode(string node, long incarnation)
    {
        lock (_gate)
        {
            if (_table.StateOf(node) == PeerState.Online)
            {
                if (_table.IncarnationOf(node) == incarnation) return LostNodeStatus.Back;
                return _table.LastReport(node)?.Groups.Any(GroupRecords.MayRun) == true ? LostNodeStatus.Lost : LostNodeStatus.Down;
            }
            return _confirmedDown.Contains(node) ? LostNodeStatus.Down : LostNodeStatus.Lost;
        }
    }

    /// <summary>How long ago any path last heard the node (the timeout when none ever did) and its watchdog bound.</summary>
    public (long SinceHeardMs, int? WatchdogMs, int? ProofLeaseMs) LossFacts(string node, long nowMs, int heartbeatTimeoutMs)
    {
        lock (_gate)
        {
            var ages = _table.PathAges(node, nowMs).Values.Where(a => a != null).Select(a => a!.Value).ToList();
            var last = _table.LastReport(node);
            return (ages.Count > 0 ? ages.Min() : heartbeatTimeoutMs, last?.WatchdogMs, last?.ProofLeaseMs);
        }
    }

    /// <summary>Each peer as partition resolution sees it: online, and how long ago any path heard it.</summary>
    public List<PeerSighting> Sightings(long nowMs)
    {
        lock (_gate)
            return _table.Peers.Select(p => new PeerSighting(p, _table.StateOf(p) == PeerState.Online, _table.PathAges(p, nowMs).Values.Min())).ToList();
    }

    /// <summary>Everything at once, consistent; <paramref name="withPathAges"/> for the status's path table.</summary>
    public MembershipSnapshot Snapshot(long nowMs, bool withPathAges = false)
    {
        lock (_gate)
        {
            var states = new Dictionary<string, PeerState>(StringComparer.Ordinal);
            var reports = new Dictionary<string, HeartbeatReport>(StringComparer.Ordinal);
            var ages = new Dictionary<string, IReadOnlyDictionary<string, long?>>(StringComparer.Ordinal);
            foreach (var p in _table.Peers)
            {
                states[p] = _table.StateOf(p);
                if (_table.LastReport(p) is HeartbeatReport r) reports[p] = r;
                if (withPathAges) ages[p] = _table.PathAges(p, nowMs);
            }
            return new MembershipSnapshot(states, reports, new HashSet<string>(_confirmedDown, StringComparer.Ordinal), ages);
        }
    }
}

/// <summary>The peers as this node knew them at one instant: their membership state, their last report (online or
/// not), which count as down, and (when asked for) the age of each heartbeat path.</summary>
public sealed record MembershipSnapshot(
    IReadOnlyDictionary<string, PeerState> States,
    IReadOnlyDictionary<string, HeartbeatReport> Reports,
    IReadOnlySet<string> ConfirmedDown,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, long?>> PathAges)
{
    public PeerState StateOf(string node) => States.GetValueOrDefault(node, PeerState.Offline);

    public HeartbeatReport? ReportOf(string node) => Reports.GetValueOrDefault(node);

    public bool IsOnline(string node) => StateOf(node) == PeerState.Online;

    public IEnumerable<HeartbeatReport> OnlineReports()
        => States.Where(kv => kv.Value == PeerState.Online).Select(kv => ReportOf(kv.Key)).OfType<HeartbeatReport>();

    public IReadOnlyDictionary<string, long?> PathAgesOf(string node)
        => PathAges.TryGetValue(node, out var a) ? a : new Dictionary<string, long?>();
}
