using ExpressHa.Api;
namespace ExpressHa.Service.Mirror;

/// <summary>The operator's operations on a copy: suspend and resume replication, repair (which copy wins), outdate at
/// the peer's request, copy out and restore. Each runs under the admin gate (taken by the engine), changes the metadata
/// and the state under the side's lock, then ends the session on purpose where the next handshake must renegotiate.</summary>
internal sealed class MirrorMaintenance(MirrorSide side, MirrorBreak breaks)
{
    MirrorOptions O => side.O;
    string Name => side.Name;

    public async Task SuspendAsync(CancellationToken ct)
    {
        TaskCompletionSource? hold = null;
        try
        {
            MirrorSession s;
            lock (side.Lock)
            {
                if (side.Meta.Has(MetaFlags.SuspendedSource)) return;
                s = side.Session is { } x && side.Machine.Replication == ReplicationState.Established
                    ? x : throw new MirrorException(ErrorCodes.MirrorBusy,
                        $"mirror {Name}: replication can be suspended only while connected and in sync");
                if (s.PeerPrimary) throw new MirrorException(ErrorCodes.MirrorNotPrimary, $"mirror {Name}: {O.PeerNode} is primary; suspend there");
                if (side.Frozen is not null) throw new MirrorException(ErrorCodes.MirrorBusy, $"mirror {Name}: writes are frozen after a link loss");
                hold = side.SuspendHold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            // Writes are held; wait for those in flight, flush end to end.
            while (Volatile.Read(ref side.Inflight) > 0) await Task.Delay(5, ct).ConfigureAwait(false);
            side.OpenCopy.Flush();
            await s.RequestAsync(new MirrorFrame(FrameType.Flush, s.NextId()), O.AckTimeout, ct).ConfigureAwait(false);
            await s.RequestAsync(new MirrorFrame(FrameType.Outdate, s.NextId(), A: 1), O.AckTimeout, ct).ConfigureAwait(false);
            lock (side.Lock)
            {
                side.Meta.Set(MetaFlags.SuspendedSource, true);
                side.Meta.Gen.StartNew();
                side.Meta.WriteHeader();
                s.CloseOnPurpose();
                side.Settle();
            }
            breaks.EndSession(s, "replication suspended");
            side.Log($"replication suspended; generation {Generations.Hex(side.Meta.Gen.Current)}");
        }
        finally
        {
            if (hold is not null)
            {
                lock (side.Lock) if (side.SuspendHold == hold) side.SuspendHold = null;
                hold.TrySetResult();
            }
        }
    }

    public void Resume()
    {
        lock (side.Lock)
        {
            if (!side.Meta.Has(MetaFlags.SuspendedSource))
                throw new MirrorException(ErrorCodes.MirrorNotSuspended, $"mirror {Name}: replication is not suspended on {O.LocalNode}");
            side.Meta.Set(MetaFlags.SuspendedSource, false);
            side.Meta.WriteHeader();
            side.Settle();
        }
        side.Log("replication resumed");
    }

    public void Repair(string sourceNode)
    {
        MirrorSession? s;
        bool renegotiate = false;
        lock (side.Lock)
        {
            var m = side.Meta;
            s = side.Session;
            bool healthy = s is not null && side.Machine.Replication != ReplicationState.SplitBrain
                           && !m.Has(MetaFlags.SplitBrain) && !m.Has(MetaFlags.Outdated) && !m.Has(MetaFlags.SyncTargetInProgress);
            if (sourceNode == O.LocalNode && healthy)
            {
                side.Log("repair: connected, and this copy is not behind: nothing to repair");
                return;
            }
            if (sourceNode == O.LocalNode)
            {
                m.Set(MetaFlags.ForcedSource, true);
                m.Set(MetaFlags.DiscardMine | MetaFlags.SplitBrain | MetaFlags.Outdated | MetaFlags.SyncTargetInProgress | MetaFlags.SuspendedTarget, false);
                m.Set(MetaFlags.Consistent, true);
                if (s is null) m.Gen.StartNew(); // alone: this copy becomes the newest
            }
            else
            {
                if (side.Machine.IsPrimary)
                    throw new MirrorException(ErrorCodes.MirrorBusy, $"mirror {Name}: {O.LocalNode} is primary; demote it before discarding its copy");
                m.Set(MetaFlags.DiscardMine, true);
                m.Set(MetaFlags.ForcedSource, false);
            }
            m.WriteHeader();
            side.SplitBrainAlerted = false;
            if (s is not null && !side.IsReplicating(s))
            {
                s.CloseOnPurpose();
                renegotiate = true;
            }
            side.Settle();
        }
        side.Log($"repair: the copy on {sourceNode} wins");
        // Renegotiate: the next handshake applies the repair.
        if (renegotiate) breaks.EndSession(s!, "repair");
    }

    public void Outdate()
    {
        MirrorSession? s;
        lock (side.Lock)
        {
            if (side.Machine.IsPrimary) throw new MirrorException(ErrorCodes.MirrorBusy, $"mirror {Name}: {O.LocalNode} is primary; it cannot be outdated");
            side.Meta.Set(MetaFlags.Outdated, true);
            side.Meta.WriteHeader();
            side.Machine.Outdated();
            s = side.Session;
            s?.CloseOnPurpose();
            side.Settle();
        }
        side.Log("marked outdated at the peer's request");
        if (s is not null) breaks.EndSession(s, "outdated by the peer");
    }

    public async Task CopyOutAsync(string targetPath, IProgress<long>? progress, CancellationToken ct)
    {
        if (side.Started)
        {
            lock (side.Lock)
                if (side.Machine.IsPrimary || !side.Meta.Has(MetaFlags.SuspendedTarget))
                    throw new MirrorException(ErrorCodes.MirrorNotSuspended,
                        $"mirror {Name}: copy out needs a secondary whose replication is suspended (or a stopped mirror)");
        }
        using var src = new FileStream(O.DataPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
        using var dst = new FileStream(targetPath, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None);
        var buf = new byte[1 << 20];
        long done = 0;
        while (done < O.SizeBytes)
        {
            int n = (int)Math.Min(buf.Length, O.SizeBytes - done);
            n = await RandomAccess.ReadAsync(src.SafeFileHandle, buf.AsMemory(0, n), done, ct).ConfigureAwait(false);
            if (n == 0) break;
            await RandomAccess.WriteAsync(dst.SafeFileHandle, buf.AsMemory(0, n), done, ct).ConfigureAwait(false);
            done += n;
            progress?.Report(done);
        }
        dst.Flush(true);
    }

    public async Task RestoreAsync(string sourcePath, IProgress<long>? progress, CancellationToken ct)
    {
        MirrorSession? s;
        try
        {
            long len = new FileInfo(sourcePath).Length;
            if (len > O.SizeBytes)
                throw new MirrorException(ErrorCodes.MirrorSizeMismatch, $"mirror {Name}: image '{sourcePath}' holds {len} bytes, more than the mirror's {O.SizeBytes}");
            lock (side.Lock)
            {
                if (side.Machine.IsPrimary) throw new MirrorException(ErrorCodes.MirrorBusy, $"mirror {Name}: {O.LocalNode} is primary; stop the group first");
                if (side.Session is { PeerPrimary: true })
                    throw new MirrorException(ErrorCodes.MirrorBusy, $"mirror {Name}: {O.PeerNode} is primary; stop the group first");
                side.Restoring = true;
                s = side.Session;
                s?.CloseOnPurpose();
            }
            if (s is not null) breaks.EndSession(s, "restore");
            var copy = side.OpenCopy;
            using (var src = new FileStream(sourcePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None))
            {
                var buf = new byte[1 << 20];
                long done = 0;
                while (done < O.SizeBytes)
                {
                    int n = (int)Math.Min(buf.Length, O.SizeBytes - done);
                    int r = done < len ? await RandomAccess.ReadAsync(src.SafeFileHandle, buf.AsMemory(0, n), done, ct).ConfigureAwait(false) : 0;
                    if (r < n) Array.Clear(buf, r, n - r);
                    await RandomAccess.WriteAsync(copy.Handle, buf.AsMemory(0, n), done, ct).ConfigureAwait(false);
                    done += n;
                    progress?.Report(Math.Min(done, len));
                }
            }
            copy.Flush();
            lock (side.Lock)
            {
                var m = side.Meta;
                m.Gen.StartNew();
                m.Set(MetaFlags.ForcedSource | MetaFlags.Consistent, true);
                m.Set(MetaFlags.Outdated | MetaFlags.SyncTargetInProgress | MetaFlags.DiscardMine | MetaFlags.SplitBrain | MetaFlags.SuspendedTarget, false);
                lock (copy.BitsLock) { m.Bitmap.SetAll(); m.PersistBitmap(); }
                m.WriteHeader();
                side.Settle();
            }
            side.Log($"restored from '{sourcePath}'; generation {Generations.Hex(side.Meta.Gen.Current)}; the peer gets a full resync");
        }
        finally
        {
            lock (side.Lock) side.Restoring = false;
        }
    }
}
