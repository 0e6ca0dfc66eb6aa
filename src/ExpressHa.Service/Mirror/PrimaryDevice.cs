namespace ExpressHa.Service.Mirror;

/// <summary>The primary's writable device (given out only by a promotion; dead after the demote: its epoch is old).
/// A write goes to the local data file and to the peer and returns when the peer acknowledged it (FUA: on stable
/// storage on both); alone, it sets and persists the block's bitmap bits before writing. When the peer does not answer,
/// the bits are set, the session ends (<see cref="MirrorBreak"/>) and the write is acknowledged only once the break is
/// resolved. It asks the side's state machine whether it may write (primary, this epoch, no hold) and which session
/// replicates.</summary>
internal sealed class PrimaryDevice(MirrorSide side, MirrorBreak breaks, int epoch) : IBlockDevice
{
    const int MaxChunk = 8 << 20;
    /// <summary>Largest write frame on the link: pieces of a large write pipeline through the peer.</summary>
    const int WireChunk = 256 * 1024;

    MirrorOptions O => side.O;
    int BlockSize => side.BlockSize;

    public long Size => O.SizeBytes;
    public bool ReadOnly => false;

    public async ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken ct)
    {
        CheckRange(offset, buffer.Length);
        side.CheckDevice(epoch);
        var copy = side.OpenCopy;
        int done = 0;
        while (done < buffer.Length)
        {
            int n = await RandomAccess.ReadAsync(copy.Handle, buffer[done..], offset + done, ct).ConfigureAwait(false);
            if (n == 0) { buffer.Span[done..].Clear(); break; }
            done += n;
        }
    }

    public async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, bool fua, CancellationToken ct)
    {
        CheckRange(offset, data.Length);
        if (data.Length == 0) { if (fua) await FlushAsync(ct).ConfigureAwait(false); return; }
        for (int done = 0; done < data.Length; done += MaxChunk)
        {
            int n = Math.Min(MaxChunk, data.Length - done);
            await WriteCoreAsync(offset + done, data.Slice(done, n), 0, fua, ct).ConfigureAwait(false);
        }
    }

    public async ValueTask WriteZeroesAsync(long offset, long length, bool fua, CancellationToken ct)
    {
        CheckRange(offset, length);
        if (length == 0) { if (fua) await FlushAsync(ct).ConfigureAwait(false); return; }
        const long chunk = 64L << 20;
        for (long done = 0; done < length; done += chunk)
            await WriteCoreAsync(offset + done, default, Math.Min(chunk, length - done), fua, ct).ConfigureAwait(false);
    }

    public async ValueTask FlushAsync(CancellationToken ct)
    {
        await EnterAsync(ct).ConfigureAwait(false);
        try
        {
            side.OpenCopy.Flush();
            var s = ReplicatingSession();
            if (s is null) return;
            try { await s.RequestAsync(new MirrorFrame(FrameType.Flush, s.NextId()), O.AckTimeout, ct).ConfigureAwait(false); }
            catch (Exception e)
            {
                if (e is OperationCanceledException && ct.IsCancellationRequested) throw;
                breaks.EndSession(s, e is TimeoutException ? $"no flush ack within {O.AckTimeout.TotalSeconds:0.#} s" : e.Message);
                await breaks.WaitUnfrozenAsync(ct).ConfigureAwait(false);
            }
        }
        finally { Exit(); }
    }

    void CheckRange(long offset, long length)
    {
        if (offset < 0 || length < 0 || offset + length > O.SizeBytes)
            throw new BlockDeviceException(BlockDeviceException.EINVAL, $"mirror {side.Name}: range {offset}+{length} is outside the device ({O.SizeBytes} bytes)");
    }

    /// <summary>Waits while writes are held (frozen after a link loss, or by a suspend), then counts this one in.</summary>
    async ValueTask EnterAsync(CancellationToken ct)
    {
        while (side.TryEnterWrite(epoch) is { } hold) await hold.WaitAsync(ct).ConfigureAwait(false);
    }

    void Exit() => side.ExitWrite();

    MirrorSession? ReplicatingSession() => side.ReplicatingSession();

    async ValueTask WriteCoreAsync(long offset, ReadOnlyMemory<byte> data, long zeroLength, bool fua, CancellationToken ct)
    {
        var copy = side.OpenCopy;
        long len = zeroLength > 0 ? zeroLength : data.Length;
        long first = offset / BlockSize, last = (offset + len - 1) / BlockSize;
        await EnterAsync(ct).ConfigureAwait(false);
        try
        {
            using var locks = await copy.Blocks.AcquireAsync(first, last, ct).ConfigureAwait(false);
            var s = ReplicatingSession();
            if (s is null)
            {
                // Alone: the bits are on disk before the data, so a resync after a crash covers this write.
                copy.SetBits(first, last);
                copy.Write(offset, data, zeroLength);
                if (fua) copy.Flush();
                return;
            }
            byte flags = (byte)((fua ? MirrorFrame.FlagFua : 0) | (zeroLength > 0 ? MirrorFrame.FlagZero : 0));
            // Large writes go as several frames, all on the wire before the first answer is awaited, so the peer writes
            // one piece while the next is still arriving; our own write overlaps both.
            var answers = new List<(ulong Id, Task<MirrorFrame> Answer)>();
            Exception? sendError = null;
            try
            {
                if (zeroLength > 0)
                {
                    var f = new MirrorFrame(FrameType.Write, s.NextId(), offset, zeroLength, flags);
                    answers.Add((f.Id, await s.SendRequestAsync(f, ct).ConfigureAwait(false)));
                }
                else
                    for (int done = 0; done < data.Length; done += WireChunk)
                    {
                        int n = Math.Min(WireChunk, data.Length - done);
                        var f = new MirrorFrame(FrameType.Write, s.NextId(), offset + done, 0, flags, data.Slice(done, n));
                        answers.Add((f.Id, await s.SendRequestAsync(f, ct).ConfigureAwait(false)));
                    }
            }
            catch (Exception e) { sendError = e; }
            copy.Write(offset, data, zeroLength);
            try
            {
                if (sendError is not null) throw sendError;
                Task all = answers.Count == 1 ? answers[0].Answer : Task.WhenAll(answers.Select(a => a.Answer));
                try { if (!all.IsCompleted) await all.WaitAsync(O.AckTimeout, ct).ConfigureAwait(false); else await all.ConfigureAwait(false); }
                finally { foreach (var a in answers) s.Forget(a.Id); }
                if (fua) copy.FlushData();
            }
            catch (Exception e)
            {
                // The peer may not hold this write: record it, then acknowledge only once the break is resolved.
                copy.SetBits(first, last);
                if (e is OperationCanceledException && ct.IsCancellationRequested) throw;
                breaks.EndSession(s, e is TimeoutException ? $"no ack within {O.AckTimeout.TotalSeconds:0.#} s" : e.Message);
                await breaks.WaitUnfrozenAsync(ct).ConfigureAwait(false);
                if (fua) copy.Flush();
            }
        }
        finally { Exit(); }
    }
}
