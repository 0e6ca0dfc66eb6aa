using System.Buffers.Binary;
using System.Net.Sockets;

namespace ExpressHa.MirrorBench;

/// <summary>A minimal NBD client (fixed newstyle, NBD_OPT_GO, simple replies), one request at a time: the same client
/// drives the mirrored export and the unreplicated baseline, so their figures compare.</summary>
public sealed class NbdBenchClient : IDisposable
{
    const ulong NbdMagic = 0x4e42444d41474943, IHaveOpt = 0x49484156454F5054, OptReplyMagic = 0x3e889045565a9;
    const uint RequestMagic = 0x25609513, SimpleReplyMagic = 0x67446698;
    const uint OptGo = 7, RepAck = 1, RepInfo = 3;
    public const ushort CmdRead = 0, CmdWrite = 1, CmdDisc = 2, CmdFlush = 3, FlagFua = 1;

    readonly Socket _socket;
    readonly NetworkStream _stream;
    readonly byte[] _header = new byte[28];
    ulong _cookie;

    NbdBenchClient(Socket socket) { _socket = socket; _stream = new NetworkStream(socket, ownsSocket: true); }

    public ulong Size { get; private set; }

    /// <summary>endpoint: host:port or unix:/path.</summary>
    public static async Task<NbdBenchClient> ConnectAsync(string endpoint, string export)
    {
        Socket s;
        if (endpoint.StartsWith("unix:", StringComparison.Ordinal))
        {
            s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await s.ConnectAsync(new UnixDomainSocketEndPoint(endpoint[5..]));
        }
        else
        {
            var colon = endpoint.LastIndexOf(':');
            s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await s.ConnectAsync(endpoint[..colon], int.Parse(endpoint[(colon + 1)..]));
        }
        var c = new NbdBenchClient(s);
        await c.HandshakeAsync(export);
        return c;
    }

    async Task HandshakeAsync(string export)
    {
        var greeting = await ReadExactly(18);
        if (BinaryPrimitives.ReadUInt64BigEndian(greeting) != NbdMagic || BinaryPrimitives.ReadUInt64BigEndian(greeting.AsSpan(8)) != IHaveOpt)
            throw new IOException("not an NBD newstyle server");
        var clientFlags = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(clientFlags, 3);   // FIXED_NEWSTYLE | NO_ZEROES
        await _stream.WriteAsync(clientFlags);
        var name = System.Text.Encoding.UTF8.GetBytes(export);
        var opt = new byte[16 + 4 + name.Length + 2];
        BinaryPrimitives.WriteUInt64BigEndian(opt, IHaveOpt);
        BinaryPrimitives.WriteUInt32BigEndian(opt.AsSpan(8), OptGo);
        BinaryPrimitives.WriteUInt32BigEndian(opt.AsSpan(12), (uint)(4 + name.Length + 2));
        BinaryPrimitives.WriteUInt32BigEndian(opt.AsSpan(16), (uint)name.Length);
        name.CopyTo(opt, 20);
        await _stream.WriteAsync(opt);
        while (true)
        {
            var head = await ReadExactly(20);
            if (BinaryPrimitives.ReadUInt64BigEndian(head) != OptReplyMagic) throw new IOException("bad option reply magic");
            var type = BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(12));
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(16));
            var data = await ReadExactly(length);
            if (type == RepAck) return;
            if ((type & 0x80000000) != 0) throw new IOException($"export '{export}' refused: reply type 0x{type:x}");
            if (type == RepInfo && length >= 12 && BinaryPrimitives.ReadUInt16BigEndian(data) == 0) Size = BinaryPrimitives.ReadUInt64BigEndian(data.AsSpan(2));
        }
    }

    public async Task WriteAsync(long offset, ReadOnlyMemory<byte> data, bool fua = false)
    {
        WriteHeader(CmdWrite, fua ? FlagFua : (ushort)0, offset, data.Length);
        await _stream.WriteAsync(_header);
        await _stream.WriteAsync(data);
        await ReadReply();
    }

    public async Task FlushAsync()
    {
        WriteHeader(CmdFlush, 0, 0, 0);
        await _stream.WriteAsync(_header);
        await ReadReply();
    }

    public async Task ReadAsync(long offset, Memory<byte> into)
    {
        WriteHeader(CmdRead, 0, offset, into.Length);
        await _stream.WriteAsync(_header);
        await ReadReply();
        await _stream.ReadExactlyAsync(into);
    }

    void WriteHeader(ushort type, ushort flags, long offset, int length)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_header, RequestMagic);
        BinaryPrimitives.WriteUInt16BigEndian(_header.AsSpan(4), flags);
        BinaryPrimitives.WriteUInt16BigEndian(_header.AsSpan(6), type);
        BinaryPrimitives.WriteUInt64BigEndian(_header.AsSpan(8), ++_cookie);
        BinaryPrimitives.WriteUInt64BigEndian(_header.AsSpan(16), (ulong)offset);
        BinaryPrimitives.WriteUInt32BigEndian(_header.AsSpan(24), (uint)length);
    }

    readonly byte[] _reply = new byte[16];

    async Task ReadReply()
    {
        await _stream.ReadExactlyAsync(_reply);
        if (BinaryPrimitives.ReadUInt32BigEndian(_reply) != SimpleReplyMagic) throw new IOException("bad reply magic");
        var error = BinaryPrimitives.ReadUInt32BigEndian(_reply.AsSpan(4));
        if (error != 0) throw new IOException($"NBD error {error}");
        if (BinaryPrimitives.ReadUInt64BigEndian(_reply.AsSpan(8)) != _cookie) throw new IOException("reply for another request");
    }

    async Task<byte[]> ReadExactly(int n)
    {
        var b = new byte[n];
        await _stream.ReadExactlyAsync(b);
        return b;
    }

    public void Dispose()
    {
        try
        {
            WriteHeader(CmdDisc, 0, 0, 0);
            _stream.Write(_header);
        }
        catch (IOException) { }
        _stream.Dispose();
    }
}
