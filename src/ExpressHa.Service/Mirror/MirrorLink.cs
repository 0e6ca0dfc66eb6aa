using System.Buffers.Binary;
using System.Net.Sockets;

namespace ExpressHa.Service.Mirror;

/// <summary>One TCP connection carrying <see cref="MirrorFrame"/>s; sends are serialized, one reader.
/// Every socket call is a blocking one, on a socket that must never have served an asynchronous operation: .NET then
/// keeps the descriptor in blocking mode and a read or write is one system call, woken by the kernel. After a single
/// asynchronous operation it serves even blocking calls through its event-loop thread, one thread wake-up more per
/// frame (a replicated 4 KiB write waits for two frames). The asynchronous methods are facades over the blocking ones;
/// cancelling one closes the link.</summary>
public sealed class MirrorLink : IDisposable
{
    const int SmallFrame = 16 * 1024;

    readonly Socket _socket;
    readonly NetworkStream _stream;
    readonly SemaphoreSlim _send = new(1, 1);
    readonly byte[] _txHeader = new byte[4 + MirrorFrame.HeaderSize];
    readonly byte[] _txSmall = new byte[4 + MirrorFrame.HeaderSize + SmallFrame];
    readonly byte[] _rxHeader = new byte[4 + MirrorFrame.HeaderSize];
    byte[] _rxPayload = Array.Empty<byte>();
    // Read ahead: a small frame (header and payload) usually comes in with one receive.
    readonly byte[] _rxBuffer = new byte[64 * 1024];
    int _rxPos, _rxEnd;
    FrameCipher? _tx, _rx;
    int _closed;

