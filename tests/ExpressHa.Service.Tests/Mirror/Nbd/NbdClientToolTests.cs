using System.Security.Cryptography;
using System.Text.Json;
using ExpressHa.Service.Mirror.Nbd;

namespace ExpressHa.Service.Tests.Mirror.Nbd;

/// <summary>The NBD server against real clients: nbdinfo, qemu-io, qemu-img and nbdcopy.</summary>
[Trait("Category", TestCategory.Mirror)]
public sealed class NbdClientToolTests
{
    const int MiB = 1 << 20;

    static async Task<JsonElement> NbdinfoJsonAsync(string uri)
    {
        var r = await ExternalTool.RunOkAsync("nbdinfo", "--json", uri);
        using var doc = JsonDocument.Parse(r.Stdout);
        var exports = doc.RootElement.GetProperty("exports");
        Assert.Equal(1, exports.GetArrayLength());
        return exports[0].Clone();
    }

    static Task<ExternalTool.Result> QemuIoAsync(string uri, params string[] commands) => QemuIoAsync(false, uri, commands);

    static Task<ExternalTool.Result> QemuIoAsync(bool readOnly, string uri, params string[] commands)
    {
        var args = new List<string> { "-f", "raw" };
        if (readOnly) args.Add("-r");
        foreach (var c in commands) { args.Add("-c"); args.Add(c); }
        args.Add(uri);
        return ExternalTool.RunAsync("qemu-io", [.. args]);
    }

    static Task QemuIoOkAsync(string uri, params string[] commands) => QemuIoOkAsync(false, uri, commands);

