using System.Globalization;
using System.Net;
using System.Text.Json;
using ExpressHa.Service.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ExpressHa.Service.Witness;

/// <summary>The witness server (third site, plain HTTP, Kestrel minimal API): records which node of which cluster
/// reached it last; a heartbeat path for the nodes and the arbiter of HTTP partition resolution. Configured with
/// nothing: any cluster may post, except that a cluster whose key file <c>&lt;state-dir&gt;/&lt;cluster&gt;.key</c>
/// exists (a copy of the cluster key file) must sign its posts (<see cref="WitnessProtocol"/>). State is kept in
/// <c>&lt;state-dir&gt;/&lt;cluster&gt;.state.json</c> (written atomically after each post) so a restart keeps it.</summary>
public sealed class WitnessServer : IAsyncDisposable
{
    readonly WebApplication _app;
    readonly WitnessStore _store;

    WitnessServer(WebApplication app, WitnessStore store, Uri baseAddress, int port)
    {
        _app = app;
        _store = store;
        BaseAddress = baseAddress;
        Port = port;
    }

    /// <summary>http://ADDRESS:PORT/ (wildcard addresses reported as loopback).</summary>
    public Uri BaseAddress { get; }
    public int Port { get; }
    public string StateDir => _store.Dir;

    /// <param name="address">IP address to listen on (0.0.0.0, ::, 127.0.0.1, …) or "localhost".</param>
    /// <param name="port">0 picks a free port (see <see cref="Port"/>).</param>
    /// <exception cref="ArgumentException">a bad address or port.</exception>
    public static async Task<WitnessServer> StartAsync(string address, int port, string stateDir, CancellationToken ct = default, ILoggerFactory? loggerFactory = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateDir);
        var ip = ParseAddress(address);
        if (port is < 0 or > 65535) throw new ArgumentException($"port {port} is out of range", nameof(port));
        var store = new WitnessStore(stateDir);
        var log = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("ExpressHa.Witness");

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "expresshad-witness", Args = [] });
        builder.Logging.ClearProviders();
        if (loggerFactory != null) builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = WitnessProtocol.MaxBodyBytes;
            k.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            k.Listen(ip, port);
        });
        var app = builder.Build();
        Configure(app, store, log);
        await app.StartAsync(ct).ConfigureAwait(false);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var boundPort = new Uri(bound.Replace("[::]", "[::1]").Replace("0.0.0.0", "127.0.0.1")).Port;
        var host = ip.Equals(IPAddress.Any) ? "127.0.0.1" : ip.Equals(IPAddress.IPv6Any) ? "[::1]"
            : ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "[" + ip + "]" : ip.ToString();
        var baseAddress = new Uri($"http://{host}:{boundPort}/");
        log.LogInformation("witness listening on {Address}, state in {Dir}", baseAddress, store.Dir);
        return new WitnessServer(app, store, baseAddress, boundPort);
    }

    public Task StopAsync(CancellationToken ct = default) => _app.StopAsync(ct);

    public async ValueTask DisposeAsync()
    {
        try { await _app.StopAsync().ConfigureAwait(false); } catch (OperationCanceledException) { }
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    internal static IPAddress ParseAddress(string text)
    {
        if (string.Equals(text, "localhost", StringComparison.OrdinalIgnoreCase)) return IPAddress.Loopback;
        if (string.IsNullOrWhiteSpace(text) || !IPAddress.TryParse(text.Trim('[', ']'), out var a))
            throw new ArgumentException($"'{text}' is not an IP address to listen on");
        return a;
    }

    static void Configure(WebApplication app, WitnessStore store, ILogger log)
    {
        app.Use(async (ctx, next) =>
        {
            try { await next(ctx); }
            catch (BadHttpRequestException ex)
            {
                if (ctx.Response.HasStarted) throw;
                await Error(ctx, ex.StatusCode == 413 ? 413 : 400, ex.StatusCode == 413 ? "the request body is too large" : "malformed request");
            }
            catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested) { }
            catch (Exception ex)
            {
                log.LogError(ex, "{Method} {Path} failed", ctx.Request.Method, ctx.Request.Path);
                if (ctx.Response.HasStarted) throw;
                ctx.Response.Clear();
                await Error(ctx, 500, "the witness could not handle the request");
            }
        });

        app.MapPost("/v1/witness/{cluster}/{node}", async (HttpContext ctx, string cluster, string node) =>
        {
            if (!WitnessProtocol.IsValidName(cluster) || !WitnessProtocol.IsValidName(node))
            {
                await Error(ctx, 400, "cluster and node names are 1-64 letters, digits, '.', '_' or '-'");
                return;
            }
            WitnessPost? body = null;
            if (ctx.Request.ContentLength is null or > 0)
            {
                using var ms = new MemoryStream();
                await ctx.Request.Body.CopyToAsync(ms, ctx.RequestAborted);
                if (ms.Length > 0)
                {
                    try { body = JsonSerializer.Deserialize(ms.ToArray(), WitnessJson.Default.WitnessPost); }
                    catch (JsonException) { await Error(ctx, 400, "the body is not a JSON object {\"sees\":[...]}"); return; }
                }
            }
            var sees = (body?.Sees ?? new List<string>()).Where(WitnessProtocol.IsValidName).Distinct(StringComparer.Ordinal).Take(256).ToList();

            long timestamp = 0;
            var key = store.KeyOf(cluster);
            if (key != null)
            {
                var tsText = ctx.Request.Headers[WitnessProtocol.TimestampHeader].ToString();
                var sig = ctx.Request.Headers[WitnessProtocol.SignatureHeader].ToString();
                if (!long.TryParse(tsText, NumberStyles.None, CultureInfo.InvariantCulture, out timestamp)
                    || !WitnessProtocol.Verify(key, cluster, node, timestamp, sig))
                {
                    log.LogWarning("refused an unauthenticated post for {Cluster}/{Node} from {Remote}", cluster, node, ctx.Connection.RemoteIpAddress);
                    await Error(ctx, 401, "authentication required: sign cluster|node|timestamp with the cluster key");
                    return;
                }
                var now = WitnessStore.NowMs();
                if (Math.Abs(now - timestamp) > WitnessProtocol.MaxSkewMs)
                {
                    await Error(ctx, 401, $"timestamp {timestamp} is more than {WitnessProtocol.MaxSkewMs} ms away from the witness clock ({now})");
                    return;
                }
            }
            var view = store.Record(cluster, node, sees, key != null ? timestamp : (long?)null, out var refusal);
            if (view == null)
            {
                await Error(ctx, 401, refusal ?? "refused");
                return;
            }
            await Json(ctx, 200, view);
        });

        app.MapGet("/v1/witness/{cluster}", async (HttpContext ctx, string cluster) =>
        {
            if (!WitnessProtocol.IsValidName(cluster)) { await Error(ctx, 400, "bad cluster name"); return; }
            var view = store.View(cluster);
            if (view == null) { await Error(ctx, 404, $"no node of cluster '{cluster}' has reached this witness"); return; }
            await Json(ctx, 200, view);
        });

        app.MapGet("/v1/health", () => Results.Text("ok\n"));
    }

    static Task Json(HttpContext ctx, int status, WitnessView view)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        return ctx.Response.WriteAsync(JsonSerializer.Serialize(view, WitnessJson.Default.WitnessView));
    }

    static Task Error(HttpContext ctx, int status, string message)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        return ctx.Response.WriteAsync(JsonSerializer.Serialize(new WitnessError { Ok = false, Message = message }, WitnessJson.Default.WitnessError));
    }
}

