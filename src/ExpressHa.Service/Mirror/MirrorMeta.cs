using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;
using ExpressHa.Api;

namespace ExpressHa.Service.Mirror;

/// <summary>The metadata area: two 512-byte header slots (each with a sequence number and a SHA-256 checksum; a header
/// write goes to the older slot and is fsynced, so a torn write leaves the other slot valid), then at 4 KiB the dirty
/// bitmap, one bit per block. Bitmap bytes are pwritten as bits change (before the write they cover is acknowledged)
/// and fsynced on flush.</summary>
public sealed class MirrorMeta : IDisposable
{
    public const int Version = 1;
    const int SlotSize = 512, BitmapOffset = 4096, HeaderBytes = 96;
    static ReadOnlySpan<byte> Magic => "EHAMIRR1"u8;

    readonly FileStream _file;
    readonly object _io = new();
    long _seq;
    int _nextSlot;

    MirrorMeta(FileStream file, long size, int blockSize)
    {
        _file = file;
        Size = size;
        BlockSize = blockSize;
        Bitmap = new DirtyBitmap((size + blockSize - 1) / blockSize);
    }

    public string Path => _file.Name;
    public long Size { get; }
    public int BlockSize { get; }
    public Generations Gen { get; private set; } = new();
    public MetaFlags Flags { get; set; }
    public ulong SyncTowards { get; set; }
    public DirtyBitmap Bitmap { get; }
    /// <summary>True when the file was created by this open (first start).</summary>
    public bool Created { get; private set; }

    public bool Has(MetaFlags f) => (Flags & f) == f;
    public void Set(MetaFlags f, bool on) => Flags = on ? Flags | f : Flags & ~f;

