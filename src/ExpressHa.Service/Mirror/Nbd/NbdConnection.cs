using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using static ExpressHa.Service.Mirror.Nbd.NbdProtocol;

namespace ExpressHa.Service.Mirror.Nbd;

/// <summary>One client: the handshake, then the transmission phase. Requests are served one at a time in the order
/// they arrive, so a FLUSH is answered only after every earlier write has completed; pipelined requests still flow
/// because replies wait in the output buffer while more requests are already waiting to be read.</summary>
internal sealed class NbdConnection : IAsyncDisposable
{
    static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(30);

    readonly Socket _socket;
    readonly NetworkStream _stream;
    readonly IBlockDevice _device;
    readonly string _exportName;
    readonly Action<string> _log;
    readonly CancellationTokenSource _cts = new();
    readonly byte[] _request = new byte[RequestSize];
    int _closed;

    public NbdConnection(Socket socket, string exportName, IBlockDevice device, Action<string> log)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _exportName = exportName;
        _device = device;
        _log = log;
        Peer = DescribePeer(socket);
    }

    public string Peer { get; }

    public async Task RunAsync(CancellationToken serverToken)
    {
        using var link = CancellationTokenSource.CreateLinkedTokenSource(serverToken, _cts.Token);
        var ct = link.Token;
        using var input = new NbdInput(_stream, _socket);
        using var output = new NbdOutput(_stream);
        try
        {
            using (var handshakeTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                handshakeTimeout.CancelAfter(HandshakeTimeout);
                var handshake = new NbdHandshake(input, output, _exportName, _device, _log);
                if (!await handshake.RunAsync(handshakeTimeout.Token).ConfigureAwait(false))
                {
                    _log($"nbd: {Peer} ended the handshake");
                    return;
                }
            }
            _log($"nbd: {Peer} attached to export '{_exportName}'");
            await TransmitAsync(input, output, ct).ConfigureAwait(false);
        }
        catch (NbdProtocolException e)
        {
            _log($"nbd: {Peer}: {e.Message}; closing the connection");
        }
        catch (EndOfStreamException)
        {
            _log($"nbd: {Peer} disconnected in the middle of a message");
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            _log(serverToken.IsCancellationRequested || _cts.IsCancellationRequested
                ? $"nbd: {Peer} closed by the server"
                : $"nbd: {Peer} timed out in the handshake");
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            _log($"nbd: {Peer} connection lost: {e.Message}");
        }
        catch (Exception e)
        {
            _log($"nbd: {Peer} failed: {e}");
        }
        finally
        {
            Close();
        }
    }

    async Task TransmitAsync(NbdInput input, NbdOutput output, CancellationToken ct)
    {
        while (true)
        {
            if (output.Buffered > 0 && !input.HasPendingInput) await output.FlushAsync(ct).ConfigureAwait(false);
            if (!await input.ReadExactlyAsync(_request, ct).ConfigureAwait(false))
            {
                _log($"nbd: {Peer} disconnected without NBD_CMD_DISC");
                return;
            }
            var magic = BinaryPrimitives.ReadUInt32BigEndian(_request);
            var flags = BinaryPrimitives.ReadUInt16BigEndian(_request.AsSpan(4));
            var type = BinaryPrimitives.ReadUInt16BigEndian(_request.AsSpan(6));
            var cookie = BinaryPrimitives.ReadUInt64BigEndian(_request.AsSpan(8));
            var offset = BinaryPrimitives.ReadUInt64BigEndian(_request.AsSpan(16));
            var length = BinaryPrimitives.ReadUInt32BigEndian(_request.AsSpan(24));
            if (magic != RequestMagic) throw new NbdProtocolException($"bad request magic 0x{magic:x8}");

            switch (type)
            {
                case CmdRead:
                    await ReadAsync(output, cookie, offset, length, ct).ConfigureAwait(false);
                    break;
                case CmdWrite:
                    await WriteAsync(input, output, cookie, flags, offset, length, ct).ConfigureAwait(false);
                    break;
                case CmdDisc:
                    await output.FlushAsync(ct).ConfigureAwait(false);
                    _log($"nbd: {Peer} disconnected");
                    return;
                case CmdFlush:
                    await ReplyAsync(output, cookie, await RunAsync(() => _device.FlushAsync(ct)).ConfigureAwait(false), ct).ConfigureAwait(false);
                    break;
                case CmdTrim:
                case CmdWriteZeroes:
                {
                    var error = CheckWrite(offset, length);
                    if (error == 0)
                    {
                        var fua = (flags & CmdFlagFua) != 0;
                        error = await RunAsync(() => _device.WriteZeroesAsync((long)offset, length, fua, ct)).ConfigureAwait(false);
                    }
                    await ReplyAsync(output, cookie, error, ct).ConfigureAwait(false);
                    break;
                }
                default:
                    _log($"nbd: {Peer} sent unsupported command {type}");
                    await ReplyAsync(output, cookie, BlockDeviceException.EINVAL, ct).ConfigureAwait(false);
                    break;
            }
        }
    }

    async ValueTask ReadAsync(NbdOutput output, ulong cookie, ulong offset, uint length, CancellationToken ct)
    {
        if (length > MaxPayload || !InRange(offset, length))
        {
            await ReplyAsync(output, cookie, BlockDeviceException.EINVAL, ct).ConfigureAwait(false);
            return;
        }
        // Header and data share one pooled buffer so the reply leaves in a single write.
        var total = SimpleReplySize + (int)length;
        var buffer = ArrayPool<byte>.Shared.Rent(total);
        try
        {
            var error = await RunAsync(() => _device.ReadAsync((long)offset, buffer.AsMemory(SimpleReplySize, (int)length), ct)).ConfigureAwait(false);
            if (error != 0)
            {
                await ReplyAsync(output, cookie, error, ct).ConfigureAwait(false);
                return;
            }
            WriteReplyHeader(buffer, cookie, 0);
            await output.WriteAsync(buffer.AsMemory(0, total), ct).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    async ValueTask WriteAsync(NbdInput input, NbdOutput output, ulong cookie, ushort flags, ulong offset, uint length, CancellationToken ct)
    {
        // A payload this large is not read, so the next request header cannot be found: give up on the connection.
        if (length > MaxPayload) throw new NbdProtocolException($"write of {length} bytes exceeds the {MaxPayload}-byte maximum");
        var buffer = ArrayPool<byte>.Shared.Rent((int)length);
        try
        {
            var data = buffer.AsMemory(0, (int)length);
            await input.ReadRequiredAsync(data, ct).ConfigureAwait(false);
            var error = CheckWrite(offset, length);
            if (error == 0)
            {
                var fua = (flags & CmdFlagFua) != 0;
                error = await RunAsync(() => _device.WriteAsync((long)offset, data, fua, ct)).ConfigureAwait(false);
            }
            await ReplyAsync(output, cookie, error, ct).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    int CheckWrite(ulong offset, uint length)
    {
        if (_device.ReadOnly) return BlockDeviceException.EPERM;
        return InRange(offset, length) ? 0 : BlockDeviceException.EINVAL;
    }

    bool InRange(ulong offset, uint length) => offset <= (ulong)_device.Size && length <= (ulong)_device.Size - offset;

    /// <summary>Runs one device call and turns its failure into the errno for the reply.</summary>
    async ValueTask<int> RunAsync(Func<ValueTask> operation)
    {
        try
        {
            await operation().ConfigureAwait(false);
            return 0;
        }
        catch (BlockDeviceException e)
        {
            _log($"nbd: {Peer}: device error {e.Errno}: {e.Message}");
            return e.Errno is BlockDeviceException.EPERM or BlockDeviceException.EIO or BlockDeviceException.ENOMEM
                or BlockDeviceException.EINVAL or BlockDeviceException.ENOSPC or BlockDeviceException.EOVERFLOW
                or BlockDeviceException.ENOTSUP or BlockDeviceException.ESHUTDOWN
                ? e.Errno
                : BlockDeviceException.EIO; // the protocol defines no other values
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _log($"nbd: {Peer}: I/O error: {e.Message}");
            return BlockDeviceException.EIO;
        }
    }

    static async ValueTask ReplyAsync(NbdOutput output, ulong cookie, int error, CancellationToken ct)
        => WriteReplyHeader((await output.ReserveAsync(SimpleReplySize, ct).ConfigureAwait(false)).Span, cookie, error);

    static void WriteReplyHeader(Span<byte> header, ulong cookie, int error)
    {
        BinaryPrimitives.WriteUInt32BigEndian(header, SimpleReplyMagic);
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], (uint)error);
        BinaryPrimitives.WriteUInt64BigEndian(header[8..], cookie);
    }

    /// <summary>Ends the connection from the server's side; the running loop fails out of its pending read or write.</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        try { _cts.Cancel(); } catch (ObjectDisposedException) { }
        try { _socket.Shutdown(SocketShutdown.Both); } catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        _stream.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Close();
        _cts.Dispose();
        return ValueTask.CompletedTask;
    }

    static string DescribePeer(Socket socket)
    {
        try
        {
            return socket.RemoteEndPoint?.ToString() is { Length: > 0 } s ? s : "unix-client";
        }
        catch (SocketException)
        {
            return "client";
        }
    }
}
