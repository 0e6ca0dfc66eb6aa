using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using static ExpressHa.Service.Mirror.Nbd.NbdProtocol;

namespace ExpressHa.Service.Tests.Mirror.Nbd;

/// <summary>A hand-driven NBD client over a raw TCP socket, for sending what real clients never would.</summary>
public sealed class RawNbdClient : IDisposable
{
    static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);

    readonly Socket _socket;
    readonly NetworkStream _stream;

    RawNbdClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public static async Task<RawNbdClient> ConnectAsync(int port)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await s.ConnectAsync(IPAddress.Loopback, port);
        return new RawNbdClient(s);
    }

    /// <summary>Reads the server's greeting and checks it; returns the handshake flags.</summary>
    public async Task<ushort> ReadGreetingAsync()
    {
        var b = await ReadAsync(18);
        Assert.Equal(NbdMagic, BinaryPrimitives.ReadUInt64BigEndian(b));
        Assert.Equal(IHaveOpt, BinaryPrimitives.ReadUInt64BigEndian(b.AsSpan(8)));
        return BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(16));
    }

    public Task SendUInt32Async(uint value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        return SendAsync(b);
    }

    public async Task SendAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    public Task SendOptionAsync(uint option, byte[] data, ulong magic = IHaveOpt, uint? length = null)
    {
        var b = new byte[16 + data.Length];
        BinaryPrimitives.WriteUInt64BigEndian(b, magic);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(8), option);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(12), length ?? (uint)data.Length);
        data.CopyTo(b, 16);
        return SendAsync(b);
    }

    public async Task<(uint Option, uint Type, byte[] Data)> ReadOptionReplyAsync()
    {
        var h = await ReadAsync(20);
        Assert.Equal(OptionReplyMagic, BinaryPrimitives.ReadUInt64BigEndian(h));
        var length = BinaryPrimitives.ReadUInt32BigEndian(h.AsSpan(16));
        Assert.True(length < 1 << 20, $"option reply of {length} bytes");
        return (BinaryPrimitives.ReadUInt32BigEndian(h.AsSpan(8)), BinaryPrimitives.ReadUInt32BigEndian(h.AsSpan(12)), await ReadAsync((int)length));
    }

    public static byte[] InfoRequest(string name, params ushort[] infos)
    {
        var n = Encoding.UTF8.GetBytes(name);
        var b = new byte[4 + n.Length + 2 + 2 * infos.Length];
        BinaryPrimitives.WriteUInt32BigEndian(b, (uint)n.Length);
        n.CopyTo(b, 4);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(4 + n.Length), (ushort)infos.Length);
        for (var i = 0; i < infos.Length; i++) BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(6 + n.Length + 2 * i), infos[i]);
        return b;
    }

    /// <summary>Greeting, client flags, NBD_OPT_GO: leaves the connection in transmission; returns size and flags.</summary>
    public async Task<(ulong Size, ushort Flags)> HandshakeAsync(string name = "")
    {
        await ReadGreetingAsync();
        await SendUInt32Async(ClientFlagFixedNewstyle | ClientFlagNoZeroes);
        await SendOptionAsync(OptGo, InfoRequest(name));
        return await ReadGoRepliesAsync();
    }

    public async Task<(ulong Size, ushort Flags)> ReadGoRepliesAsync()
    {
        ulong size = 0;
        ushort flags = 0;
        var sawExport = false;
        while (true)
        {
            var (option, type, data) = await ReadOptionReplyAsync();
            Assert.Equal(OptGo, option);
            if (type == RepAck) break;
            Assert.Equal(RepInfo, type);
            if (BinaryPrimitives.ReadUInt16BigEndian(data) == InfoExport)
            {
                size = BinaryPrimitives.ReadUInt64BigEndian(data.AsSpan(2));
                flags = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(10));
                sawExport = true;
            }
        }
        Assert.True(sawExport, "NBD_OPT_GO succeeded without NBD_INFO_EXPORT");
        return (size, flags);
    }

    public static byte[] Request(ushort type, ulong cookie, ulong offset, uint length, ushort flags = 0, uint magic = RequestMagic)
    {
        var b = new byte[RequestSize];
        BinaryPrimitives.WriteUInt32BigEndian(b, magic);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(4), flags);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(6), type);
        BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(8), cookie);
        BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(16), offset);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(24), length);
        return b;
    }

    public Task SendRequestAsync(ushort type, ulong cookie, ulong offset, uint length, ushort flags = 0, byte[]? payload = null)
        => SendAsync(payload is null ? Request(type, cookie, offset, length, flags) : [.. Request(type, cookie, offset, length, flags), .. payload]);

    /// <summary>Reads a simple reply header: (error, cookie).</summary>
    public async Task<(uint Error, ulong Cookie)> ReadSimpleReplyAsync()
    {
        var h = await ReadAsync(SimpleReplySize);
        Assert.Equal(SimpleReplyMagic, BinaryPrimitives.ReadUInt32BigEndian(h));
        return (BinaryPrimitives.ReadUInt32BigEndian(h.AsSpan(4)), BinaryPrimitives.ReadUInt64BigEndian(h.AsSpan(8)));
    }

    public async Task<byte[]> ReadAsync(int length)
    {
        var b = new byte[length];
        using var cts = new CancellationTokenSource(ReadTimeout);
        await _stream.ReadExactlyAsync(b, cts.Token);
        return b;
    }

    /// <summary>True when the server closes the connection (end of stream or reset) within a few seconds,
    /// discarding anything it still sends first.</summary>
    public async Task<bool> ServerClosesAsync()
    {
        using var cts = new CancellationTokenSource(ReadTimeout);
        var b = new byte[4096];
        try
        {
            while (await _stream.ReadAsync(b, cts.Token) > 0) { }
            return true;
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose() => _stream.Dispose();
}
