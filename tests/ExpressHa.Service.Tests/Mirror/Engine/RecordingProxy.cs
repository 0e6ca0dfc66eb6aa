using System.Net;
using System.Net.Sockets;

namespace ExpressHa.Service.Tests.Mirror.Engine;

/// <summary>A TCP relay on 127.0.0.1 that records every byte it forwards (both directions).</summary>
public sealed class RecordingProxy : IAsyncDisposable
{
    readonly TcpListener _listener;
    readonly int _target;
    readonly CancellationTokenSource _cts = new();
    readonly MemoryStream _seen = new();
    readonly Task _loop;

    public RecordingProxy(int targetPort)
    {
        _target = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(AcceptLoop);
    }

    public int Port { get; }

    public byte[] Seen() { lock (_seen) return _seen.ToArray(); }

    async Task AcceptLoop()
    {
        while (!_cts.IsCancellationRequested)
        {
            TcpClient inbound;
            try { inbound = await _listener.AcceptTcpClientAsync(_cts.Token); }
            catch { return; }
            _ = Task.Run(async () =>
            {
                using var a = inbound;
                using var b = new TcpClient();
                try
                {
                    await b.ConnectAsync(IPAddress.Loopback, _target, _cts.Token);
                    var s1 = a.GetStream();
                    var s2 = b.GetStream();
                    await Task.WhenAny(Pump(s1, s2), Pump(s2, s1));
                }
                catch { }
            });
        }
    }

    async Task Pump(NetworkStream from, NetworkStream to)
    {
        var buf = new byte[65536];
        try
        {
            int n;
            while ((n = await from.ReadAsync(buf, _cts.Token)) > 0)
            {
                lock (_seen) _seen.Write(buf, 0, n);
                await to.WriteAsync(buf.AsMemory(0, n), _cts.Token);
            }
        }
        catch { }
    }

    public async ValueTask DisposeAsync()
    {
        _cts.Cancel();
        _listener.Stop();
        try { await _loop; } catch { }
    }
}
