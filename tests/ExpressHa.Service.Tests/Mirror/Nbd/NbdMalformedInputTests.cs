using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json;
using ExpressHa.Service.Mirror;
using static ExpressHa.Service.Mirror.Nbd.NbdProtocol;

namespace ExpressHa.Service.Tests.Mirror.Nbd;

/// <summary>Broken clients on raw sockets: each may lose its own connection, but the server keeps serving others.</summary>
[Trait("Category", TestCategory.Mirror)]
public sealed class NbdMalformedInputTests
{
    const int MiB = 1 << 20;

    /// <summary>A real client still works and, once every raw connection is gone, none is left open on the server.</summary>
    static async Task AssertStillServesAsync(NbdTestHost host)
    {
        var r = await ExternalTool.RunOkAsync("nbdinfo", "--json", host.Uri);
        using (var doc = JsonDocument.Parse(r.Stdout))
            Assert.Equal(host.Device.Size, doc.RootElement.GetProperty("exports")[0].GetProperty("export-size").GetInt64());
        var w = await ExternalTool.RunOkAsync("qemu-io", "-f", "raw", "-c", "write -P 0x5a 4096 4096", "-c", "read -P 0x5a 4096 4096", host.Uri);
        Assert.DoesNotContain("failed", w.Stdout + w.Stderr);
        await Eventually.UntilAsync(() => host.Server.ConnectionCount == 0, TimeSpan.FromSeconds(5), "every connection closed", () => $"{host.Server.ConnectionCount} open\n{host.Log}");
    }

    [NeedsFact(Need.None, "nbdinfo", "qemu-io")]
    public async Task The_greeting_offers_fixed_newstyle_and_no_zeroes()
    {
        await using var host = await NbdTestHost.StartAsync();
        using var c = await RawNbdClient.ConnectAsync(host.Port);
        Assert.Equal(FlagFixedNewstyle | FlagNoZeroes, await c.ReadGreetingAsync());
    }

    [NeedsFact(Need.None, "nbdinfo", "qemu-io")]
    public async Task Bad_option_magic_closes_only_that_connection()
    {
        await using var host = await NbdTestHost.StartAsync();
        using (var c = await RawNbdClient.ConnectAsync(host.Port))
        {
            await c.ReadGreetingAsync();
            await c.SendUInt32Async(ClientFlagFixedNewstyle);
            await c.SendOptionAsync(OptGo, RawNbdClient.InfoRequest(""), magic: 0x0102030405060708);
            Assert.True(await c.ServerClosesAsync());
        }
        Assert.Contains("bad option magic", host.Log);
        await AssertStillServesAsync(host);
    }

    [NeedsFact(Need.None, "nbdinfo", "qemu-io")]
    public async Task Unknown_client_flags_close_the_connection()
    {
        await using var host = await NbdTestHost.StartAsync();
        using (var c = await RawNbdClient.ConnectAsync(host.Port))
        {
            await c.ReadGreetingAsync();
            await c.SendUInt32Async(0xffff0001);
            Assert.True(await c.ServerClosesAsync());
        }
        Assert.Contains("unknown client flags", host.Log);
        await AssertStillServesAsync(host);
    }

    [NeedsFact(Need.None, "nbdinfo", "qemu-io")]
    public async Task An_oversized_option_is_answered_too_big_and_the_connection_closed()
    {
        await using var host = await NbdTestHost.StartAsync();
        using (var c = await RawNbdClient.ConnectAsync(host.Port))
        {
            await c.ReadGreetingAsync();
            await c.SendUInt32Async(ClientFlagFixedNewstyle);
            await c.SendOptionAsync(OptGo, new byte[100], length: 0x40000000);
            var (option, type, _) = await c.ReadOptionReplyAsync();
            Assert.Equal(OptGo, option);
            Assert.Equal(RepErrTooBig, type);
            Assert.True(await c.ServerClosesAsync());
        }
        await AssertStillServesAsync(host);
    }

