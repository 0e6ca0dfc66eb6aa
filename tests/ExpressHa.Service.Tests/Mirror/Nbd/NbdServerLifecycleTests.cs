using System.Diagnostics;
using System.Net.Sockets;
using ExpressHa.Service.Mirror;
using ExpressHa.Service.Mirror.Nbd;

namespace ExpressHa.Service.Tests.Mirror.Nbd;

/// <summary>Starting, stopping and the Unix socket file.</summary>
[Trait("Category", TestCategory.Mirror)]
public sealed class NbdServerLifecycleTests
{
    [NeedsFact(Need.None, "nbdinfo")]
    public async Task StopAsync_closes_open_connections_and_the_listener()
    {
        await using var host = await NbdTestHost.StartAsync();
        using var a = await RawNbdClient.ConnectAsync(host.Port);
        using var b = await RawNbdClient.ConnectAsync(host.Port);
        await a.HandshakeAsync();
        await b.ReadGreetingAsync();
        await Eventually.UntilAsync(() => host.Server.ConnectionCount == 2, TimeSpan.FromSeconds(5), "two connections", () => $"{host.Server.ConnectionCount} connections");

        var stop = host.Server.StopAsync();
        Assert.True(await Task.WhenAny(stop, Task.Delay(10_000)) == stop, "StopAsync did not finish");
        await stop;
        Assert.Equal(0, host.Server.ConnectionCount);
        Assert.True(await a.ServerClosesAsync());
        Assert.True(await b.ServerClosesAsync());

        await Assert.ThrowsAnyAsync<SocketException>(() => RawNbdClient.ConnectAsync(host.Port));
        var info = await ExternalTool.RunAsync("nbdinfo", host.Uri);
        Assert.NotEqual(0, info.ExitCode);
    }

    [NeedsFact(Need.None, "nbdinfo")]
    public async Task StopAsync_while_a_client_is_copying_ends_it_promptly()
    {
        await using var host = await NbdTestHost.StartAsync(size: 64 << 20);
        using var c = await RawNbdClient.ConnectAsync(host.Port);
        await c.HandshakeAsync();
        // Fill the socket with reads the client never collects, so the server is blocked sending.
        var batch = new List<byte>();
        for (var i = 0; i < 64; i++) batch.AddRange(RawNbdClient.Request(NbdProtocol.CmdRead, (ulong)i, 0, 1 << 20));
        await c.SendAsync([.. batch]);
        await Task.Delay(200);

        var stop = host.Server.StopAsync();
        Assert.True(await Task.WhenAny(stop, Task.Delay(10_000)) == stop, "StopAsync did not finish");
        Assert.Equal(0, host.Server.ConnectionCount);
    }

    [NeedsFact(Need.None, "nbdinfo")]
    public async Task A_stale_unix_socket_file_is_replaced_and_removed_on_stop()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ehanbd-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        try
        {
            var socketPath = Path.Combine(dir, "nbd.sock");
            // A crashed server leaves its socket file behind. .NET unlinks the file of a socket it disposes,
            // so the file is renamed away from under the socket first.
            using (var stale = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
            {
                var original = Path.Combine(dir, "bound.sock");
                stale.Bind(new UnixDomainSocketEndPoint(original));
                stale.Listen(1);
                File.Move(original, socketPath);
            }
            Assert.True(File.Exists(socketPath));

            var image = Path.Combine(dir, "disk.img");
            using var device = FileBlockDevice.Create(image, 1 << 20);
            await using (var server = new NbdServer("d", device))
            {
                await server.StartAsync("unix:" + socketPath, CancellationToken.None);
                var r = await ExternalTool.RunOkAsync("nbdinfo", "--size", $"nbd+unix:///d?socket={socketPath}");
                Assert.Equal("1048576", r.Stdout.Trim());

                // A second server must not steal a socket that is in use.
                await using var second = new NbdServer("d", device);
                await Assert.ThrowsAsync<IOException>(() => second.StartAsync("unix:" + socketPath, CancellationToken.None));
                await ExternalTool.RunOkAsync("nbdinfo", "--size", $"nbd+unix:///d?socket={socketPath}");
            }
            Assert.False(File.Exists(socketPath));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [NeedsFact(Need.None, "nbdinfo")]
    public async Task A_regular_file_at_the_socket_path_is_not_deleted()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ehanbd-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        try
        {
            var path = Path.Combine(dir, "precious");
            await File.WriteAllTextAsync(path, "data");
            using var device = FileBlockDevice.Create(Path.Combine(dir, "disk.img"), 4096);
            await using var server = new NbdServer("d", device);
            await Assert.ThrowsAnyAsync<Exception>(() => server.StartAsync("unix:" + path, CancellationToken.None));
            Assert.Equal("data", await File.ReadAllTextAsync(path));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
