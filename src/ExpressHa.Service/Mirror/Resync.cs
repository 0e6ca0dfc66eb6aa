using System.Text.Json;
using ExpressHa.Config;

namespace ExpressHa.Service.Mirror;

/// <summary>Bitmap resync. The source announces it (SyncBegin; the target answers with its own bitmap, which is merged),
/// then sends every dirty block (read under the block lock, so a concurrent write is sent after it), at most
/// SyncRateBytesPerSecond, with a window of blocks in flight; bits clear as acks arrive and are persisted every
/// BitmapPersistInterval blocks. Passes repeat until the bitmap is empty; SyncEnd hands the target the source's
/// generation. The target persists SyncTargetInProgress (Inconsistent) until then, so a restart resumes.</summary>
public sealed partial class MirrorEngine
{
    sealed record SyncEndMsg(ulong Current, ulong History1, ulong History2);

    static readonly TimeSpan ResyncAckTimeout = TimeSpan.FromSeconds(30);
    long _clearedSincePersist, _clearLo = long.MaxValue, _clearHi = -1;

    void StartResyncSource(MirrorSession s, bool full) => _ = Task.Run(() => RunResyncSourceAsync(s, full));

    async Task RunResyncSourceAsync(MirrorSession s, bool full)
    {
        var ct = s.Token;
        var m = _meta!;
        try
        {
            long count;
            lock (_bitsLock)
            {
                if (full) { m.Bitmap.SetAll(); m.PersistBitmap(); }
                count = m.Bitmap.Count;
            }
            ulong towards;
            lock (_state) towards = m.Gen.Current;
            var begin = await s.RequestAsync(new MirrorFrame(FrameType.SyncBegin, s.NextId(), (long)towards, count), ResyncAckTimeout, ct).ConfigureAwait(false);
            lock (_bitsLock)
            {
                if (begin.Payload.Length == m.Bitmap.ByteLength) { m.Bitmap.Or(begin.Payload.Span); m.PersistBitmap(); }
                count = m.Bitmap.Count;
            }
            lock (_state)
            {
                if (_session == s) _sm.MoveReplication(ReplicationState.SyncSource);
                _syncStartBlocks = count;
                _syncBytesRun = 0;
                _syncWatch.Restart();
            }
            Alert(AlertLevels.Info, EventResyncStarted,
                $"mirror {Name}: resync {_o.LocalNode} -> {_o.PeerNode} started: {count} blocks ({count * (long)BlockSize} bytes){(full ? ", full copy" : "")}");

            var limiter = new RateLimiter(_o.SyncRateBytesPerSecond, BlockSize);
            using var window = new SemaphoreSlim(_o.ResyncWindow);
            var outstanding = new List<Task>();
            while (true)
            {
                outstanding.Clear();
                long from = 0;
                while (true)
                {
                    long b;
                    lock (_bitsLock) b = m.Bitmap.NextSet(from);
                    if (b < 0) break;
                    from = b + 1;
                    await window.WaitAsync(ct).ConfigureAwait(false);
                    try { await limiter.WaitAsync(BlockSize, ct).ConfigureAwait(false); }
                    catch { window.Release(); throw; }
                    outstanding.Add(SendResyncBlockAsync(s, b, window, limiter));
                }
                await Task.WhenAll(outstanding).ConfigureAwait(false);
                ct.ThrowIfCancellationRequested();
                lock (_bitsLock)
                {
                    PersistClearedBits();
                    if (m.Bitmap.Count == 0) break;
                }
            }

            FlushLocal();
            Generations after;
            lock (_state) { after = m.Gen.Clone(); }
            after.CompleteSync();
            await s.RequestAsync(new MirrorFrame(FrameType.SyncEnd, s.NextId(),
                Payload: JsonSerializer.SerializeToUtf8Bytes(new SyncEndMsg(after.Current, after.History1, after.History2))), ResyncAckTimeout, ct).ConfigureAwait(false);
            double secs;
            long bytes;
            lock (_state)
            {
                m.Gen.CompleteSync();
                m.Set(MetaFlags.ForcedSource | MetaFlags.SplitBrain | MetaFlags.DiscardMine, false);
                if (!_sm.IsPrimary) m.Set(MetaFlags.WasPrimary, false); // a crashed primary's copy is now on both
                m.WriteHeader();
                if (_session == s) _sm.MoveReplication(ReplicationState.Established);
                s.Peer = s.Peer with { Current = after.Current, Flags = s.Peer.Flags & ~(MetaFlags.Outdated | MetaFlags.SyncTargetInProgress) };
                _peerGeneration = after.Current;
                secs = _syncWatch.Elapsed.TotalSeconds;
                bytes = _syncBytesRun;
                _syncWatch.Reset();
                Settle();
            }
            Alert(AlertLevels.Info, EventResyncFinished,
                $"mirror {Name}: resync {_o.LocalNode} -> {_o.PeerNode} finished: {bytes} bytes in {secs:0.0} s");
        }
        catch (Exception e)
        {
            try { lock (_bitsLock) PersistClearedBits(); }
            catch (Exception pe) { Log($"persisting the bitmap: {pe.Message}"); }
            if (!s.Ended)
            {
                Log($"resync to {_o.PeerNode} failed: {e.Message}");
                EndSession(s, $"resync failed: {e.Message}");
            }
            else Log($"resync to {_o.PeerNode} interrupted ({m.Bitmap.Count} blocks left)");
        }
    }