    static async Task QemuIoOkAsync(bool readOnly, string uri, params string[] commands)
    {
        var r = await QemuIoAsync(readOnly, uri, commands);
        Assert.True(r.ExitCode == 0, r.ToString());
        // qemu-io reports a failed command on stdout and still exits 0.
        Assert.DoesNotContain("failed", r.Stdout + r.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Pattern verification", r.Stdout + r.Stderr);
    }

    [NeedsFact(Need.None, "qemu-io", "qemu-img", "nbdinfo", "nbdcopy")]
    public async Task Nbdinfo_over_tcp_shows_size_and_flags_for_the_named_and_the_default_export()
    {
        await using var host = await NbdTestHost.StartAsync(size: 16 * MiB);
        foreach (var uri in new[] { host.Uri, $"nbd://127.0.0.1:{host.Port}" })
        {
            var e = await NbdinfoJsonAsync(uri);
            Assert.Equal(16 * MiB, e.GetProperty("export-size").GetInt64());
            Assert.False(e.GetProperty("is_read_only").GetBoolean());
            Assert.True(e.GetProperty("can_flush").GetBoolean());
            Assert.True(e.GetProperty("can_fua").GetBoolean());
            Assert.True(e.GetProperty("can_trim").GetBoolean());
            Assert.True(e.GetProperty("can_zero").GetBoolean());
            Assert.False(e.GetProperty("can_multi_conn").GetBoolean());
        }
    }

    [NeedsFact(Need.None, "qemu-io", "qemu-img", "nbdinfo", "nbdcopy")]
    public async Task Nbdinfo_over_a_unix_socket_shows_size_and_lists_the_export()
    {
        await using var host = await NbdTestHost.StartAsync(size: 3 * MiB + 512, unix: true);
        var e = await NbdinfoJsonAsync($"nbd+unix:///?socket={host.SocketPath}");
        Assert.Equal(3 * MiB + 512, e.GetProperty("export-size").GetInt64());

        var list = await ExternalTool.RunOkAsync("nbdinfo", "--list", $"nbd+unix:///?socket={host.SocketPath}");
        Assert.Contains($"export=\"{NbdTestHost.ExportName}\"", list.Stdout);
    }

    [NeedsFact(Need.None, "qemu-io", "qemu-img", "nbdinfo", "nbdcopy")]
    public async Task Nbdinfo_fails_for_an_unknown_export_name()
    {
        await using var host = await NbdTestHost.StartAsync();
        var r = await ExternalTool.RunAsync("nbdinfo", $"nbd://127.0.0.1:{host.Port}/nosuchexport");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("nosuchexport", r.Stderr);
        // The server is still fine.
        await NbdinfoJsonAsync(host.Uri);
    }

    [NeedsFact(Need.None, "qemu-io", "qemu-img", "nbdinfo", "nbdcopy")]
    public async Task QemuIo_writes_patterns_at_several_offsets_and_reads_them_back()
    {
        await using var host = await NbdTestHost.StartAsync(size: 16 * MiB);
        var writes = new (long Offset, int Length, byte Pattern)[]
        {
            (0, MiB, 0xab), (MiB + 4096, 64 * 1024, 0x11), (5 * MiB + 17, 1000, 0x5c), (16 * MiB - 4096, 4096, 0xee),
        };
        await QemuIoOkAsync(host.Uri, [.. writes.Select(w => $"write -P 0x{w.Pattern:x2} {w.Offset} {w.Length}")]);
        await QemuIoOkAsync(host.Uri, [.. writes.Select(w => $"read -P 0x{w.Pattern:x2} {w.Offset} {w.Length}")]);

        foreach (var (offset, length, pattern) in writes)
            Assert.All(host.ReadBacking(offset, length), b => Assert.Equal(pattern, b));
        // Between the writes the disk is untouched.
        Assert.All(host.ReadBacking(MiB, 4096), b => Assert.Equal(0, b));

        // A wrong pattern is noticed, so the reads above really compared data.
        var wrong = await QemuIoAsync(host.Uri, "read -P 0xac 0 4096");
        Assert.Contains("Pattern verification failed", wrong.Stdout + wrong.Stderr);
    }

    [NeedsFact(Need.None, "qemu-io", "qemu-img", "nbdinfo", "nbdcopy")]
    public async Task QemuIo_write_zeroes_fua_flush_and_discard_reach_the_backing_file()
    {
        await using var host = await NbdTestHost.StartAsync(size: 8 * MiB);
        await QemuIoOkAsync(host.Uri, "write -P 0x77 0 4M");
        await QemuIoOkAsync(host.Uri,
            "write -z 0 64k",
            "write -f -P 0x42 1M 128k",
            "flush",
            "discard 2M 256k",
            "read -P 0 0 64k",
            "read -P 0x77 64k 64k",
            "read -P 0x42 1M 128k");

        Assert.All(host.ReadBacking(0, 64 * 1024), b => Assert.Equal(0, b));
        Assert.All(host.ReadBacking(64 * 1024, 4096), b => Assert.Equal(0x77, b));
        Assert.All(host.ReadBacking(MiB, 128 * 1024), b => Assert.Equal(0x42, b));
        Assert.All(host.ReadBacking(2 * MiB, 256 * 1024), b => Assert.Equal(0, b));
        Assert.All(host.ReadBacking(2 * MiB + 256 * 1024, 4096), b => Assert.Equal(0x77, b));
    }

    [NeedsFact(Need.None, "qemu-io", "qemu-img", "nbdinfo", "nbdcopy")]
    public async Task Nbdcopy_copies_a_random_file_in_and_out_byte_for_byte()
    {
        await using var host = await NbdTestHost.StartAsync(size: 8 * MiB);
        var source = Path.Combine(host.Directory, "random.bin");
        var back = Path.Combine(host.Directory, "back.bin");
        var data = RandomNumberGenerator.GetBytes(8 * MiB);
        await File.WriteAllBytesAsync(source, data);

        await ExternalTool.RunOkAsync("nbdcopy", source, host.Uri);
        await ExternalTool.RunOkAsync("nbdcopy", host.Uri, back);

        var expected = SHA256.HashData(data);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(back))));
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(SHA256.HashData(host.ReadBacking(0, 8 * MiB))));
    }

    [NeedsFact(Need.None, "qemu-io", "qemu-img", "nbdinfo", "nbdcopy")]
    public async Task Over_a_unix_socket_qemu_io_and_nbdcopy_write_and_read_the_same_bytes()
    {
        await using var host = await NbdTestHost.StartAsync(size: 4 * MiB, unix: true);
        await QemuIoOkAsync(host.Uri, "write -P 0x21 0 1M", "write -f -P 0x22 1M 64k", "flush", "read -P 0x21 0 1M", "read -P 0x22 1M 64k");
        Assert.All(host.ReadBacking(0, MiB), b => Assert.Equal(0x21, b));
        Assert.All(host.ReadBacking(MiB, 64 * 1024), b => Assert.Equal(0x22, b));

        var source = Path.Combine(host.Directory, "random.bin");
        var back = Path.Combine(host.Directory, "back.bin");
        var data = RandomNumberGenerator.GetBytes(4 * MiB);
        await File.WriteAllBytesAsync(source, data);
        await ExternalTool.RunOkAsync("nbdcopy", source, host.Uri);
        await ExternalTool.RunOkAsync("nbdcopy", host.Uri, back);
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(await File.ReadAllBytesAsync(back)));
    }

    [NeedsFact(Need.None, "qemu-io", "qemu-img", "nbdinfo", "nbdcopy")]
    public async Task QemuImg_converts_into_the_export_and_compares_equal_until_a_byte_differs()
    {
        await using var host = await NbdTestHost.StartAsync(size: 4 * MiB);
        var source = Path.Combine(host.Directory, "source.raw");
        var data = RandomNumberGenerator.GetBytes(4 * MiB);
        await File.WriteAllBytesAsync(source, data);

        await ExternalTool.RunOkAsync("qemu-img", "convert", "-n", "-f", "raw", "-O", "raw", source, host.Uri);
        await ExternalTool.RunOkAsync("qemu-img", "compare", "-f", "raw", "-F", "raw", source, host.Uri);
        Assert.Equal(data, host.ReadBacking(0, 4 * MiB));

        data[3 * MiB + 5] ^= 0xff;
        await File.WriteAllBytesAsync(source, data);
        var differs = await ExternalTool.RunAsync("qemu-img", "compare", "-f", "raw", "-F", "raw", source, host.Uri);
        Assert.Equal(1, differs.ExitCode);

        var copy = Path.Combine(host.Directory, "copy.raw");
        await ExternalTool.RunOkAsync("qemu-img", "convert", "-f", "raw", "-O", "raw", host.Uri, copy);
        Assert.Equal(host.ReadBacking(0, 4 * MiB), await File.ReadAllBytesAsync(copy));
    }

    [NeedsFact(Need.None, "qemu-io", "qemu-img", "nbdinfo", "nbdcopy")]
    public async Task A_read_only_export_refuses_writes_with_a_permission_error_and_serves_reads()
    {
        var content = new byte[MiB];
        Array.Fill(content, (byte)0x3c);
        await using var host = await NbdTestHost.StartAsync(size: 2 * MiB, readOnly: true, initialContent: content);

        var info = await NbdinfoJsonAsync(host.Uri);
        Assert.True(info.GetProperty("is_read_only").GetBoolean());

        await QemuIoOkAsync(readOnly: true, host.Uri, "read -P 0x3c 0 1M", "read -P 0 1M 1M");

        // qemu sees NBD_FLAG_READ_ONLY and refuses to open the export for writing.
        var write = await QemuIoAsync(host.Uri, "write -P 0x99 0 4096");
        Assert.NotEqual(0, write.ExitCode);
        Assert.Contains("Permission denied", write.Stderr);

        // A client that writes anyway gets EPERM from the server, and the connection goes on.
        using var raw = await RawNbdClient.ConnectAsync(host.Port);
        await raw.HandshakeAsync();
        await raw.SendRequestAsync(NbdProtocol.CmdWrite, 1, 0, 4096, payload: new byte[4096]);
        Assert.Equal((1u, 1ul), await raw.ReadSimpleReplyAsync());
        await raw.SendRequestAsync(NbdProtocol.CmdWriteZeroes, 2, 0, 4096);
        Assert.Equal((1u, 2ul), await raw.ReadSimpleReplyAsync());
        await raw.SendRequestAsync(NbdProtocol.CmdRead, 3, 0, 16);
        Assert.Equal((0u, 3ul), await raw.ReadSimpleReplyAsync());
        Assert.All(await raw.ReadAsync(16), b => Assert.Equal(0x3c, b));

        Assert.All(host.ReadBacking(0, 4096), b => Assert.Equal(0x3c, b));
    }
}
