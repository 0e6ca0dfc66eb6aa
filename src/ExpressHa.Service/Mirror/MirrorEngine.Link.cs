using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using ExpressHa.Config;

namespace ExpressHa.Service.Mirror;

/// <summary>The mirror-connect link: the node whose name sorts lower dials (every ConnectRetryInterval), the other
/// accepts; one session at a time. Handshake: mutual HMAC challenge-response with the cluster key, an encryption check
/// (a sealed known token: a different mirror key is reported as a key mismatch), then both exchange their state and
/// apply <see cref="SyncDecision"/>.</summary>
public sealed partial class MirrorEngine
{
    sealed record HelloMsg(string Mirror, string Node, byte[] Challenge, byte[]? Proof);

    static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Test hook: no dialing, incoming connections closed (a cut network, with both engines running).</summary>
    internal volatile bool LinkBlockedForTest;
    /// <summary>Test hook: the next received frame is not handled until this completes or the session ends (a hung peer).</summary>
    internal TaskCompletionSource? StallReceiveForTest;

    bool CanConnect()
    {
        lock (_state)
            return !_disposed && !LinkBlockedForTest && _frozen is null && !_restoring && _sm.IsUnconnected
                   && !_meta!.Has(MetaFlags.SuspendedSource);
    }

    async Task DialLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            if (CanConnect())
            {
                var sock = new Socket(_o.PeerEndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    using (var t = CancellationTokenSource.CreateLinkedTokenSource(ct))
                    {
                        t.CancelAfter(TimeSpan.FromSeconds(3));
                        await sock.ConnectAsync(_o.PeerEndPoint, t.Token).ConfigureAwait(false);
                    }
                    await RunLinkAsync(new MirrorLink(sock), dialer: true, ct).ConfigureAwait(false);
                }
                catch (Exception) when (!ct.IsCancellationRequested) { sock.Dispose(); }
                catch { sock.Dispose(); throw; }
            }
            try { await Task.Delay(_o.ConnectRetryInterval, ct).ConfigureAwait(false); }
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
            catch (Exception e) { Log($"accept: {e.Message}"); await Task.Delay(200, CancellationToken.None).ConfigureAwait(false); continue; }
            if (IsDialer || !CanConnect()) { sock.Dispose(); continue; }
            _ = Task.Run(async () =>
            {
                try { await RunLinkAsync(new MirrorLink(sock), dialer: false, ct).ConfigureAwait(false); }
                catch { sock.Dispose(); }
            }, CancellationToken.None);
        }
    }

    /// <summary>Handshake, then the session until the link ends.</summary>
    async Task RunLinkAsync(MirrorLink link, bool dialer, CancellationToken ct)
    {
        bool mine;
        lock (_state) mine = _sm.TryBeginHandshake();
        if (!mine)
        {
            link.Close();
            return;
        }
        try
        {
            MirrorSession? s = null;
            try { s = await HandshakeAsync(link, dialer, ct).ConfigureAwait(false); }
            catch (Exception e) when (!ct.IsCancellationRequested) { LinkLog($"handshake with {_o.PeerNode} failed: {e.Message}"); }
            if (s is null) { link.Close(); return; }
            await OnOwnThread(() => SessionLoopAsync(s), "mirror " + Name).ConfigureAwait(false);
        }
        finally
        {
            lock (_state)
            {
                _sm.HandshakeBroke();
                _sm.LinkTaskFinished();
            }
        }
    }

    string? _lastLinkLog;
    void LinkLog(string message)
    {
        if (message == _lastLinkLog) return;
        _lastLinkLog = message;
        Log(message);
    }

    async Task<MirrorSession?> HandshakeAsync(MirrorLink link, bool dialer, CancellationToken outer)
    {
        using var hs = CancellationTokenSource.CreateLinkedTokenSource(outer);
        hs.CancelAfter(HandshakeTimeout);
        var ct = hs.Token;
        var ck = _o.ClusterKey;
        byte[] cD, cA;

        async Task<MirrorFrame> Expect(FrameType type)
        {
            var f = await link.ReceiveAsync(ct).ConfigureAwait(false);
            if (f.Type == FrameType.AuthFail) throw new AuthException(false);
            if (f.Type == FrameType.KeyFail) throw new KeyException(false);
            if (f.Type != type) throw new InvalidDataException($"expected {type}, got {f.Type}");
            return f;
        }
        static MirrorFrame Json<T>(FrameType t, T value) => new(t, Payload: JsonSerializer.SerializeToUtf8Bytes(value));
        static T Parse<T>(MirrorFrame f) => JsonSerializer.Deserialize<T>(f.Payload.Span) ?? throw new InvalidDataException($"empty {f.Type}");

        link.MaxBody = 4096;
        try
        {
            // 1. Mutual challenge-response.
            if (dialer)
            {
                cD = LinkCrypto.NewChallenge();
                await link.SendAsync(Json(FrameType.Hello, new HelloMsg(Name, _o.LocalNode, cD, null)), ct).ConfigureAwait(false);
                var reply = Parse<HelloMsg>(await Expect(FrameType.HelloReply).ConfigureAwait(false));
                CheckPeerIdentity(reply);
                cA = reply.Challenge;
                var expected = LinkCrypto.Proof(ck, Name, "acceptor", _o.PeerNode, cD, cA);
                if (reply.Proof is null || !LinkCrypto.ProofEquals(expected, reply.Proof))
                {
                    await link.SendAsync(new MirrorFrame(FrameType.AuthFail), ct).ConfigureAwait(false);
                    throw new AuthException(true);
                }
                await link.SendAsync(new MirrorFrame(FrameType.Proof, Payload: LinkCrypto.Proof(ck, Name, "dialer", _o.LocalNode, cD, cA)), ct).ConfigureAwait(false);
                await Expect(FrameType.AuthOk).ConfigureAwait(false);
            }
            else
            {
                var hello = Parse<HelloMsg>(await Expect(FrameType.Hello).ConfigureAwait(false));
                CheckPeerIdentity(hello);
                cD = hello.Challenge;
                cA = LinkCrypto.NewChallenge();
                await link.SendAsync(Json(FrameType.HelloReply,
                    new HelloMsg(Name, _o.LocalNode, cA, LinkCrypto.Proof(ck, Name, "acceptor", _o.LocalNode, cD, cA))), ct).ConfigureAwait(false);
                var proof = await Expect(FrameType.Proof).ConfigureAwait(false);
                if (!LinkCrypto.ProofEquals(LinkCrypto.Proof(ck, Name, "dialer", _o.PeerNode, cD, cA), proof.Payload.Span))
                {
                    await link.SendAsync(new MirrorFrame(FrameType.AuthFail), ct).ConfigureAwait(false);
                    throw new AuthException(true);
                }
                await link.SendAsync(new MirrorFrame(FrameType.AuthOk), ct).ConfigureAwait(false);
            }

            // 2. Encryption check: same setting, same key.
            bool enc = _o.EncryptionKey is not null;
            FrameCipher? tx = null, rx = null;
            if (enc)
            {
                var (d2a, a2d) = LinkCrypto.SessionKeys(_o.EncryptionKey!, cD, cA);
                tx = new FrameCipher(dialer ? d2a : a2d);
                rx = new FrameCipher(dialer ? a2d : d2a);
            }
            byte[] MyCheck() => enc ? [1, .. tx!.Seal(LinkCrypto.KeyCheckToken)] : [0];
            bool CheckPeer(ReadOnlySpan<byte> p)
            {
                if (p.Length < 1 || (p[0] == 1) != enc) return false;
                if (!enc) return true;
                try { return rx!.Open(p[1..]).AsSpan().SequenceEqual(LinkCrypto.KeyCheckToken); }
                catch (CryptographicException) { return false; }
            }
            if (dialer)
            {
                await link.SendAsync(new MirrorFrame(FrameType.KeyCheck, Payload: MyCheck()), ct).ConfigureAwait(false);
                var ok = await Expect(FrameType.KeyOk).ConfigureAwait(false);
                if (!CheckPeer(ok.Payload.Span))
                {
                    await link.SendAsync(new MirrorFrame(FrameType.KeyFail), ct).ConfigureAwait(false);
                    throw new KeyException(true);
                }
            }
            else
            {
                var check = await Expect(FrameType.KeyCheck).ConfigureAwait(false);
                if (!CheckPeer(check.Payload.Span))
                {
                    await link.SendAsync(new MirrorFrame(FrameType.KeyFail), ct).ConfigureAwait(false);
                    throw new KeyException(true);
                }
                await link.SendAsync(new MirrorFrame(FrameType.KeyOk, Payload: MyCheck()), ct).ConfigureAwait(false);
            }
            if (enc) link.EnableCrypto(tx!, rx!);
            link.MaxBody = MirrorFrame.MaxBody;
        }
        catch (AuthException)
        {
            SetLinkProblem(ConnectionState.AuthFailed, $"mirror-connect authentication with {_o.PeerNode} failed: the nodes hold different cluster keys",
                EventAuthFailed);
            return null;
        }
        catch (KeyException)
        {
            SetLinkProblem(ConnectionState.KeyMismatch, $"mirror-connect key mismatch with {_o.PeerNode}: both nodes need the same key file", EventKeyMismatch);
            return null;
        }

        // 3. State exchange and the decision.
        var session = new MirrorSession(link, dialer);
        var sent = LocalStateLocked();
        await link.SendAsync(Json(FrameType.State, sent), ct).ConfigureAwait(false);
        var peer = Parse<MirrorNodeState>(await Expect(FrameType.State).ConfigureAwait(false));
        if (peer.Node != _o.PeerNode) throw new InvalidDataException($"state from '{peer.Node}', expected {_o.PeerNode}");
        return Establish(session, sent, peer);
    }

    MirrorNodeState LocalStateLocked() { lock (_state) return LocalState(); }

    void CheckPeerIdentity(HelloMsg m)
    {
        if (m.Mirror != Name || m.Node != _o.PeerNode)
            throw new InvalidDataException($"the connection is from mirror '{m.Mirror}' on '{m.Node}', expected mirror {Name} on {_o.PeerNode}");
    }

    void SetLinkProblem(ConnectionState state, string message, int eventId)
    {
        bool changed;
        lock (_state)
        {
            changed = _sm.ShownConnection != state;
            if (state == ConnectionState.AuthFailed) _sm.HandshakeAuthFailed();
            else _sm.HandshakeKeyMismatch();
            _lastError = message;
        }
        if (changed) Alert(AlertLevels.Error, eventId, message);
    }

    MirrorSession? Establish(MirrorSession s, MirrorNodeState sent, MirrorNodeState peer)
    {
        SyncDecisionResult d;
        bool alertSplit = false, alertConnected = false;
        lock (_state)
        {
            if (_disposed) return null;
            // Both sides decide from the states they exchanged; if ours changed meanwhile (promote, new generation),
            // the peer's decision may differ from ours: start over.
            var local = LocalState();
            if (local.Current != sent.Current || local.BitmapGen != sent.BitmapGen || local.Flags != sent.Flags
                || local.Primary != sent.Primary || (local.DirtyBlocks == 0) != (sent.DirtyBlocks == 0))
            {
                LinkLog("local state changed during the handshake; reconnecting");
                return null;
            }
            d = SyncDecision.Decide(sent, peer);
            s.Peer = peer;
            s.PeerPrimary = peer.Primary;
            s.Decision = d;
            _peerGeneration = peer.Current;
            switch (d.Action)
            {
                case SyncAction.Incompatible:
                    _sm.HandshakeRefused();
                    _lastError = $"mirror {Name}: cannot connect to {_o.PeerNode}: {d.Reason}";
                    LinkLog(_lastError);
                    return null;
                case SyncAction.Suspended:
                    _sm.HandshakeRefused();
                    LinkLog($"replication with {_o.PeerNode} is suspended");
                    return null;
                case SyncAction.SplitBrain:
                    if (!_meta!.Has(MetaFlags.SplitBrain)) { _meta.Set(MetaFlags.SplitBrain, true); _meta.WriteHeader(); }
                    _lastError = $"mirror {Name}: split brain with {_o.PeerNode}: {d.Reason}; run Repair-HaMirror -Source <node whose data wins>";
                    alertSplit = !_splitBrainAlerted;
                    _splitBrainAlerted = true;
                    break;
                default:
                    _lastError = null;
                    if (d.Action != SyncAction.Target && _meta!.Has(MetaFlags.SplitBrain) && d.Action == SyncAction.InSync)
                    {
                        _meta.Set(MetaFlags.SplitBrain, false);
                        _meta.WriteHeader();
                    }
                    _splitBrainAlerted = false;
                    alertConnected = true;
                    break;
            }
            s.Established = true;
            s.Replicating = _sm.IsPrimary && d.Action is SyncAction.InSync or SyncAction.Source;
            _session = s;
            _sm.SessionEstablished(d.Action);
            _peerDown = false;
            _peerDownSignal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Settle();
        }
        Log($"connected to {_o.PeerNode} ({(s.Link.Encrypted ? "encrypted" : "plain")}): {d}");
        if (alertSplit)
            Alert(AlertLevels.Error, EventSplitBrain,
                $"mirror {Name}: split brain detected between {_o.LocalNode} and {_o.PeerNode} ({d.Reason}); no data moves until Repair-HaMirror -Source <node>");
        if (alertConnected) Alert(AlertLevels.Info, EventConnected, $"mirror {Name}: {_o.LocalNode} connected to {_o.PeerNode}");
        bool primaryWithBits;
        lock (_bitsLock) primaryWithBits = _sm.IsPrimary && _meta!.Bitmap.Count > 0;
        if (d.Action == SyncAction.Source) StartResyncSource(s, d.Full);
        else if (d.Action == SyncAction.InSync && primaryWithBits) StartResyncSource(s, false);
        return s;
    }

    /// <summary>Runs a loop on a thread of its own: the session blocks in its socket reads there, so a frame is handled
    /// on the thread the kernel woke rather than after a hop through the thread pool (write latency).</summary>
    static Task OnOwnThread(Func<Task> loop, string name)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var t = new Thread(() =>
        {
            try { loop().GetAwaiter().GetResult(); done.TrySetResult(); }
            catch (Exception e) { done.TrySetException(e); }
        }) { IsBackground = true, Name = name };
        t.Start();
        return done.Task;
    }

    async Task SessionLoopAsync(MirrorSession s)
    {
        var pinger = Task.Run(() => PingLoopAsync(s));
        try
        {
            while (!s.Ended)
            {
                var f = s.Link.Receive();
                s.LastReceive = Environment.TickCount64;
                if (Interlocked.Exchange(ref StallReceiveForTest, null) is { } stall) await stall.Task.WaitAsync(s.Token).ConfigureAwait(false);
                await DispatchAsync(s, f).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException or EndOfStreamException)
        {
            if (!s.Ended) Log($"link to {_o.PeerNode} lost: {e.Message}");
        }
        catch (Exception e)
        {
            Log($"link to {_o.PeerNode} closed on a protocol error: {e.Message}");
        }
        finally
        {
            EndSession(s, "link closed");
            try { await pinger.ConfigureAwait(false); } catch { }
        }
    }

    async Task PingLoopAsync(MirrorSession s)
    {
        try
        {
            while (!s.Ended)
            {
                await Task.Delay(_o.PingInterval, s.Token).ConfigureAwait(false);
                if (Environment.TickCount64 - s.LastReceive > (long)_o.LinkTimeout.TotalMilliseconds)
                {
                    EndSession(s, $"nothing received for {_o.LinkTimeout.TotalSeconds:0} s");
                    return;
                }
                await s.Link.SendAsync(new MirrorFrame(FrameType.Ping), s.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException) { EndSession(s, $"ping failed: {e.Message}"); }
        catch (OperationCanceledException) { }
    }

    async Task DispatchAsync(MirrorSession s, MirrorFrame f)
    {
        switch (f.Type)
        {
            case FrameType.Ping:
                return;
            case FrameType.Role:
            {
                bool conflict;
                lock (_state)
                {
                    conflict = f.A != 0 && _sm.Role != MirrorRole.Secondary;
                    if (!conflict)
                    {
                        s.PeerPrimary = f.A != 0;
                        s.Peer = s.Peer with { Primary = f.A != 0 };
                    }
                }
                Log(conflict ? $"{_o.PeerNode} wants to be primary while this node is (or is becoming) primary: refused"
                    : $"{_o.PeerNode} is now {(f.A != 0 ? "primary" : "secondary")}");
                await s.Link.SendAsync(new MirrorFrame(FrameType.RoleAck, f.Id, A: conflict ? 1 : 0), s.Token).ConfigureAwait(false);
                return;
            }
            case FrameType.Write:
                ApplyPeerWrite(f);
                await s.Link.SendAsync(new MirrorFrame(FrameType.WriteAck, f.Id), s.Token).ConfigureAwait(false);
                return;
            case FrameType.Flush:
                FlushLocal();
                await s.Link.SendAsync(new MirrorFrame(FrameType.FlushAck, f.Id), s.Token).ConfigureAwait(false);
                return;
            case FrameType.WriteAck or FrameType.FlushAck or FrameType.RoleAck or FrameType.LeavingAck or FrameType.ResyncAck or FrameType.SyncEndAck or FrameType.OutdateAck
                or FrameType.TargetBitmap:
                s.Complete(f);
                return;
            case FrameType.SyncBegin:
                await OnSyncBeginAsync(s, f).ConfigureAwait(false);
                return;
            case FrameType.ResyncBlock:
                OnResyncBlock(f);
                await s.Link.SendAsync(new MirrorFrame(FrameType.ResyncAck, f.Id), s.Token).ConfigureAwait(false);
                return;
            case FrameType.SyncEnd:
                OnSyncEnd(s, f);
                await s.Link.SendAsync(new MirrorFrame(FrameType.SyncEndAck, f.Id), s.Token).ConfigureAwait(false);
                return;
            case FrameType.Outdate:
                lock (_state)
                {
                    if (_sm.IsPrimary) throw new InvalidDataException("the peer asked the primary to outdate itself");
                    _meta!.Set(MetaFlags.Outdated, true);
                    if (f.A == 1) _meta.Set(MetaFlags.SuspendedTarget, true);
                    _meta.WriteHeader();
                    if (_session == s) _sm.MoveReplication(ReplicationState.StartingSyncTarget);
                    Settle();
                }
                Log(f.A == 1 ? $"{_o.PeerNode} suspended replication; this copy stays at the rest point (outdated)" : "outdated by the peer");
                await s.Link.SendAsync(new MirrorFrame(FrameType.OutdateAck, f.Id), s.Token).ConfigureAwait(false);
                return;
            case FrameType.Leaving:
                OnPeerLeaving(s);
                await s.Link.SendAsync(new MirrorFrame(FrameType.LeavingAck, f.Id), s.Token).ConfigureAwait(false);
                return;
            default:
                throw new InvalidDataException($"unexpected {f.Type} in a session");
        }
    }

    /// <summary>The secondary shuts down cleanly and has persisted Outdated: the primary goes on alone without a freeze
    /// (a new generation; writes from now on set bitmap bits).</summary>
    void OnPeerLeaving(MirrorSession s)
    {
        bool wasReplicating;
        lock (_state)
        {
            wasReplicating = _sm.IsPrimary && s.Replicating;
            s.Planned = true;
            s.Replicating = false;
            if (wasReplicating)
            {
                _meta!.Gen.StartNew();
                _meta.WriteHeader();
            }
            Settle();
        }
        if (wasReplicating)
            Alert(AlertLevels.Error, EventBreak,
                $"mirror break: mirror {Name} lost {_o.PeerNode} (it shut down and marked its copy outdated); {_o.LocalNode} goes on alone and records the changes for a differential resync");
        else Log($"{_o.PeerNode} is shutting down");
    }

    void ApplyPeerWrite(MirrorFrame f)
    {
        lock (_state)
            if (_sm.IsPrimary) throw new InvalidDataException("the peer sent a write to the primary");
        long len = (f.Flags & MirrorFrame.FlagZero) != 0 ? f.B : f.Payload.Length;
        if (f.A < 0 || f.A + len > _o.SizeBytes) throw new InvalidDataException($"peer write at {f.A}+{len} is outside the device");
        if ((f.Flags & MirrorFrame.FlagZero) != 0) WriteZeroesLocal(f.A, f.B);
        else RandomAccess.Write(_data!.SafeFileHandle, f.Payload.Span, f.A);
        if ((f.Flags & MirrorFrame.FlagFua) != 0) _data!.Flush(true);
    }

    /// <summary>Ends a session once: fails its requests, and — when a primary loses a replicating link that was not
    /// closed on purpose — freezes writes until the peer is outdated or known down.</summary>
    void EndSession(MirrorSession s, string why)
    {
        TaskCompletionSource? startFreeze = null;
        lock (_state)
        {
            if (s.Ended) return;
            s.Ended = true;
            bool current = _session == s;
            if (current) _session = null;
            if (s.Established && !s.Planned && _sm.IsPrimary && s.Replicating && _frozen is null && !_disposed)
                startFreeze = _frozen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (current)
            {
                _sm.SessionEnded(s.Planned, _meta!.Gen.Current != 0);
                Settle();
            }
        }
        try { s.Cts.Cancel(); } catch { }
        s.Link.Close();
        s.FailAll($"mirror link to {_o.PeerNode} closed: {why}");
        if (s.Established) Log($"disconnected from {_o.PeerNode}: {why}");
        if (startFreeze is not null) _ = Task.Run(() => ResolveFreezeAsync(startFreeze));
    }

    /// <summary>Mirror break on the primary: writes wait until OutdatePeer confirms or the peer node is known down;
    /// then a new generation (the bitmap records since the peer's point) and the primary goes on alone.</summary>
    async Task ResolveFreezeAsync(TaskCompletionSource gate)
    {
        Log($"lost {_o.PeerNode} while primary: writes are frozen until the peer is outdated or known down");
        var ct = _cts.Token;
        string how = "";
        while (!ct.IsCancellationRequested)
        {
            Task downSignal;
            lock (_state)
            {
                if (_peerDown) { how = $"{_o.PeerNode} is down"; break; }
                downSignal = _peerDownSignal.Task;
            }
            if (_o.OutdatePeer is not null)
            {
                try
                {
                    using var t = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    t.CancelAfter(TimeSpan.FromSeconds(10));
                    if (await _o.OutdatePeer(t.Token).ConfigureAwait(false)) { how = $"{_o.PeerNode} marked its copy outdated"; break; }
                }
                catch (Exception e) when (!ct.IsCancellationRequested) { Log($"outdating {_o.PeerNode} failed: {e.Message}"); }
            }
            try { await Task.WhenAny(Task.Delay(1000, ct), downSignal).ConfigureAwait(false); }
            catch (OperationCanceledException) { }
        }
        if (ct.IsCancellationRequested)
        {
            gate.TrySetException(new BlockDeviceException(BlockDeviceException.ESHUTDOWN, $"mirror {Name} is shutting down"));
            return;
        }
        lock (_state)
        {
            _meta!.Gen.StartNew();
            _meta.WriteHeader();
            _frozen = null;
            _lastError = $"mirror break: lost {_o.PeerNode}";
            Settle();
        }
        Alert(AlertLevels.Error, EventBreak,
            $"mirror break: mirror {Name} lost {_o.PeerNode} ({how}); {_o.LocalNode} goes on alone and records the changes for a differential resync");
        gate.TrySetResult();
    }

    sealed class AuthException(bool local) : Exception(local ? "peer proof invalid" : "peer refused our proof");
    sealed class KeyException(bool local) : Exception(local ? "peer key check failed" : "peer refused our key check");
}
