namespace ExpressHa.Service.Mirror;

/// <summary>One write of at most 8 MiB whose payload is received straight into the primary's mapped data area: the
/// receive is the local write. Its blocks are locked before the first byte lands; alone, their bitmap bits are set and
/// persisted first too. Replicating, each 256 KiB piece leaves for the peer as soon as it has landed (from the mapping,
/// or with sendfile from the page cache), and the write returns once the peer acknowledged every piece, as on the
/// copying path. A client that breaks off leaves landed bytes the peer may not have: their bits are set and persisted
/// before the error leaves, so a resync covers them.</summary>
internal sealed class MappedWrite(MirrorSide side, MirrorBreak breaks, PrimaryDevice device)
{
    const int WireChunk = 256 * 1024;

    MirrorOptions O => side.O;

    public void Run(long offset, int length, bool fua, PayloadReader receive, CancellationToken ct)
    {
        var copy = side.OpenCopy;
        var map = copy.Mapped(side.Log) ?? throw new InvalidOperationException($"mirror {side.Name}: the data area is not mapped");
        long first = offset / side.BlockSize, last = (offset + length - 1) / side.BlockSize;
        PrimaryDevice.Wait(device.EnterAsync(ct));
        try
        {
            using var locks = PrimaryDevice.Wait(copy.Blocks.AcquireAsync(first, last, ct));
            using var use = map.Enter();
            if (O.WritePath == MirrorWritePath.MappedPrefault) map.Prefault(offset, length);
            var s = side.ReplicatingSession();
            if (s is null)
            {
                copy.SetBits(first, last);
                receive(map.Span(offset, length));
                if (fua) copy.Flush();
                return;
            }
            bool sendfile = O.WritePath == MirrorWritePath.MappedSendfile && !s.Link.Encrypted;
            byte flags = fua ? MirrorFrame.FlagFua : (byte)0;
            var answers = new List<(ulong Id, Task<MirrorFrame> Answer)>();
            Exception? sendError = null;
            try
            {
                for (int landed = 0; landed < length;)
                {
                    int n = Math.Min(WireChunk, length - landed);
                    receive(map.Span(offset + landed, n));
                    if (sendError is null)
                        try
                        {
                            var f = new MirrorFrame(FrameType.Write, s.NextId(), offset + landed, 0, flags, map.Memory(offset + landed, n))
                                { PayloadFile = sendfile ? copy.Handle : null };
                            answers.Add((f.Id, s.SendRequestAsync(f, ct).GetAwaiter().GetResult()));
                        }
                        catch (Exception e) { sendError = e; }
                    landed += n;
                }
            }
            catch
            {
                foreach (var a in answers) s.Forget(a.Id);
                copy.SetBits(first, last);
                throw;
            }
            try
            {
                if (sendError is not null) throw sendError;
                Task all = answers.Count == 1 ? answers[0].Answer : Task.WhenAll(answers.Select(a => a.Answer));
                try { all.WaitAsync(O.AckTimeout, ct).GetAwaiter().GetResult(); }
                finally { foreach (var a in answers) s.Forget(a.Id); }
                if (fua) copy.FlushData();
            }
            catch (Exception e)
            {
                // The peer may not hold this write: record it, then acknowledge only once the break is resolved.
                copy.SetBits(first, last);
                if (e is OperationCanceledException && ct.IsCancellationRequested) throw;
                breaks.EndSession(s, e is TimeoutException ? $"no ack within {O.AckTimeout.TotalSeconds:0.#} s" : e.Message);
                PrimaryDevice.Wait(breaks.WaitUnfrozenAsync(ct));
                if (fua) copy.Flush();
            }
        }
        finally { device.Exit(); }
    }
}
