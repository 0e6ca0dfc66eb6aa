using System.Buffers.Binary;
using System.Net.Sockets;

namespace ExpressHa.Service.Mirror;

/// <summary>One TCP connection carrying <see cref="MirrorFrame"/>s; sends are serialized, one reader.</summary>
public sealed class MirrorLink : IDisposable
{
    readonly Socket _socket;
    readonly NetworkStream _stream;
    readonly SemaphoreSlim _send = new(1, 1);
    FrameCipher? _tx, _rx;
    int _closed;

    public MirrorLink(Socket socket)
    {
        socket.NoDelay = true;
        socket.SendBufferSize = 4 << 20;
        socket.ReceiveBufferSize = 4 << 20;
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public bool Encrypted => _tx is not null;
    /// <summary>Largest body accepted; small until the peer is authenticated (an unknown peer cannot make us allocate much).</summary>
    public int MaxBody { get; set; } = MirrorFrame.MaxBody;
    public bool Closed => _closed != 0;

    /// <summary>From now on every frame is sealed/opened with these ciphers.</summary>
    public void EnableCrypto(FrameCipher tx, FrameCipher rx) { _tx = tx; _rx = rx; }

    const int SmallFrame = 16 * 1024;
    readonly byte[] _txHeader = new byte[4 + MirrorFrame.HeaderSize];
    readonly byte[] _txSmall = new byte[4 + MirrorFrame.HeaderSize + SmallFrame];
    readonly byte[] _rxHeader = new byte[4 + MirrorFrame.HeaderSize];
    byte[] _rxPayload = Array.Empty<byte>();
    // Read ahead: a small frame (header and payload) usually comes in with one receive.
    readonly byte[] _rxBuffer = new byte[64 * 1024];
    int _rxPos, _rxEnd;

    public async Task SendAsync(MirrorFrame frame, CancellationToken ct)
    {
        ValueTask Put(ReadOnlyMemory<byte> bytes) => _stream.WriteAsync(bytes, ct);
        await _send.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_tx is not null)
            {
                var body = _tx.Seal(frame.Encode());
                BinaryPrimitives.WriteInt32LittleEndian(_txHeader, body.Length);
                await Put(_txHeader.AsMemory(0, 4)).ConfigureAwait(false);
                await Put(body).ConfigureAwait(false);
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
                await Put(_txSmall.AsMemory(0, 4 + length)).ConfigureAwait(false);
                return;
            }
            BinaryPrimitives.WriteInt32LittleEndian(_txHeader, length);
            frame.EncodeHeader(_txHeader.AsSpan(4));
            await Put(_txHeader).ConfigureAwait(false);
            await Put(frame.Payload).ConfigureAwait(false);
        }
        finally { _send.Release(); }
    }

    /// <summary>The next frame. A plain Write or ResyncBlock frame's payload lives in a buffer this link reuses: it is
    /// valid until the next call (the session applies it before receiving again).</summary>
    public Task<MirrorFrame> ReceiveAsync(CancellationToken ct) => ReceiveCoreAsync(sync: false, ct);

    /// <summary>The same, blocking the calling thread (the session's own receive thread: no thread-pool hop per frame).
    /// Closing the link ends the wait.</summary>
    public MirrorFrame Receive() => ReceiveCoreAsync(sync: true, CancellationToken.None).GetAwaiter().GetResult();

    async Task<MirrorFrame> ReceiveCoreAsync(bool sync, CancellationToken ct)
    {
        async ValueTask Fill(Memory<byte> into)
        {
            int buffered = Math.Min(_rxEnd - _rxPos, into.Length);
            _rxBuffer.AsSpan(_rxPos, buffered).CopyTo(into.Span);
            _rxPos += buffered;
            into = into[buffered..];
            if (into.Length == 0) return;
            if (into.Length >= _rxBuffer.Length / 2)
            {
                if (sync) _stream.ReadExactly(into.Span);
                else await _stream.ReadExactlyAsync(into, ct).ConfigureAwait(false);
                return;
            }
            _rxPos = _rxEnd = 0;
            while (_rxEnd < into.Length)
            {
                int r = sync ? _stream.Read(_rxBuffer.AsSpan(_rxEnd)) : await _stream.ReadAsync(_rxBuffer.AsMemory(_rxEnd), ct).ConfigureAwait(false);
                if (r == 0) throw new EndOfStreamException();
                _rxEnd += r;
            }
            _rxBuffer.AsSpan(0, into.Length).CopyTo(into.Span);
            _rxPos = into.Length;
        }
        if (_rx is not null)
        {
            await Fill(_rxHeader.AsMemory(0, 4)).ConfigureAwait(false);
            int sealedLength = BinaryPrimitives.ReadInt32LittleEndian(_rxHeader);
            if (sealedLength < MirrorFrame.HeaderSize || sealedLength > MaxBody + FrameCipher.TagSize)
                throw new InvalidDataException($"mirror frame length {sealedLength} is out of range");
            var body = new byte[sealedLength];
            await Fill(body).ConfigureAwait(false);
            return MirrorFrame.Decode(_rx.Open(body));
        }
        await Fill(_rxHeader).ConfigureAwait(false);
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
        if (payloadLength > 0) await Fill(payload.AsMemory(0, payloadLength)).ConfigureAwait(false);
        return MirrorFrame.DecodeHeader(_rxHeader.AsSpan(4), payload.AsMemory(0, payloadLength));
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
