using System.Net.Http.Headers;
using System.Text.Json;
using ExpressHa.Service.Security;
using ExpressHa.Service.Witness;

namespace ExpressHa.Service.Partition;

/// <summary>A node's side of the witness: posts its own liveness (and the peers it still sees) and reads the witness's
/// view of the cluster in the same round trip. Used every heartbeat interval as a heartbeat path and, when a peer is
/// lost, to gather <see cref="PartitionInputs.Witness"/>. Never throws: a failure is an unreachable result with its
/// reason. Thread-safe.</summary>
public sealed class WitnessClient : IDisposable
{
    readonly HttpClient _http;
    readonly bool _ownsHttp;
    readonly Uri _base;
    readonly ClusterKey? _key;
    long _lastTimestamp;

    /// <param name="url">The witness URL from <c>HttpResolution.Url</c>, e.g. http://10.0.0.5:8080 (a trailing
    /// /v1/witness is accepted).</param>
    /// <param name="key">The cluster key: posts are signed when given (required by a witness holding the cluster's key).</param>
    /// <param name="http">A shared HttpClient (its own Timeout is not relied on); one is created when null.</param>
    public WitnessClient(string url, string cluster, string node, ClusterKey? key, HttpClient? http = null)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var u) || (u.Scheme != Uri.UriSchemeHttp && u.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException($"'{url}' is not an http(s) URL of a witness", nameof(url));
        var text = u.GetLeftPart(UriPartial.Path).TrimEnd('/');
        if (text.EndsWith("/v1/witness", StringComparison.Ordinal)) text = text[..^"/v1/witness".Length];
        _base = new Uri(text + "/");
        Cluster = cluster;
        Node = node;
        _key = key;
        _ownsHttp = http == null;
        _http = http ?? new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2), ConnectTimeout = TimeSpan.FromSeconds(10) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public string Cluster { get; }
    public string Node { get; }
    public Uri BaseAddress => _base;

    /// <summary>POST own liveness (with the peers this node still sees) and return the witness's view, all within
    /// <paramref name="timeoutMs"/>. Reachable only when the witness accepted the post.</summary>
    public async Task<WitnessResult> PostAsync(IEnumerable<string> visiblePeers, int timeoutMs, CancellationToken cancellationToken = default)
    {
        using var timeout = new CancellationTokenSource(Math.Max(50, timeoutMs));
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var body = JsonSerializer.SerializeToUtf8Bytes(new WitnessPost { Sees = visiblePeers?.ToList() ?? new List<string>() }, WitnessJson.Default.WitnessPost);
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_base, WitnessProtocol.Path(Cluster, Node)))
            {
                Content = new ByteArrayContent(body),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            if (_key != null)
            {
                var ts = NextTimestamp();
                request.Headers.Add(WitnessProtocol.TimestampHeader, ts.ToString(System.Globalization.CultureInfo.InvariantCulture));
                request.Headers.Add(WitnessProtocol.SignatureHeader, WitnessProtocol.Sign(_key, Cluster, Node, ts));
            }
            using var response = await _http.SendAsync(request, linked.Token).ConfigureAwait(false);
            return await ReadAsync(response, "post", linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            return Failure(ex, timeout, timeoutMs, "post");
        }
    }

    /// <summary>GET the witness's view without posting (Reachable = the witness answered).</summary>
    public async Task<WitnessResult> GetViewAsync(int timeoutMs, CancellationToken cancellationToken = default)
    {
        using var timeout = new CancellationTokenSource(Math.Max(50, timeoutMs));
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var response = await _http.GetAsync(new Uri(_base, WitnessProtocol.Path(Cluster)), linked.Token).ConfigureAwait(false);
            return await ReadAsync(response, "get", linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            return Failure(ex, timeout, timeoutMs, "get");
        }
    }

    /// <summary>Strictly increasing Unix-ms timestamps (the witness refuses one not newer than the previous).</summary>
    long NextTimestamp()
    {
        while (true)
        {
            var last = Interlocked.Read(ref _lastTimestamp);
            var next = Math.Max(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), last + 1);
            if (Interlocked.CompareExchange(ref _lastTimestamp, next, last) == last) return next;
        }
    }

    async Task<WitnessResult> ReadAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            string message = "";
            try { message = JsonSerializer.Deserialize(bytes, WitnessJson.Default.WitnessError)?.Message ?? ""; } catch (JsonException) { }
            return WitnessResult.Unreachable($"witness {_base} refused the {what}: HTTP {(int)response.StatusCode}{(message.Length > 0 ? " " + message : "")}");
        }
        WitnessView? view;
        try { view = JsonSerializer.Deserialize(bytes, WitnessJson.Default.WitnessView); }
        catch (JsonException ex) { return WitnessResult.Unreachable($"witness {_base} answered the {what} with malformed JSON: {ex.Message}"); }
        if (view == null) return WitnessResult.Unreachable($"witness {_base} answered the {what} with an empty body");
        var ages = view.Nodes.ToDictionary(kv => kv.Key, kv => kv.Value.AgeMs, StringComparer.Ordinal);
        var sees = view.Nodes.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value.Sees, StringComparer.Ordinal);
        var detail = "witness sees " + (ages.Count == 0 ? "no node" : string.Join(", ", ages.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key} {a.Value} ms ago")));
        return new WitnessResult(true, detail, ages, sees);
    }

    WitnessResult Failure(Exception ex, CancellationTokenSource timeout, int timeoutMs, string what)
    {
        if (ex is OperationCanceledException)
            return WitnessResult.Unreachable(timeout.IsCancellationRequested
                ? $"witness {_base} did not answer the {what} within {timeoutMs} ms"
                : $"witness {what} cancelled");
        var inner = ex is HttpRequestException && ex.InnerException != null ? ex.InnerException.Message : ex.Message;
        return WitnessResult.Unreachable($"witness {_base} unreachable ({what}): {inner}");
    }

    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
    }
}
