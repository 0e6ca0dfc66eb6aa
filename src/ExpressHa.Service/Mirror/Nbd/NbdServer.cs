using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace ExpressHa.Service.Mirror.Nbd;

/// <summary>Serves one <see cref="IBlockDevice"/> as a single NBD export over TCP or a Unix socket, each connection
/// on its own thread. A broken client only loses its own connection; the accept loop never stops on a client's behalf.</summary>
public sealed class NbdServer : IAsyncDisposable
{
    /// <summary>Each connection has a thread; a mirror export has a handful of clients, so this only stops a flood.</summary>
    const int MaxConnections = 128;

    readonly string _exportName;
    readonly IBlockDevice _device;
    readonly Action<string> _log;
    readonly ConcurrentDictionary<NbdConnection, Task> _connections = new();
    readonly CancellationTokenSource _stopping = new();
    readonly object _gate = new();
    Socket? _listener;
    NbdEndpoint? _endpoint;
    Task? _acceptLoop;
    bool _stopped;

    public NbdServer(string exportName, IBlockDevice device, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(exportName);
        ArgumentNullException.ThrowIfNull(device);
        if (System.Text.Encoding.UTF8.GetByteCount(exportName) > NbdProtocol.MaxNameLength)
            throw new ArgumentException("export name is longer than 4096 bytes", nameof(exportName));
        _exportName = exportName;
        _device = device;
        // A throwing logger must not take a connection thread (and with it the process) down.
        _log = log is null ? _ => { } : message =>
        {
            try { log(message); } catch (Exception) { }
        };
    }

    public string ExportName => _exportName;
    public EndPoint? LocalEndPoint { get; private set; }
    public int ConnectionCount => _connections.Count;

    /// <summary>Binds and listens on <paramref name="endpoint"/> (<c>host:port</c> or <c>unix:/path</c>), then accepts
    /// clients in the background until <see cref="StopAsync"/>. A stale Unix socket file is replaced.</summary>
    public Task StartAsync(string endpoint, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var ep = NbdEndpoint.Parse(endpoint);
        lock (_gate)
        {
            if (_stopped) throw new ObjectDisposedException(nameof(NbdServer));
            if (_listener is not null) throw new InvalidOperationException("the NBD server is already started");
            Socket listener;
            if (ep.UnixPath is { } path)
            {
                RemoveStaleSocket(path);
                listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            }
            else
            {
                listener = new Socket(ep.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            }
            try
            {
                listener.Bind(ep.EndPoint);
                listener.Listen(64);
            }
            catch
            {
                listener.Dispose();
                throw;
            }
            _listener = listener;
            _endpoint = ep;
            LocalEndPoint = listener.LocalEndPoint;
            _log($"nbd: serving export '{_exportName}' ({_device.Size} bytes{(_device.ReadOnly ? ", read-only" : "")}) on {Describe(ep, LocalEndPoint)}");
            _acceptLoop = Task.Run(() => AcceptLoopAsync(listener));
        }
        return Task.CompletedTask;
    }

    async Task AcceptLoopAsync(Socket listener)
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(token).ConfigureAwait(false);
            }
            catch (Exception) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            catch (SocketException e)
            {
                // Out of descriptors, a connection reset before accept, and the like: the listener is still good.
                _log($"nbd: accept failed: {e.Message}");
                try { await Task.Delay(100, token).ConfigureAwait(false); } catch (OperationCanceledException) { break; }
                continue;
            }

            if (_connections.Count >= MaxConnections)
            {
                _log($"nbd: refusing a client: {MaxConnections} connections are open");
                client.Dispose();
                continue;
            }
            try
            {
                if (client.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6) client.NoDelay = true;
                var connection = new NbdConnection(client, _exportName, _device, _log);
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _connections[connection] = done.Task;
                var thread = new Thread(() => Serve(connection, done)) { IsBackground = true, Name = "nbd " + connection.Peer };
                thread.Start();
            }
            catch (Exception e)
            {
                _log($"nbd: could not start serving a client: {e.Message}");
                client.Dispose();
            }
        }
    }

    void Serve(NbdConnection connection, TaskCompletionSource done)
    {
        try
        {
            connection.Run();
        }
        catch (Exception e)
        {
            _log($"nbd: {connection.Peer}: {e}");
        }
        finally
        {
            _connections.TryRemove(connection, out _);
            connection.Dispose();
            done.SetResult();
        }
    }

    /// <summary>Closes the listener and every open connection and waits for their loops to end.</summary>
    public async Task StopAsync()
    {
        Socket? listener;
        Task? acceptLoop;
        lock (_gate)
        {
            if (_stopped && _listener is null) return;
            _stopped = true;
            listener = _listener;
            acceptLoop = _acceptLoop;
            _listener = null;
        }
        _stopping.Cancel();
        listener?.Dispose();
        if (acceptLoop is not null) await acceptLoop.ConfigureAwait(false);
        foreach (var connection in _connections.Keys) connection.Close();
        await Task.WhenAll(_connections.Values).ConfigureAwait(false);
        if (_endpoint?.UnixPath is { } path)
        {
            try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        if (listener is not null) _log("nbd: stopped");
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>A socket file left by a process that died is removed; one that still accepts connections is not.</summary>
    static void RemoveStaleSocket(string path)
    {
        if (!File.Exists(path)) return;
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            // Nothing listens; only a socket (which reads as empty) is removed, never a file with data in it.
            if (new FileInfo(path).Length == 0) File.Delete(path);
            return;
        }
        throw new IOException($"{path} is in use by another server");
    }

    static string Describe(NbdEndpoint ep, EndPoint? bound) => ep.UnixPath is { } p ? "unix:" + p : bound?.ToString() ?? ep.ToString();
}
