using System.Collections.Concurrent;
using System.Net;
using ExpressHa.Service.Mirror;
using ExpressHa.Service.Mirror.Nbd;
using static ExpressHa.Service.Mirror.Nbd.NbdProtocol;

namespace ExpressHa.Service.Tests.Mirror.Nbd;

/// <summary>Device failures become the reply's errno, and operations reach the device in the client's order.</summary>
public sealed class NbdDeviceErrorTests
{
    /// <summary>An in-memory device that records every call and fails the ones its rule says.</summary>
    sealed class ScriptedDevice(long size) : IBlockDevice
    {
        readonly byte[] _data = new byte[size];
        public readonly ConcurrentQueue<string> Calls = new();
        public Func<string, long, Exception?> Fail = (_, _) => null;

        public long Size => size;
        public bool ReadOnly => false;

        async ValueTask Do(string op, long offset, Action action)
        {
            // Completing asynchronously and a little later makes any reordering by the server visible.
            await Task.Delay(op == "write" ? 5 : 0);
            Calls.Enqueue($"{op}@{offset}");
            if (Fail(op, offset) is { } e) throw e;
            action();
        }

        public ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken ct)
            => Do("read", offset, () => _data.AsSpan((int)offset, buffer.Length).CopyTo(buffer.Span));
        public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, bool fua, CancellationToken ct)
            => Do(fua ? "write-fua" : "write", offset, () => data.Span.CopyTo(_data.AsSpan((int)offset)));
        public ValueTask FlushAsync(CancellationToken ct) => Do("flush", 0, () => { });
        public ValueTask WriteZeroesAsync(long offset, long length, bool fua, CancellationToken ct)
            => Do("zero", offset, () => _data.AsSpan((int)offset, (int)length).Clear());
    }

    static async Task<(NbdServer Server, int Port)> ServeAsync(IBlockDevice device)
    {
        var server = new NbdServer("dev", device);
        await server.StartAsync("127.0.0.1:0", CancellationToken.None);
        return (server, ((IPEndPoint)server.LocalEndPoint!).Port);
    }

    [Fact]
    public async Task Device_exceptions_become_errno_replies_and_the_connection_goes_on()
    {
        var device = new ScriptedDevice(1 << 20)
        {
            Fail = (op, offset) => (op, offset) switch
            {
                ("write", 4096) => new BlockDeviceException(BlockDeviceException.ENOSPC, "full"),
                ("read", 8192) => new IOException("media error"),
                ("zero", 0) => new BlockDeviceException(BlockDeviceException.ESHUTDOWN, "demoted"),
                ("flush", _) => new BlockDeviceException(99, "not an NBD errno"),
                ("read", 12288) => new InvalidOperationException("a bug in the device"),
                _ => null,
            },
        };
        var (server, port) = await ServeAsync(device);
        await using var _ = server;
        using var c = await RawNbdClient.ConnectAsync(port);
        await c.HandshakeAsync("dev");

        await c.SendRequestAsync(CmdWrite, 1, 4096, 512, payload: new byte[512]);
        Assert.Equal(((uint)BlockDeviceException.ENOSPC, 1ul), await c.ReadSimpleReplyAsync());
        await c.SendRequestAsync(CmdRead, 2, 8192, 512);
        Assert.Equal(((uint)BlockDeviceException.EIO, 2ul), await c.ReadSimpleReplyAsync());
        await c.SendRequestAsync(CmdWriteZeroes, 3, 0, 512);
        Assert.Equal(((uint)BlockDeviceException.ESHUTDOWN, 3ul), await c.ReadSimpleReplyAsync());
        await c.SendRequestAsync(CmdFlush, 4, 0, 0);
        Assert.Equal(((uint)BlockDeviceException.EIO, 4ul), await c.ReadSimpleReplyAsync());
        await c.SendRequestAsync(CmdRead, 5, 12288, 512);
        Assert.Equal(((uint)BlockDeviceException.EIO, 5ul), await c.ReadSimpleReplyAsync());

        // A failed read sends no data: the next reply follows directly.
        await c.SendRequestAsync(CmdWrite, 6, 0, 4, payload: [1, 2, 3, 4]);
        Assert.Equal((0u, 6ul), await c.ReadSimpleReplyAsync());
        await c.SendRequestAsync(CmdRead, 7, 0, 4);
        Assert.Equal((0u, 7ul), await c.ReadSimpleReplyAsync());
        Assert.Equal([1, 2, 3, 4], await c.ReadAsync(4));
    }

    [Fact]
    public async Task Pipelined_writes_reach_the_device_before_the_flush_that_follows_them()
    {
        var device = new ScriptedDevice(1 << 20);
        var (server, port) = await ServeAsync(device);
        await using var _ = server;
        using var c = await RawNbdClient.ConnectAsync(port);
        await c.HandshakeAsync("");

        var batch = new List<byte>();
        for (var i = 0; i < 10; i++) batch.AddRange([.. RawNbdClient.Request(CmdWrite, (ulong)i, (ulong)i * 512, 512, i == 3 ? CmdFlagFua : (ushort)0), .. new byte[512]]);
        batch.AddRange(RawNbdClient.Request(CmdFlush, 10, 0, 0));
        batch.AddRange(RawNbdClient.Request(CmdTrim, 11, 0, 1024));
        await c.SendAsync([.. batch]);
        for (var i = 0; i <= 11; i++) Assert.Equal((0u, (ulong)i), await c.ReadSimpleReplyAsync());

        var expected = Enumerable.Range(0, 10).Select(i => $"{(i == 3 ? "write-fua" : "write")}@{i * 512}").Append("flush@0").Append("zero@0");
        Assert.Equal(expected, device.Calls);
    }
}
