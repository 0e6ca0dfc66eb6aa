using System.Net;
using System.Net.Sockets;

namespace ExpressHa.Service.Resources;

/// <summary>lbprobe: answers a network load balancer's health check on this node only while the group is active here.
/// Start listens on <c>listenAddress:port</c> (TCP) in the service process; every accepted connection counts as a
/// health check (the NLB's TCP check needs only the handshake) and is closed; when the peer sends a request first it
/// gets a minimal "HTTP/1.1 200 OK" (so an HTTP health check passes too). Stop closes the listener, so the NLB sees
/// the port closed and stops sending traffic here. A port held by anything else fails the start with
/// code <see cref="PortInUseCode"/>, "Port N is already used.". The listener is kept in <see cref="LbProbeListeners"/>
/// where the lbprobe monitor finds it.</summary>
public sealed class LbProbeResource : IResourceDriver
{
    public const string LogModule = "lbprobe";
    /// <summary>Activation error: the port is already bound by another socket (another process, or another resource).</summary>
    public const int PortInUseCode = 12;

    public string Type => "lbprobe";

    public Task StartAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        var r = context.Resource;
        var (address, port) = ReadEndpoint(r, context.Node.Name);
        var key = LbProbeListeners.Key(context.Config.Cluster.Name, context.Node.Name, r.Name);

        if (LbProbeListeners.Find(key) is { } existing)
        {
            if (existing.IsListening && existing.Endpoint.Equals(new IPEndPoint(address, port))) return Task.CompletedTask;
            // Parameters changed (or the accept loop died): replace it.
            LbProbeListeners.Remove(key, existing);
            existing.Dispose();
        }

        var listener = LbProbeListener.Start(new IPEndPoint(address, port), context.Alerts, r.Name); // throws ResourceException
        if (!LbProbeListeners.TryAdd(key, listener))
        {
            listener.Dispose();
            throw new ResourceException(ResourceErrorCodes.Internal, $"another lbprobe listener for {r.Name} appeared while starting");
        }
        context.Alerts.Log(LogModule, $"{r.Name}: listening on {listener.Endpoint} for health checks");
        return Task.CompletedTask;
    }

    public Task StopAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        var r = context.Resource;
        var key = LbProbeListeners.Key(context.Config.Cluster.Name, context.Node.Name, r.Name);
        if (LbProbeListeners.Find(key) is { } listener)
        {
            LbProbeListeners.Remove(key, listener);
            listener.Dispose();
            context.Alerts.Log(LogModule, $"{r.Name}: stopped listening on {listener.Endpoint}");
        }
        return Task.CompletedTask;
    }

    /// <summary>The listener lives in the service process, so only a listener of this process counts: active while it
    /// listens. After a restart nothing of the previous process can still answer health checks (its socket closed
    /// with it), so the probe says inactive even when another program holds the port (that one is not ours).</summary>
    public Task<ResourceProbe> ProbeAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        var key = LbProbeListeners.Key(context.Config.Cluster.Name, context.Node.Name, context.Resource.Name);
        return Task.FromResult(LbProbeListeners.Find(key) is { IsListening: true } ? ResourceProbe.Active : ResourceProbe.Inactive);
    }

    static (IPAddress Address, int Port) ReadEndpoint(ExpressHa.Config.ResourceConfig r, string node)
    {
        if (r.GetParameter("port") is not long port || port is < 1 or > 65535)
            throw new ResourceException(ResourceErrorCodes.BadParameter, $"port '{r.GetParameter("port")}' is not a TCP port (1-65535)");
        var text = r.GetParameter("listenAddress", node) ?? "0.0.0.0";
        if (!IPAddress.TryParse(text, out var address))
            throw new ResourceException(ResourceErrorCodes.BadParameter, $"listenAddress '{text}' is not an IP address");
        return (address, (int)port);
    }
}

/// <summary>The lbprobe listeners of this process by cluster/node/resource, shared by the resource (which starts and
/// stops them) and the monitor (which reads their state).</summary>
public static class LbProbeListeners
{
    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, LbProbeListener> All = new(StringComparer.Ordinal);

    public static string Key(string cluster, string node, string resource) => cluster + "/" + node + "/" + resource;

    public static LbProbeListener? Find(string key) => All.TryGetValue(key, out var l) ? l : null;

    internal static bool TryAdd(string key, LbProbeListener listener) => All.TryAdd(key, listener);

    internal static void Remove(string key, LbProbeListener listener)
        => ((ICollection<KeyValuePair<string, LbProbeListener>>)All).Remove(new KeyValuePair<string, LbProbeListener>(key, listener));
}

/// <summary>One health-check listener: accepts, records the time, answers HTTP when asked, closes.</summary>
public sealed class LbProbeListener : IDisposable
{
    static readonly byte[] HttpOk = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\nOK\n"u8.ToArray();
    /// <summary>How long an accepted connection may take to send a request before it is closed without an answer.</summary>
    static readonly TimeSpan RequestWait = TimeSpan.FromSeconds(2);

