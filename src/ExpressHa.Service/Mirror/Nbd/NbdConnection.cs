using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using static ExpressHa.Service.Mirror.Nbd.NbdProtocol;

namespace ExpressHa.Service.Mirror.Nbd;

/// <summary>One client: the handshake, then the transmission phase. Requests are served one at a time in the order
/// they arrive, so a FLUSH is answered only after every earlier write has completed; pipelined requests still flow
/// because replies wait in the output buffer while more requests are already waiting to be read.</summary>
internal sealed class NbdConnection : IDisposable
{
    const int HandshakeTimeoutMs = 30_000;

    readonly Socket _socket;
    readonly IBlockDevice _device;
    readonly string _exportName;
    readonly Action<string> _log;
    readonly CancellationTokenSource _cts = new();
    readonly byte[] _request = new byte[RequestSize];
    int _closed;

    public NbdConnection(Socket socket, string exportName, IBlockDevice device, Action<string> log)
    {
        _socket = socket;
        _exportName = exportName;
        _device = device;
        _log = log;
        Peer = DescribePeer(socket);
    }

    public string Peer { get; }

    /// <summary>Serves the client until it leaves, breaks the protocol or <see cref="Close"/> is called. Blocking:
    /// the server gives each connection its own thread, so socket and file I/O need no thread-pool hops.</summary>
    public void Run()
    {
        var ct = _cts.Token;
        using var input = new NbdInput(_socket);
        using var output = new NbdOutput(_socket);
        var attached = false;
        try
        {
            _socket.ReceiveTimeout = HandshakeTimeoutMs;
            if (!new NbdHandshake(input, output, _exportName, _device, _log).Run())
            {
                _log($"nbd: {Peer} ended the handshake");
                return;
            }
            _socket.ReceiveTimeout = 0;
            attached = true;
            _log($"nbd: {Peer} attached to export '{_exportName}'");
            Transmit(input, output, ct);
        }
        catch (Exception) when (Volatile.Read(ref _closed) != 0)
        {
            _log($"nbd: {Peer} closed by the server");
        }
        catch (NbdProtocolException e)
        {
            _log($"nbd: {Peer}: {e.Message}; closing the connection");
        }
        catch (EndOfStreamException)
        {
            _log($"nbd: {Peer} disconnected in the middle of a message");
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut && !attached)
        {
            _log($"nbd: {Peer} timed out in the handshake");
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
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

    void Transmit(NbdInput input, NbdOutput output, CancellationToken ct)
    {
        while (true)
        {
            if (output.Buffered > 0 && !input.HasPendingInput) output.Flush();
            if (!input.ReadExactly(_request))
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
                    Read(output, cookie, offset, length, ct);
                    break;
                case CmdWrite:
                    Write(input, output, cookie, flags, offset, length, ct);
                    break;
                case CmdDisc:
                    output.Flush();
                    _log($"nbd: {Peer} disconnected");
                    return;
                case CmdFlush:
                    Reply(output, cookie, Complete(() => _device.FlushAsync(ct)));
                    break;
                case CmdTrim:
                case CmdWriteZeroes:
                {
                    var error = CheckWrite(offset, length);
                    if (error == 0)
                    {
                        var fua = (flags & CmdFlagFua) != 0;
                        error = Complete(() => _device.WriteZeroesAsync((long)offset, length, fua, ct));
                    }
                    Reply(output, cookie, error);
                    break;
                }
                default:
                    _log($"nbd: {Peer} sent unsupported command {type}");
                    Reply(output, cookie, BlockDeviceException.EINVAL);
                    break;
            }
        }
    }

    void Read(NbdOutput output, ulong cookie, ulong offset, uint length, CancellationToken ct)
    {
        if (length > MaxPayload || !InRange(offset, length))
        {
            Reply(output, cookie, BlockDeviceException.EINVAL);
            return;
        }
        // Header and data share one pooled buffer so a large reply leaves in a single send.
        var total = SimpleReplySize + (int)length;
        var buffer = ArrayPool<byte>.Shared.Rent(total);
        try
        {
            var error = Complete(() => _device.ReadAsync((long)offset, buffer.AsMemory(SimpleReplySize, (int)length), ct));
            if (error != 0)
            {
                Reply(output, cookie, error);
                return;
            }
            WriteReplyHeader(buffer, cookie, 0);
            output.Write(buffer.AsSpan(0, total));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    void Write(NbdInput input, NbdOutput output, ulong cookie, ushort flags, ulong offset, uint length, CancellationToken ct)
    {
        // A payload this large is not read, so the next request header cannot be found: give up on the connection.
        if (length > MaxPayload) throw new NbdProtocolException($"write of {length} bytes exceeds the {MaxPayload}-byte maximum");
        var buffer = ArrayPool<byte>.Shared.Rent((int)length);
        try
        {
            var payload = buffer.AsMemory(0, (int)length);
            input.ReadRequired(payload.Span);
            var error = CheckWrite(offset, length);
            var fua = (flags & CmdFlagFua) != 0;
            if (error != 0)
            {
                Reply(output, cookie, error);
                return;
            }
            ValueTask pending;
            try { pending = _device.WriteAsync((long)offset, payload, fua, ct); }
            catch (Exception e) when (e is not OperationCanceledException) { pending = ValueTask.FromException(e); }
            if (pending.IsCompleted)
            {
                Reply(output, cookie, Complete(() => pending));
                return;
            }
            ReplyFromCompleter(output, cookie, pending.AsTask());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A write still waiting (the mirror's peer has not acknowledged it yet) is answered by the thread that
    /// completes it, so the client hears back without first waking this connection's thread. This thread still waits
    /// for it before the next request (one at a time, and the payload's buffer stays valid). A reply that cannot leave
    /// without blocking (the client is not reading) stays in the output buffer for this thread: the completing thread
    /// is the mirror link's, which must never wait on a client.</summary>
    void ReplyFromCompleter(NbdOutput output, ulong cookie, Task write)
    {
        output.Flush();
        var replied = write.ContinueWith(t =>
        {
            var error = t.IsCompletedSuccessfully ? 0 : Complete(() => new ValueTask(t));
            Reply(output, cookie, error);
            if (Volatile.Read(ref _closed) == 0 && _socket.Poll(0, SelectMode.SelectWrite)) output.Flush();
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        replied.GetAwaiter().GetResult();
    }

    int CheckWrite(ulong offset, uint length)
    {
        if (_device.ReadOnly) return BlockDeviceException.EPERM;
        return InRange(offset, length) ? 0 : BlockDeviceException.EINVAL;
    }

    bool InRange(ulong offset, uint length) => offset <= (ulong)_device.Size && length <= (ulong)_device.Size - offset;

    /// <summary>Runs one device call to completion (waiting on this connection's thread when it completes
    /// asynchronously) and turns its failure into the errno for the reply.</summary>
    int Complete(Func<ValueTask> operation)
    {
        try
        {
            var pending = operation();
            if (pending.IsCompletedSuccessfully) pending.GetAwaiter().GetResult();
            else pending.AsTask().GetAwaiter().GetResult();
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

    static void Reply(NbdOutput output, ulong cookie, int error) => WriteReplyHeader(output.Reserve(SimpleReplySize), cookie, error);

    static void WriteReplyHeader(Span<byte> header, ulong cookie, int error)
    {
        BinaryPrimitives.WriteUInt32BigEndian(header, SimpleReplyMagic);
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], (uint)error);
        BinaryPrimitives.WriteUInt64BigEndian(header[8..], cookie);
    }

    /// <summary>Ends the connection from the server's side; the connection's thread fails out of its blocking
    /// receive or send, and a device call in progress is cancelled.</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        try { _cts.Cancel(); } catch (ObjectDisposedException) { }
        try { _socket.Shutdown(SocketShutdown.Both); } catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        _socket.Dispose();
    }

    public void Dispose()
    {
        Close();
        _cts.Dispose();
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
