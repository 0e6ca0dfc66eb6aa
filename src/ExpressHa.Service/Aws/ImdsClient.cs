using System.Globalization;
using System.Net;

namespace ExpressHa.Service.Aws;

/// <summary>IMDSv2: a session token from PUT /latest/api/token (TTL header), cached and renewed shortly before it
/// expires or when a GET answers 401; GET /latest/meta-data/{path} with the token; 404 → null. Never uses a proxy
/// (the metadata address is link-local). Timeouts and an unreachable endpoint → <see cref="AwsApiException"/> with
/// IsTimeout.</summary>
public sealed class ImdsClient : IImdsClient, IDisposable
{
    public static readonly Uri DefaultEndpoint = new("http://169.254.169.254/");
    public static readonly TimeSpan DefaultTokenTtl = TimeSpan.FromSeconds(21600);
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _tokenLock = new(1, 1);
    private string? _token;
    private DateTimeOffset _tokenExpires;
    private int _tokenRequests;

    /// <summary>Creates a client with its own proxy-less HttpClient.</summary>
    /// <param name="endpoint">null = http://169.254.169.254/ (config aws.endpoints.imds overrides it)</param>
    public ImdsClient(Uri? endpoint = null, TimeSpan? perCallTimeout = null, TimeSpan? tokenTtl = null, TimeProvider? time = null)
        : this(new HttpClient(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = perCallTimeout ?? TimeSpan.FromSeconds(2) }) { Timeout = Timeout.InfiniteTimeSpan },
               endpoint, perCallTimeout, tokenTtl, time)
    {
        _ownsHttp = true;
    }

    public ImdsClient(HttpClient http, Uri? endpoint, TimeSpan? perCallTimeout = null, TimeSpan? tokenTtl = null, TimeProvider? time = null)
    {
        _http = http;
        var e = endpoint ?? DefaultEndpoint;
        Endpoint = e.AbsoluteUri.EndsWith('/') ? e : new Uri(e.AbsoluteUri + "/");
        PerCallTimeout = perCallTimeout ?? TimeSpan.FromSeconds(2);
        TokenTtl = tokenTtl ?? DefaultTokenTtl;
        _time = time ?? TimeProvider.System;
    }

    public Uri Endpoint { get; }
    public TimeSpan PerCallTimeout { get; }
    public TimeSpan TokenTtl { get; }
    /// <summary>How many token PUTs this client has made (diagnostics).</summary>
    public int TokenRequests => Volatile.Read(ref _tokenRequests);

    public Task<string?> GetMetadataAsync(string path, CancellationToken ct) =>
        GetAsync("latest/meta-data/" + path.TrimStart('/'), ct);

    /// <summary>GET of any IMDS path under the endpoint (e.g. "latest/dynamic/instance-identity/document").</summary>
    public async Task<string?> GetAsync(string relativePath, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var token = await GetTokenAsync(ct).ConfigureAwait(false);
            var (status, body) = await SendAsync(HttpMethod.Get, relativePath, token, ct).ConfigureAwait(false);
            if (status == HttpStatusCode.OK) return body;
            if (status == HttpStatusCode.NotFound) return null;
            if (status == HttpStatusCode.Unauthorized && attempt == 0)
            {
                Invalidate(token);
                continue;
            }
            throw new AwsApiException(status == HttpStatusCode.TooManyRequests ? "Throttling" : "ImdsError",
                $"IMDS GET /{relativePath}: HTTP {(int)status}.", (int)status);
        }
    }

    // A 401 means the token expired or was revoked (IMDS restarted, TTL shorter than we thought): drop it, unless
    // another call has already replaced it.
    private void Invalidate(string token) => Interlocked.CompareExchange(ref _token, null, token);

    private async Task<string> GetTokenAsync(CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var token = _token;
        if (token != null && now < _tokenExpires) return token;
        await _tokenLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            now = _time.GetUtcNow();
            if (_token != null && now < _tokenExpires) return _token;
            Interlocked.Increment(ref _tokenRequests);
            var ttlSeconds = Math.Max(1, (int)TokenTtl.TotalSeconds);
            var (status, body) = await SendAsync(HttpMethod.Put, "latest/api/token", null, ct, ttlSeconds).ConfigureAwait(false);
            if (status != HttpStatusCode.OK || string.IsNullOrEmpty(body))
                throw new AwsApiException(status == HttpStatusCode.Forbidden ? "ImdsDisabled" : "ImdsTokenError",
                    $"IMDS token request: HTTP {(int)status}.", (int)status);
            // Renew a little before the end: 10 % of the TTL, at most a minute.
            var margin = TimeSpan.FromSeconds(Math.Min(60, ttlSeconds / 10.0));
            var fresh = body.Trim();
            _tokenExpires = now + TimeSpan.FromSeconds(ttlSeconds) - margin;
            _token = fresh;
            return fresh;
        }
        finally
        {
            _tokenLock.Release();
        }
    }

    private async Task<(HttpStatusCode, string)> SendAsync(HttpMethod method, string relativePath, string? token, CancellationToken ct, int ttlSeconds = 0)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(PerCallTimeout);
        try
        {
            using var request = new HttpRequestMessage(method, new Uri(Endpoint, relativePath));
            if (token != null) request.Headers.TryAddWithoutValidation("X-aws-ec2-metadata-token", token);
            if (ttlSeconds > 0) request.Headers.TryAddWithoutValidation("X-aws-ec2-metadata-token-ttl-seconds", ttlSeconds.ToString(CultureInfo.InvariantCulture));
            if (method == HttpMethod.Put) request.Content = new ByteArrayContent([]);
            using var response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            return (response.StatusCode, body);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new AwsApiException("RequestTimeout", $"IMDS {method} /{relativePath}: no answer from {Endpoint.Authority} within {PerCallTimeout.TotalSeconds:0.###} s.", 0, timeout: true, inner: e);
        }
        catch (HttpRequestException e)
        {
            throw new AwsApiException("EndpointUnreachable", $"IMDS {method} /{relativePath}: {Endpoint.Authority} unreachable: {e.Message}", 0, timeout: true, inner: e);
        }
    }

    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
        _tokenLock.Dispose();
    }
}
