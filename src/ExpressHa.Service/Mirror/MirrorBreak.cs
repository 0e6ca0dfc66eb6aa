using ExpressHa.Api;

namespace ExpressHa.Service.Mirror;

/// <summary>The end of a session, and the mirror break: when a primary loses a replicating session it did not close on
/// purpose, writes freeze until the peer confirms it outdated its copy (OutdatePeer) or membership says the peer node is
/// down (<see cref="PeerNodeDown"/>); then a new generation (the bitmap records since the peer's point), alert 1, and
/// the primary goes on alone.</summary>
internal sealed class MirrorBreak(MirrorSide side)
{
    // Under side.Lock.
    bool _peerDown;
    TaskCompletionSource _peerDownSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    MirrorOptions O => side.O;

    /// <summary>A session was established: the peer is up again. Caller holds side.Lock.</summary>
    public void PeerConnected()
    {
        _peerDown = false;
        _peerDownSignal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public void PeerNodeDown()
    {
        lock (side.Lock)
        {
            _peerDown = true;
            _peerDownSignal.TrySetResult();
        }
        side.Log($"{O.PeerNode} is down (membership)");
    }

    /// <summary>Ends the session once: fails its requests, and, when a primary loses a replicating session that was
    /// not closed on purpose, freezes writes until the peer is outdated or known down.</summary>
    public void EndSession(MirrorSession s, string why)
    {
        TaskCompletionSource? startFreeze = null;
        lock (side.Lock)
        {
            bool replicating = side.IsReplicating(s);
            if (!s.TryEnd(out bool planned)) return;
            if (!planned && replicating && side.Frozen is null && !side.Disposed)
                startFreeze = side.Frozen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (side.Session == s)
            {
                side.Session = null;
                side.Machine.SessionEnded(planned, side.Meta.Gen.Current != 0);
                side.Settle();
            }
        }
        try { s.Cts.Cancel(); } catch { }
        s.Link.Close();
        s.FailAll($"mirror link to {O.PeerNode} closed: {why}");
        side.Log($"disconnected from {O.PeerNode}: {why}");
        if (startFreeze is not null) _ = Task.Run(() => ResolveFreezeAsync(startFreeze));
    }

    /// <summary>Waits while writes are frozen (link loss being resolved).</summary>
    public async ValueTask WaitUnfrozenAsync(CancellationToken ct)
    {
        Task? gate;
        lock (side.Lock) gate = side.Frozen?.Task;
        if (gate is not null) await gate.WaitAsync(ct).ConfigureAwait(false);
    }

    async Task ResolveFreezeAsync(TaskCompletionSource gate)
    {
        side.Log($"lost {O.PeerNode} while primary: writes are frozen until the peer is outdated or known down");
        var ct = side.Stopping.Token;
        string how = "";
        while (!ct.IsCancellationRequested)
        {
            Task downSignal;
            lock (side.Lock)
            {
                if (_peerDown) { how = $"{O.PeerNode} is down"; break; }
                downSignal = _peerDownSignal.Task;
            }
            if (O.OutdatePeer is not null)
            {
                try
                {
                    using var t = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    t.CancelAfter(TimeSpan.FromSeconds(10));
                    if (await O.OutdatePeer(t.Token).ConfigureAwait(false)) { how = $"{O.PeerNode} marked its copy outdated"; break; }
                }
                catch (Exception e) when (!ct.IsCancellationRequested) { side.Log($"outdating {O.PeerNode} failed: {e.Message}"); }
            }
            try { await Task.WhenAny(Task.Delay(1000, ct), downSignal).ConfigureAwait(false); }
            catch (OperationCanceledException) { }
        }
        if (ct.IsCancellationRequested)
        {
            gate.TrySetException(new BlockDeviceException(BlockDeviceException.ESHUTDOWN, $"mirror {side.Name} is shutting down"));
            return;
        }
        lock (side.Lock)
        {
            side.Meta.Gen.StartNew();
            side.Meta.WriteHeader();
            side.Frozen = null;
            side.LastError = $"mirror break: lost {O.PeerNode}";
            side.Settle();
        }
        side.Alert(AlertEvents.Mm.Break,
            $"mirror break: mirror {side.Name} lost {O.PeerNode} ({how}); {O.LocalNode} goes on alone and records the changes for a differential resync");
        gate.TrySetResult();
    }
}
