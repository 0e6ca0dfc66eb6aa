using System.Diagnostics;
using ExpressHa.Api;

namespace ExpressHa.Service.Mirror;

/// <summary>The resync's events as they change the side's state (replication state, generations, flags) and its
/// progress figures for the status. The resync source and target report here; each event takes the side's lock once.</summary>
internal sealed class ResyncProgress(MirrorSide side)
{
    // Under side.Lock.
    long _startBlocks, _targetRemaining, _bytesRun;
    readonly Stopwatch _watch = new();
    long _resyncedBytes;

    /// <summary>Bytes this side has sent (source) or received (target) by resync since it started.</summary>
    public long ResyncedBytes => Interlocked.Read(ref _resyncedBytes);

    // ---------------------------------------------------------------- source

    public void SourceStarted(MirrorSession s, long blocks)
    {
        lock (side.Lock)
        {
            if (side.Session == s) side.Machine.MoveReplication(ReplicationState.SyncSource);
            _startBlocks = blocks;
            _bytesRun = 0;
            _watch.Restart();
        }
    }

    public void Moved(int bytes)
    {
        Interlocked.Add(ref _resyncedBytes, bytes);
        lock (side.Lock) _bytesRun += bytes;
    }

    /// <summary>The peer holds this copy's data: the bitmap generation goes to history, repair flags clear, and a
    /// crashed primary's copy (WasPrimary) is on both now. Returns the bytes moved and the seconds taken.</summary>
    public (long Bytes, double Seconds) SourceFinished(MirrorSession s, ulong current)
    {
        lock (side.Lock)
        {
            var m = side.Meta;
            m.Gen.CompleteSync();
            m.Set(MetaFlags.ForcedSource | MetaFlags.SplitBrain | MetaFlags.DiscardMine, false);
            if (!side.Machine.IsPrimary) m.Set(MetaFlags.WasPrimary, false);
            m.WriteHeader();
            if (side.Session == s) side.Machine.MoveReplication(ReplicationState.Established);
            s.PeerSynced(current);
            side.PeerGeneration = current;
            var done = (_bytesRun, _watch.Elapsed.TotalSeconds);
            _watch.Reset();
            side.Settle();
            return done;
        }
    }

    // ---------------------------------------------------------------- target

    /// <summary>SyncBegin from the peer: this copy is Inconsistent (persisted) until SyncEnd. Returns this side's bitmap
    /// for the source to merge.</summary>
    public byte[] TargetBegan(MirrorSession s, ulong towards, long blocks)
    {
        lock (side.Lock)
        {
            if (side.Machine.IsPrimary) throw new InvalidDataException("the peer wants to resync over the primary");
            var m = side.Meta;
            m.Set(MetaFlags.SyncTargetInProgress, true);
            m.Set(MetaFlags.Consistent, false);
            m.SyncTowards = towards;
            m.WriteHeader();
            if (side.Session == s) side.Machine.MoveReplication(ReplicationState.SyncTarget);
            _startBlocks = blocks;
            _targetRemaining = blocks;
            _bytesRun = 0;
            _watch.Restart();
            side.Settle();
            lock (side.OpenCopy.BitsLock) return (byte[])m.Bitmap.Bytes.Clone();
        }
    }

    /// <summary>A block arrived; <paramref name="remaining"/> is the source's count before it.</summary>
    public void TargetReceived(int bytes, long remaining)
    {
        Interlocked.Add(ref _resyncedBytes, bytes);
        lock (side.Lock)
        {
            _bytesRun += bytes;
            _targetRemaining = Math.Max(0, remaining - 1);
            if (remaining > _startBlocks) _startBlocks = remaining;
        }
    }

    /// <summary>SyncEnd: this copy takes the source's generations and is consistent again. Returns the bytes received.</summary>
    public long TargetFinished(MirrorSession s, ulong current, ulong history1, ulong history2)
    {
        lock (side.Lock)
        {
            var m = side.Meta;
            m.Gen.Current = current;
            m.Gen.BitmapGen = 0;
            m.Gen.History1 = history1;
            m.Gen.History2 = history2;
            m.Set(MetaFlags.SyncTargetInProgress | MetaFlags.Outdated | MetaFlags.DiscardMine | MetaFlags.SplitBrain
                  | MetaFlags.SuspendedTarget | MetaFlags.ForcedSource, false);
            m.Set(MetaFlags.Consistent, true);
            if (!side.Machine.IsPrimary) m.Set(MetaFlags.WasPrimary, false);
            m.SyncTowards = 0;
            lock (side.OpenCopy.BitsLock) { m.Bitmap.ClearAll(); m.PersistBitmap(); }
            m.WriteHeader();
            m.Flush();
            if (side.Session == s) side.Machine.MoveReplication(ReplicationState.Established);
            _targetRemaining = 0;
            side.PeerGeneration = current;
            long bytes = _bytesRun;
            _watch.Reset();
            side.Settle();
            return bytes;
        }
    }

    // ---------------------------------------------------------------- status

    /// <summary>Dirty bytes, percent and rate. Caller holds side.Lock.</summary>
    public void Fill(MirrorStatus st, ReplicationState replication, DiskState disk, LocalCopy copy)
    {
        bool target = replication == ReplicationState.SyncTarget, resyncing = target || replication == ReplicationState.SyncSource;
        long dirtyBlocks = target ? _targetRemaining : copy.DirtyBlocks;
        st.DirtyBytes = Math.Min(dirtyBlocks * side.BlockSize, side.O.SizeBytes);
        long start = target ? Math.Max(_startBlocks, _targetRemaining) : _startBlocks;
        st.SyncPercent = !resyncing || start == 0 ? (disk == DiskState.Inconsistent ? 0 : 100)
            : Math.Round(100.0 * Math.Clamp(1.0 - (double)dirtyBlocks / start, 0, 1), 2);
        st.ResyncBytesPerSecond = resyncing && _watch.Elapsed.TotalSeconds > 0.05 ? (long)(_bytesRun / _watch.Elapsed.TotalSeconds) : 0;
    }
}
