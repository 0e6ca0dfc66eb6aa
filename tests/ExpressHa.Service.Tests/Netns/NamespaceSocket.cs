using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace ExpressHa.Service.Tests.Netns;

/// <summary>Opens a TCP connection from inside a network namespace: a socket belongs to the namespace of the thread
/// that created it, so a dedicated thread enters the namespace (setns), creates the socket and goes back. The socket
/// then works from any thread. This lets the test process talk to a node's management API, which listens on the node's
/// interconnect address inside its namespace, without giving the host namespace any route into 198.18.0.0/15.</summary>
static class NamespaceSocket
{
    const int CloneNewNet = 0x40000000;

    [DllImport("libc", SetLastError = true)]
    static extern int setns(int fd, int nstype);

    public static Socket Create(string netns)
    {
        Socket? socket = null;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var home = File.OpenHandle("/proc/thread-self/ns/net");
                using var target = File.OpenHandle(Path.Combine("/run/netns", netns));
                if (setns((int)target.DangerousGetHandle(), CloneNewNet) != 0)
                    throw new InvalidOperationException($"setns into network namespace {netns} failed (errno {Marshal.GetLastPInvokeError()}); the test needs root");
                try
                {
                    socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                }
                finally
                {
                    // Going back matters only for hygiene: this thread ends right after.
                    setns((int)home.DangerousGetHandle(), CloneNewNet);
                }
            }
            catch (Exception e)
            {
                error = e;
            }
        }) { IsBackground = true, Name = "netns-socket" };
        thread.Start();
        thread.Join();
        if (error != null) throw error;
        return socket!;
    }
}

/// <summary>A TCP forwarder from 127.0.0.1:(random port) in the test's namespace to an address and port inside a node's
/// namespace. HaApiClient connects to the loopback end; TLS and the pinned fingerprint pass through unchanged.</summary>
sealed class NamespaceForwarder : IDisposable
{
    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    readonly CancellationTokenSource _stop = new();
    readonly string _netns;
    readonly IPEndPoint _target;

    public NamespaceForwarder(string netns, IPEndPoint target)
    {
        _netns = netns;
        _target = target;
        _listener.Start();
        _ = AcceptLoop();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try { client = await _listener.AcceptSocketAsync(_stop.Token); }
            catch (Exception) { return; }
            _ = Serve(client);
        }
    }

    async Task Serve(Socket client)
    {
        using (client)
        {
            Socket inner;
            try
            {
                inner = NamespaceSocket.Create(_netns);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                timeout.CancelAfter(TimeSpan.FromSeconds(3));
                await inner.ConnectAsync(_target, timeout.Token);
            }
            catch (Exception)
            {
                return; // the client sees the connection close: like a refused connection
            }
            using (inner)
            {
                using var a = new NetworkStream(client, ownsSocket: false);
                using var b = new NetworkStream(inner, ownsSocket: false);
                var one = a.CopyToAsync(b, _stop.Token);
                var two = b.CopyToAsync(a, _stop.Token);
                try { await Task.WhenAny(one, two); } catch (Exception) { }
                try { client.Shutdown(SocketShutdown.Both); } catch (Exception) { }
                try { inner.Shutdown(SocketShutdown.Both); } catch (Exception) { }
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }
}