    [NeedsFact(Need.None, "nbdinfo", "qemu-io")]
    public async Task Unsupported_and_unknown_options_get_error_replies_and_the_haggling_goes_on()
    {
        await using var host = await NbdTestHost.StartAsync(size: 5 * MiB);
        using var c = await RawNbdClient.ConnectAsync(host.Port);
        await c.ReadGreetingAsync();
        await c.SendUInt32Async(ClientFlagFixedNewstyle | ClientFlagNoZeroes);

        foreach (var (option, expected) in new[]
                 {
                     (OptStructuredReply, RepErrUnsup), (OptStartTls, RepErrUnsup), (OptSetMetaContext, RepErrUnsup),
                     (OptListMetaContext, RepErrUnsup), (99u, RepErrUnsup),
                 })
        {
            await c.SendOptionAsync(option, option is OptSetMetaContext or OptListMetaContext ? RawNbdClient.InfoRequest("") : []);
            var reply = await c.ReadOptionReplyAsync();
            Assert.Equal((option, expected), (reply.Option, reply.Type));
        }

        await c.SendOptionAsync(OptInfo, RawNbdClient.InfoRequest("nosuch"));
        var unknown = await c.ReadOptionReplyAsync();
        Assert.Equal((OptInfo, RepErrUnknown), (unknown.Option, unknown.Type));

        // INFO data whose name length runs past the end is invalid.
        var bad = RawNbdClient.InfoRequest("x");
        BinaryPrimitives.WriteUInt32BigEndian(bad, 1000);
        await c.SendOptionAsync(OptInfo, bad);
        Assert.Equal(RepErrInvalid, (await c.ReadOptionReplyAsync()).Type);

        await c.SendOptionAsync(OptList, []);
        var server = await c.ReadOptionReplyAsync();
        Assert.Equal(RepServer, server.Type);
        Assert.Equal(NbdTestHost.ExportName, System.Text.Encoding.UTF8.GetString(server.Data, 4, (int)BinaryPrimitives.ReadUInt32BigEndian(server.Data)));
        Assert.Equal(RepAck, (await c.ReadOptionReplyAsync()).Type);

        await c.SendOptionAsync(OptGo, RawNbdClient.InfoRequest(NbdTestHost.ExportName));
        var (size, flags) = await c.ReadGoRepliesAsync();
        Assert.Equal((ulong)(5 * MiB), size);
        Assert.Equal(FlagHasFlags | FlagSendFlush | FlagSendFua | FlagSendTrim | FlagSendWriteZeroes, flags);
    }

    [NeedsFact(Need.None, "nbdinfo", "qemu-io")]
    public async Task Abort_is_acknowledged_and_list_with_data_is_invalid()
    {
        await using var host = await NbdTestHost.StartAsync();
        using (var c = await RawNbdClient.ConnectAsync(host.Port))
        {
            await c.ReadGreetingAsync();
            await c.SendUInt32Async(ClientFlagFixedNewstyle);
            await c.SendOptionAsync(OptList, [1, 2, 3]);
            var list = await c.ReadOptionReplyAsync();
            Assert.Equal((OptList, RepErrInvalid), (list.Option, list.Type));
            await c.SendOptionAsync(OptAbort, []);
            var abort = await c.ReadOptionReplyAsync();
            Assert.Equal((OptAbort, RepAck), (abort.Option, abort.Type));
            Assert.True(await c.ServerClosesAsync());
        }
        Assert.Contains("ended the handshake", host.Log);
        await AssertStillServesAsync(host);
    }

    [NeedsFact(Need.None, "nbdinfo", "qemu-io")]
    public async Task Export_name_option_with_an_unknown_name_closes_and_with_the_name_starts_transmission()
    {
        await using var host = await NbdTestHost.StartAsync(size: MiB);
        using (var c = await RawNbdClient.ConnectAsync(host.Port))
        {
            await c.ReadGreetingAsync();
            await c.SendUInt32Async(ClientFlagFixedNewstyle);
            await c.SendOptionAsync(OptExportName, "other"u8.ToArray());
            Assert.True(await c.ServerClosesAsync());
        }
        using (var c = await RawNbdClient.ConnectAsync(host.Port))
        {
            await c.ReadGreetingAsync();
            await c.SendUInt32Async(ClientFlagFixedNewstyle); // without NO_ZEROES: 124 zero bytes follow
            await c.SendOptionAsync(OptExportName, System.Text.Encoding.UTF8.GetBytes(NbdTestHost.ExportName));
            var reply = await c.ReadAsync(8 + 2 + 124);
            Assert.Equal((ulong)MiB, BinaryPrimitives.ReadUInt64BigEndian(reply));
            Assert.All(reply[10..], b => Assert.Equal(0, b));
            await c.SendRequestAsync(CmdFlush, 7, 0, 0);
            Assert.Equal((0u, 7ul), await c.ReadSimpleReplyAsync());
        }
        await AssertStillServesAsync(host);
    }

