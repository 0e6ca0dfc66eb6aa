using System.Collections.Concurrent;
using System.Net;
using ExpressHa.Service.Mirror;
using ExpressHa.Service.Mirror.Nbd;

namespace ExpressHa.Service.Tests.Mirror.Nbd;

/// <summary>A backing file in a temporary directory served by an <see cref="NbdServer"/> on 127.0.0.1 (a free port)
/// or on a Unix socket.</summary>
public sealed class NbdTestHost : IAsyncDisposable
{

    public const string ExportName = "mirror1";

    readonly ConcurrentQueue<string> _log;

    NbdTestHost(string directory, string backingPath, FileBlockDevice device, NbdServer server, string? socketPath, ConcurrentQueue<string> log)
    {
        _log = log;
        Directory = directory;
        BackingPath = backingPath;
        Device = device;
        Server = server;
        SocketPath = socketPath;
    }

    public string Directory { get; }
    public string BackingPath { get; }
    public FileBlockDevice Device { get; }
    public NbdServer Server { get; }
    public string? SocketPath { get; }
    public int Port => ((IPEndPoint)Server.LocalEndPoint!).Port;
    public string Uri => SocketPath is null ? $"nbd://127.0.0.1:{Port}/{ExportName}" : $"nbd+unix:///{ExportName}?socket={SocketPath}";
    public string Log => string.Join('\n', _log);

    public static async Task<NbdTestHost> StartAsync(long size = 16 << 20, bool readOnly = false, bool unix = false, byte[]? initialContent = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "ehanbd-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(dir);
        var backing = Path.Combine(dir, "disk.img");
        FileBlockDevice.Create(backing, size).Dispose();
        if (initialContent is not null)
        {
            await using var f = new FileStream(backing, FileMode.Open, FileAccess.Write);
            await f.WriteAsync(initialContent);
        }
        var device = new FileBlockDevice(backing, readOnly);
        var log = new ConcurrentQueue<string>();
        var socket = unix ? Path.Combine(dir, "nbd.sock") : null;
        var server = new NbdServer(ExportName, device, log.Enqueue);
        await server.StartAsync(unix ? "unix:" + socket : "127.0.0.1:0", CancellationToken.None);
        return new NbdTestHost(dir, backing, device, server, socket, log);
    }

    public byte[] ReadBacking(long offset, int length)
    {
        using var f = new FileStream(BackingPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var b = new byte[length];
        f.Position = offset;
        f.ReadExactly(b);
        return b;
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Device.Dispose();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
