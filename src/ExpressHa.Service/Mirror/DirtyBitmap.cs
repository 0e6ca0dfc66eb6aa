using System.Numerics;

namespace ExpressHa.Service.Mirror;

/// <summary>One bit per block: set = this copy and the peer may differ there. In memory only; <see cref="MirrorMeta"/>
/// persists the bytes. Not thread-safe: the engine holds its bitmap lock.</summary>
public sealed class DirtyBitmap
{
    readonly byte[] _bits;

    public DirtyBitmap(long blocks)
    {
        Blocks = blocks;
        _bits = new byte[(blocks + 7) / 8];
    }

    public long Blocks { get; }
    public long Count { get; private set; }
    public byte[] Bytes => _bits;
    public int ByteLength => _bits.Length;

    public bool Get(long block) => (_bits[block >> 3] & (1 << (int)(block & 7))) != 0;

    /// <summary>Sets the bits of [first, last]; returns true when any changed.</summary>
    public bool SetRange(long first, long last)
    {
        bool changed = false;
        for (long b = first; b <= last; b++)
        {
            ref byte v = ref _bits[b >> 3];
            byte m = (byte)(1 << (int)(b & 7));
            if ((v & m) == 0) { v |= m; Count++; changed = true; }
        }
        return changed;
    }

    public bool Clear(long block)
    {
        ref byte v = ref _bits[block >> 3];
        byte m = (byte)(1 << (int)(block & 7));
        if ((v & m) == 0) return false;
        v &= (byte)~m;
        Count--;
        return true;
    }

    public void SetAll() { if (Blocks > 0) SetRange(0, Blocks - 1); }

    public void ClearAll() { Array.Clear(_bits); Count = 0; }

    /// <summary>ORs another bitmap of the same size into this one (merging the peer's recorded blocks).</summary>
    public void Or(ReadOnlySpan<byte> other)
    {
        if (other.Length != _bits.Length) throw new ArgumentException("bitmap sizes differ");
        for (int i = 0; i < _bits.Length; i++) _bits[i] |= other[i];
        MaskTail();
        Recount();
    }

    public void Load(ReadOnlySpan<byte> bytes)
    {
        bytes[.._bits.Length].CopyTo(_bits);
        MaskTail();
        Recount();
    }

    /// <summary>The first set bit at or after <paramref name="from"/>, or -1.</summary>
    public long NextSet(long from)
    {
        if (from >= Blocks) return -1;
        long i = from >> 3;
        int v = _bits[i] & (0xFF << (int)(from & 7));
        while (true)
        {
            if (v != 0)
            {
                long b = (i << 3) + BitOperations.TrailingZeroCount(v);
                return b < Blocks ? b : -1;
            }
            if (++i >= _bits.Length) return -1;
            v = _bits[i];
        }
    }

    void MaskTail()
    {
        int extra = (int)(_bits.Length * 8L - Blocks);
        if (extra > 0) _bits[^1] &= (byte)(0xFF >> extra);
    }

    void Recount()
    {
        long c = 0;
        foreach (var b in _bits) c += BitOperations.PopCount(b);
        Count = c;
    }
}
