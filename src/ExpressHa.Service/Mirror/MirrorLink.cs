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
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public bool Encrypted => _tx is not null;
    /// <summary>Largest body accepted; small until the peer is authenticated (an unknown peer cannot make us allocate much).</summary>
    public int MaxBody { get; set; } = MirrorFrame.MaxBody;
    public bool Closed => _closed != 0;

    /// <summary>From now on every frame is sealed/opened with these ciphers.</summary>
    public void EnableCrypto(FrameCipher tx, FrameCipher rx) { _tx = tx; _rx = rx; }

    public async Task SendAsync(MirrorFrame frame, CancellationToken ct)
    {
        var body = frame.Encode();
        await _send.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_tx is not null) body = _tx.Seal(body);
            var len = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(len, body.Length);
            await _stream.WriteAsync(len, ct).ConfigureAwait(false);
            await _stream.WriteAsync(body, ct).ConfigureAwait(false);
        }
        finally { _send.Release(); }
    }

    public async Task<MirrorFrame> ReceiveAsync(CancellationToken ct)
    {
        var len = new byte[4];
        await _stream.ReadExactlyAsync(len, ct).ConfigureAwait(false);
        int n = BinaryPrimitives.ReadInt32LittleEndian(len);
        if (n < MirrorFrame.HeaderSize || n > MaxBody + FrameCipher.TagSize)
            throw new InvalidDataException($"mirror frame length {n} is out of range");
        var body = new byte[n];
        await _stream.ReadExactlyAsync(body, ct).ConfigureAwait(false);
        if (_rx is not null) body = _rx.Open(body);
        return MirrorFrame.Decode(body);
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