    /// <summary>Opens the metadata file, creating it (no generation, empty bitmap) when missing.</summary>
    public static MirrorMeta OpenOrCreate(string path, long size, int blockSize)
    {
        bool exists = File.Exists(path) && new FileInfo(path).Length >= BitmapOffset;
        var fs = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1, FileOptions.None);
        try
        {
            if (!exists)
            {
                var m = new MirrorMeta(fs, size, blockSize) { Created = true, Flags = MetaFlags.Consistent | MetaFlags.CleanShutdown };
                fs.SetLength(BitmapOffset + m.Bitmap.ByteLength);
                m.WriteHeader();
                m.WriteHeader(); // both slots valid
                return m;
            }
            var (hdr, seq, slot) = ReadBest(fs.SafeFileHandle) ?? throw new MirrorException(ErrorCodes.MirrorSizeMismatch,
                $"mirror metadata '{path}' has no valid header (both slots fail their checksum)");
            if (hdr.size != size || hdr.blockSize != blockSize)
                throw new MirrorException(ErrorCodes.MirrorSizeMismatch,
                    $"mirror metadata '{path}' describes {hdr.size} bytes in {hdr.blockSize}-byte blocks; the configuration says {size} bytes in {blockSize}-byte blocks");
            var meta = new MirrorMeta(fs, size, blockSize)
            {
                Gen = hdr.gen, Flags = hdr.flags, SyncTowards = hdr.towards, _seq = seq, _nextSlot = 1 - slot,
            };
            if (fs.Length < BitmapOffset + meta.Bitmap.ByteLength) fs.SetLength(BitmapOffset + meta.Bitmap.ByteLength);
            var bits = new byte[meta.Bitmap.ByteLength];
            RandomAccess.Read(fs.SafeFileHandle, bits, BitmapOffset);
            meta.Bitmap.Load(bits);
            return meta;
        }
        catch
        {
            fs.Dispose();
            throw;
        }
    }

    /// <summary>Writes the header to the older slot and fsyncs.</summary>
    public void WriteHeader()
    {
        lock (_io)
        {
            var buf = new byte[SlotSize];
            var s = buf.AsSpan();
            Magic.CopyTo(s);
            BinaryPrimitives.WriteInt32LittleEndian(s[8..], Version);
            BinaryPrimitives.WriteInt64LittleEndian(s[12..], ++_seq);
            BinaryPrimitives.WriteInt64LittleEndian(s[20..], Size);
            BinaryPrimitives.WriteInt32LittleEndian(s[28..], BlockSize);
            BinaryPrimitives.WriteUInt64LittleEndian(s[32..], Gen.Current);
            BinaryPrimitives.WriteUInt64LittleEndian(s[40..], Gen.BitmapGen);
            BinaryPrimitives.WriteUInt64LittleEndian(s[48..], Gen.History1);
            BinaryPrimitives.WriteUInt64LittleEndian(s[56..], Gen.History2);
            BinaryPrimitives.WriteUInt32LittleEndian(s[64..], (uint)Flags);
            BinaryPrimitives.WriteUInt64LittleEndian(s[68..], SyncTowards);
            SHA256.HashData(s[..HeaderBytes], s[HeaderBytes..(HeaderBytes + 32)]);
            RandomAccess.Write(_file.SafeFileHandle, buf, (long)_nextSlot * SlotSize);
            _nextSlot = 1 - _nextSlot;
            _file.Flush(true);
        }
    }

    /// <summary>pwrites the bitmap bytes holding blocks [first, last] (no fsync; see <see cref="Flush"/>).
    /// The caller holds the bitmap lock so the bytes are a consistent snapshot.</summary>
    public void PersistBits(long first, long last)
    {
        int a = (int)(first >> 3), b = (int)(last >> 3);
        lock (_io) RandomAccess.Write(_file.SafeFileHandle, Bitmap.Bytes.AsSpan(a, b - a + 1), BitmapOffset + a);
    }

    public void PersistBitmap()
    {
        lock (_io) RandomAccess.Write(_file.SafeFileHandle, Bitmap.Bytes, BitmapOffset);
    }

    public void Flush()
    {
        lock (_io) _file.Flush(true);
    }

    public void Dispose() => _file.Dispose();

    static ((long size, int blockSize, Generations gen, MetaFlags flags, ulong towards) hdr, long seq, int slot)? ReadBest(SafeFileHandle h)
    {
        (long, int, Generations, MetaFlags, ulong)? best = null;
        long bestSeq = -1;
        int bestSlot = 0;
        var buf = new byte[SlotSize];
        Span<byte> sum = stackalloc byte[32];
        for (int slot = 0; slot < 2; slot++)
        {
            if (RandomAccess.Read(h, buf, slot * SlotSize) < SlotSize) continue;
            var s = buf.AsSpan();
            if (!s[..8].SequenceEqual(Magic)) continue;
            SHA256.HashData(s[..HeaderBytes], sum);
            if (!sum.SequenceEqual(s[HeaderBytes..(HeaderBytes + 32)])) continue;
            if (BinaryPrimitives.ReadInt32LittleEndian(s[8..]) != Version) continue;
            long seq = BinaryPrimitives.ReadInt64LittleEndian(s[12..]);
            if (seq <= bestSeq) continue;
            bestSeq = seq;
            bestSlot = slot;
            best = (BinaryPrimitives.ReadInt64LittleEndian(s[20..]), BinaryPrimitives.ReadInt32LittleEndian(s[28..]),
                new Generations
                {
                    Current = BinaryPrimitives.ReadUInt64LittleEndian(s[32..]), BitmapGen = BinaryPrimitives.ReadUInt64LittleEndian(s[40..]),
                    History1 = BinaryPrimitives.ReadUInt64LittleEndian(s[48..]), History2 = BinaryPrimitives.ReadUInt64LittleEndian(s[56..]),
                },
                (MetaFlags)BinaryPrimitives.ReadUInt32LittleEndian(s[64..]), BinaryPrimitives.ReadUInt64LittleEndian(s[68..]));
        }
        return best is null ? null : (best.Value, bestSeq, bestSlot);
    }
}
