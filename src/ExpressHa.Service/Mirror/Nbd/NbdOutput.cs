using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;

namespace ExpressHa.Service.Mirror.Nbd;

/// <summary>Buffered, blocking writes to a client's socket: small replies collect in one pooled buffer until
/// <see cref="Flush"/>, a large block goes out in one send after what is buffered.</summary>
internal sealed class NbdOutput : IDisposable
{
    const int BufferSize = 64 * 1024;

    readonly Socket _socket;
    byte[]? _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    int _length;

    public NbdOutput(Socket socket) => _socket = socket;

    public int Buffered => _length;

    byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(NbdOutput));

    /// <summary>Space for <paramref name="size"/> bytes at the end of the buffer, flushing first when it is full.</summary>
    public Span<byte> Reserve(int size)
    {
        if (size > BufferSize) throw new ArgumentOutOfRangeException(nameof(size));
        if (_length + size > BufferSize) Flush();
        var s = Buffer.AsSpan(_length, size);
        _length += size;
        return s;
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        if (_length + data.Length <= BufferSize)
        {
            data.CopyTo(Buffer.AsSpan(_length));
            _length += data.Length;
            return;
        }
        Flush();
        SendAll(data);
    }

    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Reserve(2), value);
    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Reserve(4), value);
    public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64BigEndian(Reserve(8), value);

    public void Flush()
    {
        if (_length == 0) return;
        var n = _length;
        _length = 0;
        SendAll(Buffer.AsSpan(0, n));
    }

    void SendAll(ReadOnlySpan<byte> data)
    {
        while (data.Length > 0) data = data[_socket.Send(data)..];
    }

    public void Dispose()
    {
        var b = _buffer;
        _buffer = null;
        if (b is not null) ArrayPool<byte>.Shared.Return(b);
    }
}
