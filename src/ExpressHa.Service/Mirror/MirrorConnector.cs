using System.Diagnostics;
using System.Net.Sockets;
using ExpressHa.Api;

namespace ExpressHa.Service.Mirror;

/// <summary>The mirror-connect link: the node whose name sorts lower dials (every ConnectRetryInterval), the other
/// accepts; one link at a time (the state machine's handshake owns it). After <see cref="LinkHandshake"/>, both sides
/// apply <see cref="SyncDecision"/> to the exchanged states and the session starts (<see cref="SessionHandler"/>).</summary>
internal sealed class MirrorConnector(MirrorSide side, MirrorBreak breaks, SessionHandler sessions, ResyncSource resync)
{
    readonly LinkHandshake _handshake = new(side);
    TcpListener? _listener;
    Task? _dialLoop, _acceptLoop;

    MirrorOptions O => side.O;

    /// <summary>Listens on the mirror-connect address (throws when it cannot).</summary>
    public void Listen()
    {
        var listener = new TcpListener(O.ListenEndPoint);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        _listener = listener;
    }

    /// <summary>Accepts, and dials when this side is the dialer, until <see cref="MirrorSide.Stopping"/>.</summary>
    public void Run()
    {
        var token = side.Stopping.Token;
        _acceptLoop = Task.Run(() => AcceptLoopAsync(token), CancellationToken.None);
        if (side.IsDialer) _dialLoop = Task.Run(() => DialLoopAsync(token), CancellationToken.None);
    }

