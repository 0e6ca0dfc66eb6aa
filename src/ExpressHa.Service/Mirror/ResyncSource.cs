using System.Text.Json;
using ExpressHa.Api;

namespace ExpressHa.Service.Mirror;

/// <summary>Bitmap resync, source side. It announces the resync (SyncBegin; the target answers with its own bitmap,
/// which is merged), then sends every dirty block (read under the block lock, so a concurrent write is sent after it),
/// at most SyncRateBytesPerSecond, with a window of blocks in flight; bits clear as acks arrive and are persisted every
/// BitmapPersistInterval blocks. Passes repeat until the bitmap is empty; SyncEnd hands the target the source's
/// generation. Progress and state changes are reported to <see cref="ResyncProgress"/>.</summary>
internal sealed class ResyncSource(MirrorSide side, MirrorBreak breaks)
{
    internal sealed record SyncEndMsg(ulong Current, ulong History1, ulong History2);

    internal static readonly TimeSpan AckTimeout = TimeSpan.FromSeconds(30);

    MirrorOptions O => side.O;
    int BlockSize => side.BlockSize;

    public void Start(MirrorSession s, bool full) => _ = Task.Run(() => RunAsync(s, full));

    async Task RunAsync(MirrorSession s, bool full)
    {
        var ct = s.Token;
        var copy = side.OpenCopy;
        var m = copy.Meta;
        try
        {
            long count;
            lock (copy.BitsLock)
            {
                if (full) { m.Bitmap.SetAll(); m.PersistBitmap(); }
                count = m.Bitmap.Count;
            }
            ulong towards;
            lock (side.Lock) towards = m.Gen.Current;
            var begin = await s.RequestAsync(new MirrorFrame(FrameType.SyncBegin, s.NextId(), (long)towards, count), AckTimeout, ct).ConfigureAwait(false);
            lock (copy.BitsLock)
            {
                if (begin.Payload.Length == m.Bitmap.ByteLength) { m.Bitmap.Or(begin.Payload.Span); m.PersistBitmap(); }
                count = m.Bitmap.Count;
            }
            side.Progress.SourceStarted(s, count);
            side.Alert(AlertEvents.Mm.ResyncStarted,
                $"mirror {side.Name}: resync {O.LocalNode} -> {O.PeerNode} started: {count} blocks ({count * (long)BlockSize} bytes){(full ? ", full copy" : "")}");

            var limiter = new RateLimiter(O.SyncRateBytesPerSecond, BlockSize);
            using var window = new SemaphoreSlim(O.ResyncWindow);
            var outstanding = new List<Task>();
            while (true)
            {
                outstanding.Clear();
                long from = 0;
                while (true)
                {
                    long b;
                    lock (copy.BitsLock) b = m.Bitmap.NextSet(from);
                    if (b < 0) break;
                    from = b + 1;
                    await window.WaitAsync(ct).ConfigureAwait(false);
                    try { await limiter.WaitAsync(BlockSize, ct).ConfigureAwait(false); }
                    catch { window.Release(); throw; }
                    outstanding.Add(SendBlockAsync(s, b, window, limiter));
                }
                await Task.WhenAll(outstanding).ConfigureAwait(false);
                ct.ThrowIfCancellationRequested();
                copy.PersistClearedBits();
                if (copy.DirtyBlocks == 0) break;
            }

            copy.Flush();
            Generations after;
            lock (side.Lock) { after = m.Gen.Clone(); }
            after.CompleteSync();
            await s.RequestAsync(new MirrorFrame(FrameType.SyncEnd, s.NextId(),
                Payload: JsonSerializer.SerializeToUtf8Bytes(new SyncEndMsg(after.Current, after.History1, after.History2))), AckTimeout, ct).ConfigureAwait(false);
            var (bytes, secs) = side.Progress.SourceFinished(s, after.Current);
            side.Alert(AlertEvents.Mm.ResyncFinished,
                $"mirror {side.Name}: resync {O.LocalNode} -> {O.PeerNode} finished: {bytes} bytes in {secs:0.0} s");
        }
        catch (Exception e)
        {
            try { copy.PersistClearedBits(); }
            catch (Exception pe) { side.Log($"persisting the bitmap: {pe.Message}"); }
            if (!s.Ended)
            {
                side.Log($"resync to {O.PeerNode} failed: {e.Message}");
                breaks.EndSession(s, $"resync failed: {e.Message}");
            }
            else side.Log($"resync to {O.PeerNode} interrupted ({m.Bitmap.Count} blocks left)");
        }
    }

    async Task SendBlockAsync(MirrorSession s, long block, SemaphoreSlim window, RateLimiter limiter)
    {
        try
        {
            var copy = side.OpenCopy;
            var m = copy.Meta;
            Task<MirrorFrame> answer;
            int len;
            using (await copy.Blocks.AcquireAsync(block, block, s.Token).ConfigureAwait(false))
            {
                long remaining;
                lock (copy.BitsLock)
                {
                    if (!m.Bitmap.Get(block)) return;
                    remaining = m.Bitmap.Count;
                }
                long offset = block * BlockSize;
                len = (int)Math.Min(BlockSize, O.SizeBytes - offset);
                var buf = new byte[len];
                RandomAccess.Read(copy.Handle, buf, offset);
                // An all-zero block (unused space) goes as a zero fill: the first full copy moves only used areas.
                bool zero = buf.AsSpan().IndexOfAnyExcept((byte)0) < 0;
                if (zero) limiter.Refund(BlockSize);
                answer = await s.SendRequestAsync(zero
                    ? new MirrorFrame(FrameType.ResyncBlock, s.NextId(), block, remaining, MirrorFrame.FlagZero)
                    : new MirrorFrame(FrameType.ResyncBlock, s.NextId(), block, remaining, Payload: buf), s.Token).ConfigureAwait(false);
            }
            await answer.WaitAsync(AckTimeout, s.Token).ConfigureAwait(false);
            copy.MarkSynced(block, O.BitmapPersistInterval);
            side.Progress.Moved(len);
        }
        finally { window.Release(); }
    }
}
