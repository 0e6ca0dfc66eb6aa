using Microsoft.Win32.SafeHandles;

namespace ExpressHa.Service.Mirror;

/// <summary>This node's copy: the data area, the metadata (generations, flags, dirty bitmap), the bitmap lock and the
/// per-block locks. The bitmap's bits are persisted before the write they cover is acknowledged (<see cref="SetBits"/>);
/// bits cleared by a resync are persisted in batches (<see cref="MarkSynced"/>).</summary>
internal sealed class LocalCopy : IDisposable
{
    static readonly byte[] Zeroes = new byte[1 << 20];

    readonly FileStream _data;
    // Bits cleared by the resync and not persisted yet (under BitsLock).
    long _clearedSincePersist, _clearLo = long.MaxValue, _clearHi = -1;

    LocalCopy(FileStream data, MirrorMeta meta) { _data = data; Meta = meta; }

    public MirrorMeta Meta { get; }
    /// <summary>Guards the bitmap and the record of cleared bits; see the lock rule in <see cref="MirrorSide"/>.</summary>
    public object BitsLock { get; } = new();
    /// <summary>A write and a resync read of the same block never interleave.</summary>
    public BlockLocks Blocks { get; } = new();
    public SafeFileHandle Handle => _data.SafeFileHandle;

    /// <summary>Opens (creating on first use) the data and metadata areas; a data area smaller than the configured size
    /// is grown only when it is a file created with the metadata.</summary>
    public static LocalCopy Open(MirrorOptions o)
    {
        var meta = MirrorMeta.OpenOrCreate(o.MetaPath, o.SizeBytes, o.BlockSize);
        try
        {
            var data = new FileStream(o.DataPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite, 1, FileOptions.None);
            try
            {
                long len = data.Length;
                bool isFile = File.Exists(o.DataPath) && !o.DataPath.StartsWith("/dev/", StringComparison.Ordinal);
                if (len < o.SizeBytes)
                {
                    if (!meta.Created || !isFile)
                        throw new MirrorException(MirrorErrorCodes.SizeMismatch,
                            $"mirror {o.Name}: data area '{o.DataPath}' holds {len} bytes, smaller than the configured {o.SizeBytes}");
                    data.SetLength(o.SizeBytes);
                    data.Flush(true);
                }
            }
            catch { data.Dispose(); throw; }
            return new LocalCopy(data, meta);
        }
        catch { meta.Dispose(); throw; }
    }

    public void Write(long offset, ReadOnlyMemory<byte> data, long zeroLength)
    {
        if (zeroLength > 0) WriteZeroes(offset, zeroLength);
        else RandomAccess.Write(Handle, data.Span, offset);
    }

    public void WriteZeroes(long offset, long length)
    {
        for (long done = 0; done < length;)
        {
            int n = (int)Math.Min(Zeroes.Length, length - done);
            RandomAccess.Write(Handle, Zeroes.AsSpan(0, n), offset + done);
            done += n;
        }
    }

    public void FlushData() => _data.Flush(true);

    /// <summary>Data and metadata on stable storage.</summary>
    public void Flush()
    {
        _data.Flush(true);
        Meta.Flush();
    }

    /// <summary>Records blocks [first, last] as differing from the peer, persisted before returning.</summary>
    public void SetBits(long first, long last)
    {
        lock (BitsLock)
            if (Meta.Bitmap.SetRange(first, last)) Meta.PersistBits(first, last);
    }

    public long DirtyBlocks { get { lock (BitsLock) return Meta.Bitmap.Count; } }

    /// <summary>The peer acknowledged <paramref name="block"/>: its bit clears, persisted every <paramref name="persistInterval"/> blocks.</summary>
    public void MarkSynced(long block, int persistInterval)
    {
        lock (BitsLock)
        {
            if (!Meta.Bitmap.Clear(block)) return;
            _clearLo = Math.Min(_clearLo, block);
            _clearHi = Math.Max(_clearHi, block);
            if (++_clearedSincePersist >= persistInterval) PersistClearedBitsLocked();
        }
    }

    public void PersistClearedBits() { lock (BitsLock) PersistClearedBitsLocked(); }

    void PersistClearedBitsLocked()
    {
        if (_clearHi >= 0) Meta.PersistBits(_clearLo, _clearHi);
        _clearedSincePersist = 0;
        _clearLo = long.MaxValue;
        _clearHi = -1;
    }

    public string Describe() =>
        $"generation {Generations.Hex(Meta.Gen.Current)}, bitmap generation {Generations.Hex(Meta.Gen.BitmapGen)}, flags {Meta.Flags}, dirty blocks {DirtyBlocks}";

    public void Dispose()
    {
        Meta.Dispose();
        _data.Dispose();
    }
}
