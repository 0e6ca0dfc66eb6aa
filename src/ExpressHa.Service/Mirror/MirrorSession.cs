using System.Collections.Concurrent;

namespace ExpressHa.Service.Mirror;

/// <summary>Where a session is in its life. Only an established session is the engine's current one.</summary>
internal enum SessionPhase
{
    /// <summary>Authenticated; the states are being exchanged.</summary>
    Handshaking,
    /// <summary>Both sides agreed on a decision: the session carries writes and resync.</summary>
    Established,
    /// <summary>Being closed on purpose (suspend, repair, outdate, restore, shutdown, the peer leaving): its end is no mirror break.</summary>
    Closing,
    Ended,
}

/// <summary>One authenticated connection to the peer after the handshake: its phase, the peer's state, and the requests waiting for the peer's answer (by id). Whether the primary replicates over it
/// follows from the state machine (<see cref="MirrorSide.IsReplicating"/>). Changed under the side's lock.</summary>
internal sealed class MirrorSession
{
    readonly ConcurrentDictionary<ulong, TaskCompletionSource<MirrorFrame>> _pending = new();
    long _id;
    long _lastReceive = Environment.TickCount64;

    public MirrorSession(MirrorLink link, bool dialer) { Link = link; Dialer = dialer; }

    public MirrorLink Link { get; }
    public bool Dialer { get; }
    public CancellationTokenSource Cts { get; } = new();
    public CancellationToken Token => Cts.Token;
    public SessionPhase Phase { get; private set; } = SessionPhase.Handshaking;
    public MirrorNodeState Peer { get; private set; } = new();
    public bool Ended => Phase == SessionPhase.Ended;
    public bool PeerPrimary => Peer.Primary;
    /// <summary>Tick count of the last frame received (the ping loop's link timeout).</summary>
    public long LastReceive => Interlocked.Read(ref _lastReceive);

    public void Received() => Interlocked.Exchange(ref _lastReceive, Environment.TickCount64);

    /// <summary>Both sides agreed (the decision becomes the state machine's replication state).</summary>
    public void Establish(MirrorNodeState peer)
    {
        if (Phase != SessionPhase.Handshaking) throw new InvalidOperationException($"session {Phase}: established twice");
        Peer = peer;
        Phase = SessionPhase.Established;
    }

    /// <summary>From now on, its end is planned (not a mirror break).</summary>
    public void CloseOnPurpose()
    {
        if (Phase == SessionPhase.Established) Phase = SessionPhase.Closing;
    }

    /// <summary>Ends the session once; false when it had ended already. <paramref name="planned"/>: it was closed on purpose.</summary>
    public bool TryEnd(out bool planned)
    {
        planned = Phase == SessionPhase.Closing;
        if (Phase == SessionPhase.Ended) return false;
        Phase = SessionPhase.Ended;
        return true;
    }

    public void PeerRoleChanged(bool primary) => Peer = Peer with { Primary = primary };

    /// <summary>A resync from this side finished: the peer holds <paramref name="current"/>, consistent and not outdated.</summary>
    public void PeerSynced(ulong current) =>
        Peer = Peer with { Current = current, Flags = Peer.Flags & ~(MetaFlags.Outdated | MetaFlags.SyncTargetInProgress) };

    public ulong NextId() => (ulong)Interlocked.Increment(ref _id);

    /// <summary>Sends a request and returns the task of its answer (same id). The frame is on the wire when this returns,
    /// so callers holding a block lock keep the wire order equal to the lock order.</summary>
    public async Task<Task<MirrorFrame>> SendRequestAsync(MirrorFrame frame, CancellationToken ct)
    {
        // Completed on the session's receive thread; the waiting write goes on there (one thread hop less per write).
        var tcs = new TaskCompletionSource<MirrorFrame>();
        _pending[frame.Id] = tcs;
        if (Ended) tcs.TrySetException(new IOException("mirror link closed"));
        try { await Link.SendAsync(frame, ct).ConfigureAwait(false); }
        catch (Exception e)
        {
            _pending.TryRemove(frame.Id, out _);
            throw new IOException($"mirror link send failed: {e.Message}", e);
        }
        return tcs.Task;
    }

    public async Task<MirrorFrame> RequestAsync(MirrorFrame frame, TimeSpan timeout, CancellationToken ct)
    {
        var answer = await SendRequestAsync(frame, ct).ConfigureAwait(false);
        try { return await answer.WaitAsync(timeout, ct).ConfigureAwait(false); }
        finally { _pending.TryRemove(frame.Id, out _); }
    }

    /// <summary>Stops waiting for the answer of a request sent with <see cref="SendRequestAsync"/>.</summary>
    public void Forget(ulong id) => _pending.TryRemove(id, out _);

    public void Complete(MirrorFrame answer)
    {
        if (_pending.TryRemove(answer.Id, out var tcs)) tcs.TrySetResult(answer);
    }

    public void FailAll(string why)
    {
        foreach (var id in _pending.Keys)
            if (_pending.TryRemove(id, out var tcs)) tcs.TrySetException(new IOException(why));
    }
}