/// <summary>The witness's memory: per cluster, per node, the last post. Thread-safe; persisted per cluster.</summary>
internal sealed class WitnessStore
{
    readonly object _lock = new();
    readonly Dictionary<string, WitnessClusterState> _clusters = new(StringComparer.Ordinal);

    public WitnessStore(string dir)
    {
        Dir = Path.GetFullPath(dir);
        Directory.CreateDirectory(Dir);
        foreach (var file in Directory.EnumerateFiles(Dir, "*.state.json"))
        {
            try
            {
                var state = JsonSerializer.Deserialize(File.ReadAllBytes(file), WitnessJson.Default.WitnessClusterState);
                if (state != null && WitnessProtocol.IsValidName(state.Cluster))
                {
                    state.Nodes = new SortedDictionary<string, WitnessNodeRecord>(state.Nodes, StringComparer.Ordinal);
                    _clusters[state.Cluster] = state;
                }
            }
            catch (Exception ex) when (ex is JsonException or IOException)
            {
                // A damaged file is set aside, not fatal: the nodes re-post within one interval.
                try { File.Move(file, file + ".bad", true); } catch (IOException) { }
            }
        }
    }

    public string Dir { get; }

    public static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>The cluster's key when <c>&lt;dir&gt;/&lt;cluster&gt;.key</c> exists (read on each request, so a key can be
    /// added without a restart). A key file that cannot be used refuses everything (a throwaway key).</summary>
    public ClusterKey? KeyOf(string cluster)
    {
        var path = Path.Combine(Dir, cluster + ".key");
        if (!File.Exists(path)) return null;
        try { return ClusterKey.Load(path); }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            return ClusterKey.FromBytes(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        }
    }

    /// <summary>Records a post; null (and why) when a signed timestamp is not newer than the node's previous one.</summary>
    public WitnessView? Record(string cluster, string node, List<string> sees, long? signedTimestamp, out string? refusal)
    {
        refusal = null;
        lock (_lock)
        {
            if (!_clusters.TryGetValue(cluster, out var state))
                _clusters[cluster] = state = new WitnessClusterState { Cluster = cluster };
            state.Nodes.TryGetValue(node, out var rec);
            if (signedTimestamp is { } ts && rec != null && ts <= rec.LastTimestamp)
            {
                refusal = $"timestamp {ts} is not newer than the node's previous post ({rec.LastTimestamp}): a replay?";
                return null;
            }
            rec ??= new WitnessNodeRecord();
            rec.LastSeen = NowMs();
            if (signedTimestamp is { } t) rec.LastTimestamp = t;
            rec.Sees = sees;
            state.Nodes[node] = rec;
            Save(state);
            return ViewOf(state);
        }
    }

    public WitnessView? View(string cluster)
    {
        lock (_lock)
            return _clusters.TryGetValue(cluster, out var state) ? ViewOf(state) : null;
    }

    static WitnessView ViewOf(WitnessClusterState state)
    {
        var now = NowMs();
        var view = new WitnessView { Cluster = state.Cluster, Now = now };
        foreach (var (name, rec) in state.Nodes)
            view.Nodes[name] = new WitnessNodeView { AgeMs = Math.Max(0, now - rec.LastSeen), LastSeen = rec.LastSeen, Sees = rec.Sees.ToList() };
        return view;
    }

    void Save(WitnessClusterState state)
    {
        var path = Path.Combine(Dir, state.Cluster + ".state.json");
        var tmp = path + ".tmp";
        try
        {
            File.WriteAllBytes(tmp, JsonSerializer.SerializeToUtf8Bytes(state, WitnessJson.Default.WitnessClusterState));
            File.Move(tmp, path, true);
        }
        catch (IOException)
        {
            // Memory stays authoritative while running; the next post retries the write.
        }
    }
}
