namespace ExpressHa.Service.Mirror;

/// <summary>The primary's writable device (given out only by PromoteAsync; dead after demote). A write goes to the local
/// data file and to the peer and returns when the peer acknowledged it (FUA: on stable storage on both); alone, it sets
/// and persists the block's bitmap bits before writing.</summary>
internal sealed class PrimaryDevice(MirrorEngine engine, int epoch) : IBlockDevice
{
    const int MaxChunk = 8 << 20;

    public long Size => engine.Options.SizeBytes;
    public bool ReadOnly => false;

    public ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken ct) => engine.ReadCoreAsync(epoch, offset, buffer, ct);

    public async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, bool fua, CancellationToken ct)
    {
        engine.CheckRange(offset, data.Length);
        if (data.Length == 0) { if (fua) await FlushAsync(ct).ConfigureAwait(false); return; }
        for (int done = 0; done < data.Length; done += MaxChunk)
        {
            int n = Math.Min(MaxChunk, data.Length - done);
            await engine.WriteCoreAsync(epoch, offset + done, data.Slice(done, n), 0, fua, ct).ConfigureAwait(false);
        }
    }

    public ValueTask FlushAsync(CancellationToken ct) => engine.FlushCoreAsync(epoch, ct);

    public async ValueTask WriteZeroesAsync(long offset, long length, bool fua, CancellationToken ct)
    {
        engine.CheckRange(offset, length);
        if (length == 0) { if (fua) await FlushAsync(ct).ConfigureAwait(false); return; }
        const long chunk = 64L << 20;
        for (long done = 0; done < length; done += chunk)
            await engine.WriteCoreAsync(epoch, offset + done, default, Math.Min(chunk, length - done), fua, ct).ConfigureAwait(false);
    }
}

public sealed partial class MirrorEngine
{
    static readonly byte[] Zeroes = new byte[1 << 20];
    /// <summary>Largest write frame on the link: pieces of a large write pipeline through the peer.</summary>
    const int WireChunk = 256 * 1024;

    internal void CheckRange(long offset, long length)
    {
        if (offset < 0 || length < 0 || offset + length > _o.SizeBytes)
            throw new BlockDeviceException(BlockDeviceException.EINVAL, $"mirror {Name}: range {offset}+{length} is outside the device ({_o.SizeBytes} bytes)");
    }

    async ValueTask EnterIoAsync(int epoch, CancellationToken ct)
    {
        while (true)
        {
            Task gate;
            lock (_state)
            {
                if (_disposed) throw new BlockDeviceException(BlockDeviceException.ESHUTDOWN, $"mirror {Name} is shutting down");
                if (!_sm.IsPrimary || epoch != _deviceEpoch)
                    throw new BlockDeviceException(BlockDeviceException.EPERM, $"mirror {Name} is not primary on {_o.LocalNode}");
                var hold = _frozen ?? _suspendGate;
                if (hold is null) { _inflight++; return; }
                gate = hold.Task;
            }
            await gate.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    void ExitIo() { lock (_state) _inflight--; }

    /// <summary>Waits while writes are frozen (link loss being resolved).</summary>
    async ValueTask WaitUnfrozenAsync(CancellationToken ct)
    {
        Task? gate;
        lock (_state) gate = _frozen?.Task;
        if (gate is not null) await gate.WaitAsync(ct).ConfigureAwait(false);
    }

    MirrorSession? ReplicatingSession()
    {
        lock (_state) return _session is { Established: true, Ended: false, Replicating: true } s ? s : null;
    }

    internal async ValueTask ReadCoreAsync(int epoch, long offset, Memory<byte> buffer, CancellationToken ct)
    {
        CheckRange(offset, buffer.Length);
        lock (_state)
            if (!_sm.IsPrimary || epoch != _deviceEpoch)
                throw new BlockDeviceException(BlockDeviceException.EPERM, $"mirror {Name} is not primary on {_o.LocalNode}");
        int done = 0;
        while (done < buffer.Length)
        {
            int n = await RandomAccess.ReadAsync(_data!.SafeFileHandle, buffer[done..], offset + done, ct).ConfigureAwait(false);
            if (n == 0) { buffer.Span[done..].Clear(); break; }
            done += n;
        }
    }

    internal async ValueTask WriteCoreAsync(int epoch, long offset, ReadOnlyMemory<byte> data, long zeroLength, bool fua, CancellationToken ct)
    {
        long len = zeroLength > 0 ? zeroLength : data.Length;
        long first = offset / BlockSize, last = (offset + len - 1) / BlockSize;
        await EnterIoAsync(epoch, ct).ConfigureAwait(false);
        try
        {
            using var locks = await _blocks.AcquireAsync(first, last, ct).ConfigureAwait(false);
            var s = ReplicatingSession();
            if (s is null)
            {
                // Alone: the bits are on disk before the data, so a resync after a crash covers this write.
                SetBits(first, last);
                WriteLocal(offset, data, zeroLength);
                if (fua) FlushLocal();
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
            WriteLocal(offset, data, zeroLength);
            try
            {
                if (sendError is not null) throw sendError;
                Task all = answers.Count == 1 ? answers[0].Answer : Task.WhenAll(answers.Select(a => a.Answer));
                try { if (!all.IsCompleted) await all.WaitAsync(_o.AckTimeout, ct).ConfigureAwait(false); else await all.ConfigureAwait(false); }
                finally { foreach (var a in answers) s.Forget(a.Id); }
                if (fua) _data!.Flush(true);
            }
            catch (Exception e)
            {
                // The peer may not hold this write: record it, then acknowledge only once the break is resolved.
                SetBits(first, last);
                if (e is OperationCanceledException && ct.IsCancellationRequested) throw;
                EndSession(s, e is TimeoutException ? $"no ack within {_o.AckTimeout.TotalSeconds:0.#} s" : e.Message);
                await WaitUnfrozenAsync(ct).ConfigureAwait(false);
                if (fua) FlushLocal();
            }
        }
        finally { ExitIo(); }
    }

    internal async ValueTask FlushCoreAsync(int epoch, CancellationToken ct)
    {
        await EnterIoAsync(epoch, ct).ConfigureAwait(false);
        try
        {
            FlushLocal();
            var s = ReplicatingSession();
            if (s is null) return;
            try { await s.RequestAsync(new MirrorFrame(FrameType.Flush, s.NextId()), _o.AckTimeout, ct).ConfigureAwait(false); }
            catch (Exception e)
            {
                if (e is OperationCanceledException && ct.IsCancellationRequested) throw;
                EndSession(s, e is TimeoutException ? $"no flush ack within {_o.AckTimeout.TotalSeconds:0.#} s" : e.Message);
                await WaitUnfrozenAsync(ct).ConfigureAwait(false);
            }
        }
        finally { ExitIo(); }
    }

    void WriteLocal(long offset, ReadOnlyMemory<byte> data, long zeroLength)
    {
        if (zeroLength > 0) WriteZeroesLocal(offset, zeroLength);
        else RandomAccess.Write(_data!.SafeFileHandle, data.Span, offset);
    }

    void WriteZeroesLocal(long offset, long length)
    {
        for (long done = 0; done < length;)
        {
            int n = (int)Math.Min(Zeroes.Length, length - done);
            RandomAccess.Write(_data!.SafeFileHandle, Zeroes.AsSpan(0, n), offset + done);
            done += n;
        }
    }
}
