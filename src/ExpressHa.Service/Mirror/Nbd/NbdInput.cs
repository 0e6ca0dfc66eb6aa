using System.Buffers;
using System.Net.Sockets;

namespace ExpressHa.Service.Mirror.Nbd;

/// <summary>Buffered, blocking reads from a client's socket (the connection has its own thread): small headers come
/// from one pooled buffer, large payloads go straight from the socket into the caller's memory.</summary>
internal sealed class NbdInput : IDisposable
{
    const int BufferSize = 64 * 1024;

    readonly Socket _socket;
    byte[]? _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    int _pos, _end;

    public NbdInput(Socket socket) => _socket = socket;

    /// <summary>True when the next request is already here, so replies can wait in the output buffer.</summary>
    public bool HasPendingInput
    {
        get
        {
            if (_pos < _end) return true;
            try
            {
                return _socket.Available > 0;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return false;
            }
        }
    }

    /// <summary>Reads exactly <paramref name="destination"/>.Length bytes; returns false on a clean end of stream
    /// before the first byte, throws <see cref="EndOfStreamException"/> when the stream ends in the middle.</summary>
    public bool ReadExactly(Span<byte> destination)
    {
        var buffer = _buffer ?? throw new ObjectDisposedException(nameof(NbdInput));
        var done = 0;
        while (done < destination.Length)
        {
            if (_pos < _end)
            {
                var n = Math.Min(_end - _pos, destination.Length - done);
                buffer.AsSpan(_pos, n).CopyTo(destination[done..]);
                _pos += n;
                done += n;
                continue;
            }
            var remaining = destination.Length - done;
            if (remaining >= buffer.Length)
            {
                var r = _socket.Receive(destination[done..]);
                if (r == 0) return done == 0 ? false : throw new EndOfStreamException();
                done += r;
            }
            else
            {
                var r = _socket.Receive(buffer);
                if (r == 0) return done == 0 ? false : throw new EndOfStreamException();
                _pos = 0;
                _end = r;
            }
        }
        return true;
    }

    public void ReadRequired(Span<byte> destination)
    {
        if (!ReadExactly(destination) && destination.Length > 0) throw new EndOfStreamException();
    }

    public void Dispose()
    {
        var b = _buffer;
        _buffer = null;
        if (b is not null) ArrayPool<byte>.Shared.Return(b);
    }
}