    [NeedsFact(Need.None, "nbdinfo", "qemu-io")]
    public async Task Out_of_range_requests_get_EINVAL_and_the_connection_stays_in_step()
    {
        await using var host = await NbdTestHost.StartAsync(size: MiB);
        using var c = await RawNbdClient.ConnectAsync(host.Port);
        await c.HandshakeAsync();

        await c.SendRequestAsync(CmdRead, 0x1111, MiB - 10, 11);
        Assert.Equal(((uint)BlockDeviceException.EINVAL, 0x1111ul), await c.ReadSimpleReplyAsync());
        await c.SendRequestAsync(CmdRead, 0x1112, ulong.MaxValue - 5, 10);
        Assert.Equal(((uint)BlockDeviceException.EINVAL, 0x1112ul), await c.ReadSimpleReplyAsync());
        await c.SendRequestAsync(CmdRead, 0x1113, 0, MaxPayload + 1u);
        Assert.Equal(((uint)BlockDeviceException.EINVAL, 0x1113ul), await c.ReadSimpleReplyAsync());

        // The payload of a refused write is consumed: the next header is read where it belongs.
        var payload = new byte[8192];
        Array.Fill(payload, (byte)0xcd);
        await c.SendRequestAsync(CmdWrite, 0x2222, MiB - 4096, 8192, payload: payload);
        Assert.Equal(((uint)BlockDeviceException.EINVAL, 0x2222ul), await c.ReadSimpleReplyAsync());
        await c.SendRequestAsync(CmdWriteZeroes, 0x2223, MiB, 1);
        Assert.Equal(((uint)BlockDeviceException.EINVAL, 0x2223ul), await c.ReadSimpleReplyAsync());
        await c.SendRequestAsync(CmdTrim, 0x2224, 2 * MiB, 4096);
        Assert.Equal(((uint)BlockDeviceException.EINVAL, 0x2224ul), await c.ReadSimpleReplyAsync());
        await c.SendRequestAsync(42, 0x2225, 0, 0);
        Assert.Equal(((uint)BlockDeviceException.EINVAL, 0x2225ul), await c.ReadSimpleReplyAsync());

        await c.SendRequestAsync(CmdWrite, 0x3333, MiB - 4096, 4096, payload: payload[..4096]);
        Assert.Equal((0u, 0x3333ul), await c.ReadSimpleReplyAsync());
        await c.SendRequestAsync(CmdRead, 0x4444, MiB - 4096, 4096);
        Assert.Equal((0u, 0x4444ul), await c.ReadSimpleReplyAsync());
        Assert.Equal(payload[..4096], await c.ReadAsync(4096));
        Assert.All(host.ReadBacking(MiB - 8192, 4096), b => Assert.Equal(0, b));
    }

    [NeedsFact(Need.None, "nbdinfo", "qemu-io")]
    public async Task Pipelined_requests_are_answered_in_order_with_their_cookies()
    {
        await using var host = await NbdTestHost.StartAsync(size: 4 * MiB);
        using var c = await RawNbdClient.ConnectAsync(host.Port);
        await c.HandshakeAsync();

        var batch = new List<byte>();
        for (var i = 0; i < 32; i++)
        {
            var data = new byte[4096];
            Array.Fill(data, (byte)i);
            batch.AddRange(RawNbdClient.Request(CmdWrite, 1000ul + (ulong)i, (ulong)i * 65536, 4096, i % 2 == 0 ? CmdFlagFua : (ushort)0));
            batch.AddRange(data);
        }
        batch.AddRange(RawNbdClient.Request(CmdFlush, 2000, 0, 0));
        for (var i = 0; i < 32; i++) batch.AddRange(RawNbdClient.Request(CmdRead, 3000ul + (ulong)i, (ulong)i * 65536, 4096));
        await c.SendAsync([.. batch]);

        for (var i = 0; i < 32; i++) Assert.Equal((0u, 1000ul + (ulong)i), await c.ReadSimpleReplyAsync());
        Assert.Equal((0u, 2000ul), await c.ReadSimpleReplyAsync());
        for (var i = 0; i < 32; i++)
        {
            Assert.Equal((0u, 3000ul + (ulong)i), await c.ReadSimpleReplyAsync());
            Assert.All(await c.ReadAsync(4096), b => Assert.Equal((byte)i, b));
        }

        await c.SendRequestAsync(CmdDisc, 0, 0, 0);
        Assert.True(await c.ServerClosesAsync());
    }