    /// <summary>Stops listening and dialling (the caller cancelled <see cref="MirrorSide.Stopping"/>) and waits for the
    /// loops and the running link task, so nothing touches the files after they close.</summary>
    public async Task StopAsync()
    {
        try { _listener?.Stop(); } catch { }
        foreach (var t in new[] { _dialLoop, _acceptLoop })
            if (t is not null) try { await t.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false); } catch { }
        var sw = Stopwatch.StartNew();
        while (HasLink() && sw.Elapsed < TimeSpan.FromSeconds(5)) await Task.Delay(10).ConfigureAwait(false);
    }

    bool HasLink() { lock (side.Lock) return side.Machine.HasLink; }

    bool CanConnect()
    {
        lock (side.Lock)
            return !side.Disposed && !side.LinkBlockedForTest && side.Frozen is null && !side.Restoring && side.Machine.IsUnconnected
                   && !side.Meta.Has(MetaFlags.SuspendedSource);
    }

    async Task DialLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            if (CanConnect())
            {
                var sock = new Socket(O.PeerEndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    using (var t = CancellationTokenSource.CreateLinkedTokenSource(ct))
                    {
                        t.CancelAfter(TimeSpan.FromSeconds(3));
                        // A blocking connect (a timeout disposes the socket, which ends it): the link's socket must
                        // never serve an asynchronous operation (see MirrorLink).
                        using (t.Token.Register(sock.Dispose))
                            await Task.Factory.StartNew(() => sock.Connect(O.PeerEndPoint), CancellationToken.None,
                                TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
                    }
                    await RunLinkAsync(new MirrorLink(sock, O.LinkTimeout), dialer: true, ct).ConfigureAwait(false);
                }
                catch (Exception) when (!ct.IsCancellationRequested) { sock.Dispose(); }
                catch { sock.Dispose(); throw; }
            }
            try { await Task.Delay(O.ConnectRetryInterval, ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
        }
    }

    async Task AcceptLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket sock;
            try { sock = await _listener!.AcceptSocketAsync(ct).ConfigureAwait(false); }
            catch (Exception) when (ct.IsCancellationRequested) { return; }
            catch (Exception e) { side.Log($"accept: {e.Message}"); await Task.Delay(200, CancellationToken.None).ConfigureAwait(false); continue; }
            if (side.IsDialer || !CanConnect()) { sock.Dispose(); continue; }
            _ = Task.Run(async () =>
            {
                try { await RunLinkAsync(new MirrorLink(sock, O.LinkTimeout), dialer: false, ct).ConfigureAwait(false); }
                catch { sock.Dispose(); }
            }, CancellationToken.None);
        }
    }

    /// <summary>Handshake, then the session until the link ends.</summary>
    async Task RunLinkAsync(MirrorLink link, bool dialer, CancellationToken ct)
    {
        bool mine;
        lock (side.Lock) mine = side.Machine.TryBeginHandshake();
        if (!mine)
        {
            link.Close();
            return;
        }
        try
        {
            MirrorSession? s = null;
            try
            {
                if (await _handshake.RunAsync(link, dialer, ct).ConfigureAwait(false) is { } r) s = Establish(r.Session, r.Sent, r.Peer);
            }
            catch (Exception e) when (!ct.IsCancellationRequested) { side.LinkLog($"handshake with {O.PeerNode} failed: {e.Message}"); }
            if (s is null) { link.Close(); return; }
            await sessions.RunAsync(s).ConfigureAwait(false);
        }
        finally
        {
            lock (side.Lock)
            {
                side.Machine.HandshakeBroke();
                side.Machine.LinkTaskFinished();
            }
        }
    }

    MirrorSession? Establish(MirrorSession s, MirrorNodeState sent, MirrorNodeState peer)
    {
        SyncDecisionResult d;
        bool alertSplit = false, alertConnected = false;
        lock (side.Lock)
        {
            if (side.Disposed) return null;
            // Both sides decide from the states they exchanged; if ours changed meanwhile (promote, new generation),
            // the peer's decision may differ from ours: start over.
            var local = side.LocalState();
            if (local.Current != sent.Current || local.BitmapGen != sent.BitmapGen || local.Flags != sent.Flags
                || local.Primary != sent.Primary || (local.DirtyBlocks == 0) != (sent.DirtyBlocks == 0))
            {
                side.LinkLog("local state changed during the handshake; reconnecting");
                return null;
            }
            d = SyncDecision.Decide(sent, peer);
            side.PeerGeneration = peer.Current;
            var m = side.Meta;
            switch (d.Action)
            {
                case SyncAction.Incompatible:
                    side.Machine.HandshakeRefused();
                    side.LastError = $"mirror {side.Name}: cannot connect to {O.PeerNode}: {d.Reason}";
                    side.LinkLog(side.LastError);
                    return null;
                case SyncAction.Suspended:
                    side.Machine.HandshakeRefused();
                    side.LinkLog($"replication with {O.PeerNode} is suspended");
                    return null;
                case SyncAction.SplitBrain:
                    if (!m.Has(MetaFlags.SplitBrain)) { m.Set(MetaFlags.SplitBrain, true); m.WriteHeader(); }
                    side.LastError = $"mirror {side.Name}: split brain with {O.PeerNode}: {d.Reason}; run Repair-HaMirror -Source <node whose data wins>";
                    alertSplit = !side.SplitBrainAlerted;
                    side.SplitBrainAlerted = true;
                    break;
                default:
                    side.LastError = null;
                    if (m.Has(MetaFlags.SplitBrain) && d.Action == SyncAction.InSync)
                    {
                        m.Set(MetaFlags.SplitBrain, false);
                        m.WriteHeader();
                    }
                    side.SplitBrainAlerted = false;
                    alertConnected = true;
                    break;
            }
            s.Establish(peer);
            side.Session = s;
            side.Machine.SessionEstablished(d.Action);
            breaks.PeerConnected();
            side.Settle();
        }
        side.Log($"connected to {O.PeerNode} ({(s.Link.Encrypted ? "encrypted" : "plain")}): {d}");
        if (alertSplit)
            side.Alert(AlertEvents.Mm.SplitBrain,
                $"mirror {side.Name}: split brain detected between {O.LocalNode} and {O.PeerNode} ({d.Reason}); no data moves until Repair-HaMirror -Source <node>");
        if (alertConnected) side.Alert(AlertEvents.Mm.Connected, $"mirror {side.Name}: {O.LocalNode} connected to {O.PeerNode}");
        bool primaryWithBits = side.Machine.IsPrimary && side.OpenCopy.DirtyBlocks > 0;
        if (d.Action == SyncAction.Source) resync.Start(s, d.Full);
        else if (d.Action == SyncAction.InSync && primaryWithBits) resync.Start(s, false);
        return s;
    }
}
