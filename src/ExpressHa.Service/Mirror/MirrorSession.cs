using System.Collections.Concurrent;

namespace ExpressHa.Service.Mirror;

/// <summary>One authenticated connection to the peer after the handshake: the decision taken for it, the requests
/// waiting for the peer's answer (by id), and whether the primary replicates writes over it.</summary>
internal sealed class MirrorSession
{
    readonly ConcurrentDictionary<ulong, TaskCompletionSource<MirrorFrame>> _pending = new();
    long _id;

    public MirrorSession(MirrorLink link, bool dialer) { Link = link; Dialer = dialer; }

    public MirrorLink Link { get; }
    public bool Dialer { get; }
    public CancellationTokenSource Cts { get; } = new();
    public CancellationToken Token => Cts.Token;
    public MirrorNodeState Peer { get; set; } = new();
    public SyncDecisionResult Decision { get; set; }
    /// <summary>Both sides agreed (handshake done); until then the session is invisible to the write path.</summary>
    public bool Established { get; set; }
    /// <summary>This side is primary and the peer receives every write (decision InSync or Source).</summary>
    public bool Replicating { get; set; }
    public bool PeerPrimary { get; set; }
    /// <summary>Closed on purpose (suspend, repair, dispose): not a mirror break.</summary>
    public bool Planned { get; set; }
    public bool Ended { get; set; }
    public long LastReceive = Environment.TickCount64;

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