    [NeedsFact(Need.None, "nbdinfo", "qemu-io")]
    public async Task A_request_with_bad_magic_closes_the_connection()
    {
        await using var host = await NbdTestHost.StartAsync();
        using (var c = await RawNbdClient.ConnectAsync(host.Port))
        {
            await c.HandshakeAsync();
            await c.SendAsync(RawNbdClient.Request(CmdRead, 1, 0, 512, magic: 0xdeadbeef));
            Assert.True(await c.ServerClosesAsync());
        }
        Assert.Contains("bad request magic", host.Log);
        await AssertStillServesAsync(host);
    }

    [NeedsFact(Need.None, "nbdinfo", "qemu-io")]
    public async Task An_oversized_write_closes_the_connection()
    {
        await using var host = await NbdTestHost.StartAsync();
        using (var c = await RawNbdClient.ConnectAsync(host.Port))
        {
            await c.HandshakeAsync();
            await c.SendAsync(RawNbdClient.Request(CmdWrite, 1, 0, MaxPayload + 1u));
            Assert.True(await c.ServerClosesAsync());
        }
        await AssertStillServesAsync(host);
    }

    [NeedsFact(Need.None, "nbdinfo", "qemu-io")]
    public async Task Truncated_messages_then_disconnect_leave_the_server_serving()
    {
        await using var host = await NbdTestHost.StartAsync();
        using (var c = await RawNbdClient.ConnectAsync(host.Port))
        {
            await c.HandshakeAsync();
            await c.SendAsync(RawNbdClient.Request(CmdRead, 1, 0, 512)[..13]);
        }
        using (var c = await RawNbdClient.ConnectAsync(host.Port))
        {
            await c.HandshakeAsync();
            await c.SendAsync([.. RawNbdClient.Request(CmdWrite, 1, 0, 4096), .. new byte[100]]);
        }
        using (var c = await RawNbdClient.ConnectAsync(host.Port))
        {
            await c.ReadGreetingAsync();
            await c.SendAsync([0, 0]);
        }
        using (var c = await RawNbdClient.ConnectAsync(host.Port))
        {
            await c.ReadGreetingAsync();
            await c.SendUInt32Async(ClientFlagFixedNewstyle);
            await c.SendOptionAsync(OptGo, RawNbdClient.InfoRequest(""), length: 200);
        }
        await AssertStillServesAsync(host);
    }

    [NeedsFact(Need.None, "nbdinfo", "qemu-io")]
    public async Task Random_garbage_from_many_clients_never_stops_the_server()
    {
        await using var host = await NbdTestHost.StartAsync(size: MiB);
        var random = new Random(12345);
        for (var i = 0; i < 200; i++)
        {
            using var c = await RawNbdClient.ConnectAsync(host.Port);
            var garbage = new byte[random.Next(1, 400)];
            random.NextBytes(garbage);
            if (i % 3 == 0)
            {
                // Sometimes a valid handshake first, so the garbage lands in the transmission phase.
                await c.HandshakeAsync();
            }
            else if (i % 3 == 1)
            {
                await c.ReadGreetingAsync();
                await c.SendUInt32Async(ClientFlagFixedNewstyle | ClientFlagNoZeroes);
                // An option header with a plausible magic and a random option and length.
                if (garbage.Length >= 8) BinaryPrimitives.WriteUInt64BigEndian(garbage, IHaveOpt);
            }
            try
            {
                await c.SendAsync(garbage);
            }
            catch (IOException)
            {
                // The server may already have hung up.
            }
        }
        await AssertStillServesAsync(host);
    }
}