    /// <param name="sendTimeout">A send blocked this long (the peer stopped reading) fails, which ends the link.</param>
    public MirrorLink(Socket socket, TimeSpan sendTimeout = default)
    {
        socket.NoDelay = true;
        socket.SendBufferSize = 4 << 20;
        socket.ReceiveBufferSize = 4 << 20;
        if (sendTimeout > TimeSpan.Zero) socket.SendTimeout = (int)sendTimeout.TotalMilliseconds;
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public bool Encrypted => _tx is not null;
    /// <summary>Largest body accepted; small until the peer is authenticated (an unknown peer cannot make us allocate much).</summary>
    public int MaxBody { get; set; } = MirrorFrame.MaxBody;
    public bool Closed => _closed != 0;

    /// <summary>From now on every frame is sealed/opened with these ciphers.</summary>
    public void EnableCrypto(FrameCipher tx, FrameCipher rx) { _tx = tx; _rx = rx; }

    /// <summary>Sends on the calling thread (the socket's buffer normally takes a frame at once).</summary>
    public Task SendAsync(MirrorFrame frame, CancellationToken ct)
    {
        try
        {
            Send(frame, ct);
            return Task.CompletedTask;
        }
        catch (Exception e) { return Task.FromException(e); }
    }

    /// <summary>The token only cancels the wait for another send to finish: a frame once started is sent whole (closing
    /// the link for a caller that gave up would break the mirror). A send the peer does not take fails after the send
    /// timeout, or when the link is closed.</summary>
    public void Send(MirrorFrame frame, CancellationToken ct)
    {
        _send.Wait(ct);
        try
        {
            if (_tx is not null)
            {
                var body = _tx.Seal(frame.Encode());
                BinaryPrimitives.WriteInt32LittleEndian(_txHeader, body.Length);
                _stream.Write(_txHeader, 0, 4);
                _stream.Write(body);
                return;
            }
            // Plain: a small frame leaves in one send (one segment, one wake-up of the reader); a large payload goes
            // straight from the caller's memory after the header (no copy).
            int length = MirrorFrame.HeaderSize + frame.Payload.Length;
            if (4 + length <= _txSmall.Length)
            {
                BinaryPrimitives.WriteInt32LittleEndian(_txSmall, length);
                frame.EncodeHeader(_txSmall.AsSpan(4));
                frame.Payload.Span.CopyTo(_txSmall.AsSpan(4 + MirrorFrame.HeaderSize));
                _stream.Write(_txSmall, 0, 4 + length);
                return;
            }
            BinaryPrimitives.WriteInt32LittleEndian(_txHeader, length);
            frame.EncodeHeader(_txHeader.AsSpan(4));
            _stream.Write(_txHeader);
            _stream.Write(frame.Payload.Span);
        }
        finally { _send.Release(); }
    }

    /// <summary>The next frame, received on the calling thread (the handshake's). Cancelling closes the link.</summary>
    public Task<MirrorFrame> ReceiveAsync(CancellationToken ct)
    {
        try
        {
            using var cancel = CloseOn(ct);
            return Task.FromResult(Receive());
        }
        catch (Exception e) when (ct.IsCancellationRequested && e is not OperationCanceledException)
        {
            return Task.FromException<MirrorFrame>(new OperationCanceledException("mirror link receive cancelled (the link is closed)", e, ct));
        }
        catch (Exception e) { return Task.FromException<MirrorFrame>(e); }
    }

    CancellationTokenRegistration CloseOn(CancellationToken ct) => ct.CanBeCanceled ? ct.Register(Close) : default;

    /// <summary>The next frame (the session's own receive thread). A plain Write or ResyncBlock frame's payload lives in
    /// a buffer this link reuses: it is valid until the next call (the session applies it before receiving again).
    /// Closing the link ends the wait.</summary>
    public MirrorFrame Receive()
    {
        if (_rx is not null)
        {
            Fill(_rxHeader.AsSpan(0, 4));
            int sealedLength = BinaryPrimitives.ReadInt32LittleEndian(_rxHeader);
            if (sealedLength < MirrorFrame.HeaderSize || sealedLength > MaxBody + FrameCipher.TagSize)
                throw new InvalidDataException($"mirror frame length {sealedLength} is out of range");
            var body = new byte[sealedLength];
            Fill(body);
            return MirrorFrame.Decode(_rx.Open(body));
        }
        Fill(_rxHeader);
        int n = BinaryPrimitives.ReadInt32LittleEndian(_rxHeader);
        if (n < MirrorFrame.HeaderSize || n > MaxBody)
            throw new InvalidDataException($"mirror frame length {n} is out of range");
        int payloadLength = n - MirrorFrame.HeaderSize;
        byte[] payload;
        if ((FrameType)_rxHeader[4] is FrameType.Write or FrameType.ResyncBlock)
        {
            if (_rxPayload.Length < payloadLength) _rxPayload = new byte[Math.Max(payloadLength, 64 * 1024)];
            payload = _rxPayload;
        }
        else payload = payloadLength == 0 ? Array.Empty<byte>() : new byte[payloadLength];
        if (payloadLength > 0) Fill(payload.AsSpan(0, payloadLength));
        return MirrorFrame.DecodeHeader(_rxHeader.AsSpan(4), payload.AsMemory(0, payloadLength));
    }

    void Fill(Span<byte> into)
    {
        int buffered = Math.Min(_rxEnd - _rxPos, into.Length);
        _rxBuffer.AsSpan(_rxPos, buffered).CopyTo(into);
        _rxPos += buffered;
        into = into[buffered..];
        if (into.Length == 0) return;
        if (into.Length >= _rxBuffer.Length / 2)
        {
            _stream.ReadExactly(into);
            return;
        }
        _rxPos = _rxEnd = 0;
        while (_rxEnd < into.Length)
        {
            int r = _stream.Read(_rxBuffer.AsSpan(_rxEnd));
            if (r == 0) throw new EndOfStreamException();
            _rxEnd += r;
        }
        _rxBuffer.AsSpan(0, into.Length).CopyTo(into);
        _rxPos = into.Length;
    }

    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        try { _socket.Shutdown(SocketShutdown.Both); } catch { }
        _stream.Dispose();
        _tx?.Dispose();
        _rx?.Dispose();
    }

    public void Dispose() => Close();
}