    readonly Socket _socket;
    readonly CancellationTokenSource _cts = new();
    readonly ResourceLog _log;
    readonly Task _loop;
    long _lastCheckTicks; // DateTime.UtcNow ticks of the last accepted connection, 0 before the first
    long _checks;
    volatile bool _listening;

    LbProbeListener(Socket socket, IPEndPoint endpoint, ResourceLog log)
    {
        _socket = socket;
        Endpoint = endpoint;
        _log = log;
        StartedAt = DateTime.UtcNow;
        _listening = true;
        _loop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Binds and listens; a port in use is a <see cref="ResourceException"/> with code
    /// <see cref="LbProbeResource.PortInUseCode"/> and the text "Port N is already used.".</summary>
    public static LbProbeListener Start(IPEndPoint endpoint, ExpressHa.Service.Alerts.IAlertSink alerts, string resourceName)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endpoint.AddressFamily == AddressFamily.InterNetworkV6 && endpoint.Address.Equals(IPAddress.IPv6Any))
                socket.DualMode = true;
            socket.Bind(endpoint);
            socket.Listen(64);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            socket.Dispose();
            throw new ResourceException(LbProbeResource.PortInUseCode, $"Port {endpoint.Port} is already used.", e);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new ResourceException(ResourceErrorCodes.CommandFailed, $"cannot listen on {endpoint}: {e.Message}", e);
        }
        return new LbProbeListener(socket, (IPEndPoint)socket.LocalEndPoint!, new ResourceLog(alerts, resourceName));
    }

    public IPEndPoint Endpoint { get; }
    public DateTime StartedAt { get; }
    /// <summary>True while the accept loop runs (false after Dispose or when the socket failed).</summary>
    public bool IsListening => _listening;
    /// <summary>UTC time of the last health check (accepted connection); null before the first.</summary>
    public DateTime? LastHealthCheck => Interlocked.Read(ref _lastCheckTicks) is var t && t != 0 ? new DateTime(t, DateTimeKind.Utc) : null;
    /// <summary>The last health check, or the start time when none arrived yet: the monitor's timeout counts from here.</summary>
    public DateTime LastActivity => LastHealthCheck ?? StartedAt;
    public long HealthChecks => Interlocked.Read(ref _checks);

    async Task AcceptLoopAsync()
    {
        try
        {
            while (!_cts.IsCancellationRequested)
            {
                Socket client;
                try
                {
                    client = await _socket.AcceptAsync(_cts.Token).ConfigureAwait(false);
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionAborted or SocketError.ConnectionReset)
                {
                    continue; // the peer left before we accepted: not our problem
                }
                Interlocked.Exchange(ref _lastCheckTicks, DateTime.UtcNow.Ticks);
                Interlocked.Increment(ref _checks);
                _ = AnswerAsync(client);
            }
        }
        catch (OperationCanceledException) { }
        catch (ObjectDisposedException) { }
        catch (Exception e)
        {
            _log.Log($"listener on {Endpoint} failed: {e.Message}");
        }
        finally
        {
            _listening = false;
        }
    }

    async Task AnswerAsync(Socket client)
    {
        try
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(_cts.Token);
            wait.CancelAfter(RequestWait);
            var buffer = new byte[4096];
            int total = 0;
            while (total < buffer.Length)
            {
                int n = await client.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, wait.Token).ConfigureAwait(false);
                if (n == 0) break; // the TCP health check: handshake, then close
                total += n;
                if (EndOfHeaders(buffer.AsSpan(0, total)) || !LooksLikeHttp(buffer.AsSpan(0, total)))
                {
                    await client.SendAsync(HttpOk, SocketFlags.None, wait.Token).ConfigureAwait(false);
                    client.Shutdown(SocketShutdown.Both);
                    break;
                }
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException) { }
        finally
        {
            client.Dispose();
        }
    }

    static bool EndOfHeaders(ReadOnlySpan<byte> data) => data.IndexOf("\r\n\r\n"u8) >= 0 || data.IndexOf("\n\n"u8) >= 0;

    /// <summary>Anything that does not start like an HTTP method gets the answer at once.</summary>
    static bool LooksLikeHttp(ReadOnlySpan<byte> data)
    {
        foreach (var c in data)
        {
            if (c == (byte)' ') return true;
            if (c is < (byte)'A' or > (byte)'Z') return false;
        }
        return true;
    }

    public void Dispose()
    {
        _listening = false;
        _cts.Cancel();
        _socket.Dispose();
        try { _loop.Wait(TimeSpan.FromSeconds(2)); } catch (AggregateException) { }
    }

    /// <summary>Logs lines as "resource: text" under the lbprobe module.</summary>
    sealed class ResourceLog(ExpressHa.Service.Alerts.IAlertSink alerts, string resource)
    {
        public void Log(string text) => alerts.Log(LbProbeResource.LogModule, resource + ": " + text);
    }
}
