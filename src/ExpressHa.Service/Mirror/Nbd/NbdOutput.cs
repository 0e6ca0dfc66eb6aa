using System.Buffers;
using System.Buffers.Binary;

namespace ExpressHa.Service.Mirror.Nbd;

/// <summary>Buffered writing to a client's socket: small replies collect in one pooled buffer until
/// <see cref="FlushAsync"/>, a large block goes out in one write after what is buffered.</summary>
internal sealed class NbdOutput : IDisposable
{
    const int BufferSize = 64 * 1024;

    readonly Stream _stream;
    byte[]? _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    int _length;

    public NbdOutput(Stream stream) => _stream = stream;

    public int Buffered => _length;

    byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(NbdOutput));

    /// <summary>Space for <paramref name="size"/> bytes at the end of the buffer, flushing first when it is full.</summary>
    public async ValueTask<Memory<byte>> ReserveAsync(int size, CancellationToken ct)
    {
        if (size > BufferSize) throw new ArgumentOutOfRangeException(nameof(size));
        if (_length + size > BufferSize) await FlushAsync(ct).ConfigureAwait(false);
        var m = Buffer.AsMemory(_length, size);
        _length += size;
        return m;
    }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        if (_length + data.Length <= BufferSize)
        {
            data.CopyTo(Buffer.AsMemory(_length));
            _length += data.Length;
            return;
        }
        await FlushAsync(ct).ConfigureAwait(false);
        await _stream.WriteAsync(data, ct).ConfigureAwait(false);
    }

    public async ValueTask WriteUInt16Async(ushort value, CancellationToken ct)
        => BinaryPrimitives.WriteUInt16BigEndian((await ReserveAsync(2, ct).ConfigureAwait(false)).Span, value);

    public async ValueTask WriteUInt32Async(uint value, CancellationToken ct)
        => BinaryPrimitives.WriteUInt32BigEndian((await ReserveAsync(4, ct).ConfigureAwait(false)).Span, value);

    public async ValueTask WriteUInt64Async(ulong value, CancellationToken ct)
        => BinaryPrimitives.WriteUInt64BigEndian((await ReserveAsync(8, ct).ConfigureAwait(false)).Span, value);

    public async ValueTask FlushAsync(CancellationToken ct)
    {
        if (_length == 0) return;
        var n = _length;
        _length = 0;
        await _stream.WriteAsync(Buffer.AsMemory(0, n), ct).ConfigureAwait(false);
    }

    public void Dispose()
    {
        var b = _buffer;
        _buffer = null;
        if (b is not null) ArrayPool<byte>.Shared.Return(b);
    }
}
