using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ExpressHa.Api;
using ExpressHa.Client;
using ExpressHa.Policy;

namespace ExpressHa.Service.Api;

/// <summary>The HTTP side of <see cref="PeerClient"/>: certificate pinning, which credential a route takes (the cluster
/// credential on node-to-node routes, the API token elsewhere), and failures as <see cref="HaApiException"/>.</summary>
sealed class PeerTransport : IDisposable
{
    readonly HttpClient _http;
    readonly string? _expected;
    readonly AuthenticationHeaderValue _operatorAuth;
    readonly AuthenticationHeaderValue? _nodeAuth;
    string? _presented;
    volatile bool _pinFailed;

    public PeerTransport(Uri endpoint, string token, string? certificateFingerprint, TimeSpan? timeout, string? clusterCredential)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (string.IsNullOrEmpty(token)) throw new ArgumentException("the API token is empty", nameof(token));
        if (!endpoint.IsAbsoluteUri || endpoint.Scheme is not ("https" or "http"))
            throw new ArgumentException($"'{endpoint}' is not an http:// or https:// URL", nameof(endpoint));
        Endpoint = new Uri(endpoint.GetLeftPart(UriPartial.Authority) + "/");
        if (certificateFingerprint != null)
            _expected = Client.CertificateFingerprint.Normalize(certificateFingerprint)
                ?? throw new ArgumentException($"'{certificateFingerprint}' is not a SHA-256 fingerprint", nameof(certificateFingerprint));

        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) => Validate(cert);
        _http = new HttpClient(handler) { BaseAddress = Endpoint, Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        _operatorAuth = new AuthenticationHeaderValue("Bearer", token);
        _nodeAuth = string.IsNullOrEmpty(clusterCredential) ? null : new AuthenticationHeaderValue("Bearer", clusterCredential);
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    }

    public Uri Endpoint { get; }
    public string? CertificateFingerprint => _expected;

    bool Validate(System.Security.Cryptography.X509Certificates.X509Certificate? cert)
    {
        if (cert == null || _expected == null) { _pinFailed = true; return false; }
        _presented = Client.CertificateFingerprint.Compute(cert);
        var ok = Client.CertificateFingerprint.Matches(_expected, _presented);
        if (!ok) _pinFailed = true;
        return ok;
    }

    public async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, object? body, HttpCompletionOption completion, CancellationToken ct)
    {
        if (Endpoint.Scheme == "https" && _expected == null)
            throw new HaApiException(0, ErrorCodes.CertificateNotTrusted, $"no certificate fingerprint is known for {Endpoint}; not calling it over unpinned HTTPS");
        if (Endpoint.Scheme == "http" && !Endpoint.IsLoopback)
            throw new HaApiException(0, ErrorCodes.InsecureEndpoint, $"plain HTTP to {Endpoint} would send the token in clear; only loopback peers may use it");

        var nodeRoute = ApiRoutes.IsNodeToNode(path);
        if (nodeRoute && _nodeAuth == null)
            throw new HaApiException(0, ErrorCodes.Unauthorized, $"no cluster credential to call {path} on {Endpoint} (node-to-node routes do not take the API token)");
        using var req = new HttpRequestMessage(method, path);
        req.Headers.Authorization = nodeRoute ? _nodeAuth : _operatorAuth;
        if (body != null)
            req.Content = new StringContent(JsonSerializer.Serialize(body, body.GetType() == typeof(List<PlanAction>) ? typeof(List<PlanAction>) : body.GetType(), ApiJson.Options),
                new UTF8Encoding(false), "application/json");
        _pinFailed = false;
        try
        {
            return await _http.SendAsync(req, completion, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException ex)
        {
            throw new HaApiException(0, ErrorCodes.Timeout, $"{Endpoint} did not answer within {_http.Timeout.TotalSeconds:0} s", ex);
        }
        catch (HttpRequestException ex)
        {
            if (_pinFailed)
                throw new HaApiException(0, ErrorCodes.CertificateMismatch,
                    $"{Endpoint} presented certificate {_presented ?? "(none)"}, not the pinned {_expected}", ex) { ServerFingerprint = _presented };
            throw new HaApiException(0, ErrorCodes.ConnectionFailed, $"cannot reach {Endpoint}: {ex.InnerException?.Message ?? ex.Message}", ex);
        }
    }

    public async Task<T> SendAsync<T>(ApiRoute route, string path, object? body, CancellationToken ct, bool okOnly)
    {
        var resp = await SendRawAsync(new HttpMethod(route.Method), path, body, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
        using (resp)
        {
            var text = await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            var status = (int)resp.StatusCode;
            var decodable = status is >= 200 and < 300 || (!okOnly && status is 404 or 409);
            if (decodable)
            {
                try
                {
                    var value = JsonSerializer.Deserialize<T>(text, ApiJson.Options);
                    if (value != null) return value;
                }
                catch (JsonException)
                {
                    if (status is >= 200 and < 300)
                        throw new HaApiException(status, ErrorCodes.BadResponse, $"{Endpoint} answered {path} with JSON that does not fit");
                }
            }
            throw Error(status, text);
        }
    }

    public static HaApiException Error(int status, string text)
    {
        string? code = null, message = null;
        try
        {
            var e = JsonSerializer.Deserialize<ApiError>(text, ApiJson.Options);
            code = e?.Code;
            message = e?.Message;
        }
        catch (JsonException) { }
        code ??= ErrorCodes.ForStatus(status);
        message ??= $"HTTP {status}";
        if (status == 401) message = "the peer refused the credential (do all nodes have the same API token file and cluster key file?)";
        return new HaApiException(status, code, message);
    }

    public void Dispose() => _http.Dispose();
}