    async Task SendResyncBlockAsync(MirrorSession s, long block, SemaphoreSlim window, RateLimiter limiter)
    {
        try
        {
            var m = _meta!;
            Task<MirrorFrame> answer;
            int len;
            using (await _blocks.AcquireAsync(block, block, s.Token).ConfigureAwait(false))
            {
                long remaining;
                lock (_bitsLock)
                {
                    if (!m.Bitmap.Get(block)) return;
                    remaining = m.Bitmap.Count;
                }
                long offset = block * BlockSize;
                len = (int)Math.Min(BlockSize, _o.SizeBytes - offset);
                var buf = new byte[len];
                RandomAccess.Read(_data!.SafeFileHandle, buf, offset);
                // An all-zero block (unused space) goes as a zero fill: the first full copy moves only used areas.
                bool zero = buf.AsSpan().IndexOfAnyExcept((byte)0) < 0;
                if (zero) limiter.Refund(BlockSize);
                answer = await s.SendRequestAsync(zero
                    ? new MirrorFrame(FrameType.ResyncBlock, s.NextId(), block, remaining, MirrorFrame.FlagZero)
                    : new MirrorFrame(FrameType.ResyncBlock, s.NextId(), block, remaining, Payload: buf), s.Token).ConfigureAwait(false);
            }
            await answer.WaitAsync(ResyncAckTimeout, s.Token).ConfigureAwait(false);
            lock (_bitsLock)
            {
                if (m.Bitmap.Clear(block))
                {
                    _clearLo = Math.Min(_clearLo, block);
                    _clearHi = Math.Max(_clearHi, block);
                    if (++_clearedSincePersist >= _o.BitmapPersistInterval) PersistClearedBits();
                }
            }
            Interlocked.Add(ref _resyncedBytes, len);
            lock (_state) _syncBytesRun += len;
        }
        finally { window.Release(); }
    }

    /// <summary>Caller holds _bitsLock.</summary>
    void PersistClearedBits()
    {
        if (_clearHi >= 0) _meta!.PersistBits(_clearLo, _clearHi);
        _clearedSincePersist = 0;
        _clearLo = long.MaxValue;
        _clearHi = -1;
    }

    // ---------------------------------------------------------------- target side

    async Task OnSyncBeginAsync(MirrorSession s, MirrorFrame f)
    {
        byte[] bits;
        lock (_state)
        {
            if (_sm.IsPrimary) throw new InvalidDataException("the peer wants to resync over the primary");
            _meta!.Set(MetaFlags.SyncTargetInProgress, true);
            _meta.Set(MetaFlags.Consistent, false);
            _meta.SyncTowards = (ulong)f.A;
            _meta.WriteHeader();
            if (_session == s) _sm.MoveReplication(ReplicationState.SyncTarget);
            _syncStartBlocks = f.B;
            _targetRemaining = f.B;
            _syncBytesRun = 0;
            _syncWatch.Restart();
            Settle();
            lock (_bitsLock) bits = (byte[])_meta.Bitmap.Bytes.Clone();
        }
        Log($"resync from {_o.PeerNode} started ({f.B} blocks)");
        await s.Link.SendAsync(new MirrorFrame(FrameType.TargetBitmap, f.Id, Payload: bits), s.Token).ConfigureAwait(false);
    }

    void OnResyncBlock(MirrorFrame f)
    {
        long offset = f.A * BlockSize;
        if (f.A < 0 || offset >= _o.SizeBytes || offset + f.Payload.Length > _o.SizeBytes)
            throw new InvalidDataException($"resync block {f.A} is outside the device");
        int len;
        if ((f.Flags & MirrorFrame.FlagZero) != 0)
        {
            len = (int)Math.Min(BlockSize, _o.SizeBytes - offset);
            WriteZeroesLocal(offset, len);
        }
        else
        {
            len = f.Payload.Length;
            RandomAccess.Write(_data!.SafeFileHandle, f.Payload.Span, offset);
        }
        Interlocked.Add(ref _resyncedBytes, len);
        lock (_state)
        {
            _syncBytesRun += len;
            _targetRemaining = Math.Max(0, f.B - 1);
            if (f.B > _syncStartBlocks) _syncStartBlocks = f.B;
        }
    }

    void OnSyncEnd(MirrorSession s, MirrorFrame f)
    {
        var msg = JsonSerializer.Deserialize<SyncEndMsg>(f.Payload.Span) ?? throw new InvalidDataException("empty SyncEnd");
        FlushLocal();
        long bytes;
        lock (_state)
        {
            var m = _meta!;
            m.Gen.Current = msg.Current;
            m.Gen.BitmapGen = 0;
            m.Gen.History1 = msg.History1;
            m.Gen.History2 = msg.History2;
            m.Set(MetaFlags.SyncTargetInProgress | MetaFlags.Outdated | MetaFlags.DiscardMine | MetaFlags.SplitBrain
                  | MetaFlags.SuspendedTarget | MetaFlags.ForcedSource, false);
            m.Set(MetaFlags.Consistent, true);
            if (!_sm.IsPrimary) m.Set(MetaFlags.WasPrimary, false);
            m.SyncTowards = 0;
            lock (_bitsLock) { m.Bitmap.ClearAll(); m.PersistBitmap(); }
            m.WriteHeader();
            m.Flush();
            if (_session == s) _sm.MoveReplication(ReplicationState.Established);
            _targetRemaining = 0;
            _peerGeneration = msg.Current;
            Settle();
            bytes = _syncBytesRun;
            _syncWatch.Reset();
        }
        Log($"resync from {_o.PeerNode} finished ({bytes} bytes); generation {Generations.Hex(msg.Current)}");
    }
}
