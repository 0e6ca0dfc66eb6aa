using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Text;
using System.Text.Json;
using ExpressHa.Api;
using ExpressHa.Client;
using ExpressHa.Policy;

namespace ExpressHa.Service.Api;

/// <summary>Node-to-node calls to one peer's management API. HTTPS is trusted only through the peer's pinned SHA-256
/// certificate fingerprint (from its heartbeats); a null fingerprint allows plain HTTP to a loopback address only.
/// The node-to-node routes (/v1/internal/*) get the cluster credential, the operator routes (a request forwarded to
/// the node that must act) the API token; neither is sent before the certificate has been checked.
/// Operations return the peer's <see cref="OperationResult"/> as is, refusals included (404/409 carry one); transport,
/// pinning, authentication and protocol failures throw <see cref="HaApiException"/>.</summary>
public sealed partial class PeerClient : IDisposable
{
    readonly HttpClient _http;
    readonly string? _expected;
    readonly AuthenticationHeaderValue _operatorAuth;
    readonly AuthenticationHeaderValue? _nodeAuth;
    string? _presented;
    volatile bool _pinFailed;

    public PeerClient(Uri endpoint, string token, string? certificateFingerprint, TimeSpan? timeout = null, string? clusterCredential = null)
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

    /// <summary>A peer at ADDRESS:PORT: https when a fingerprint is known, plain http (loopback only) otherwise.</summary>
    public static PeerClient For(string address, int port, string token, string? certificateFingerprint, TimeSpan? timeout = null, string? clusterCredential = null)
    {
        var host = IPAddress.TryParse(address, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "[" + ip + "]" : address;
        return new PeerClient(new Uri($"{(certificateFingerprint != null ? "https" : "http")}://{host}:{port}/"), token, certificateFingerprint, timeout, clusterCredential);
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

    // ------------------------------------------------------------------ routes

    public Task<ClusterStatus> GetStatusAsync(CancellationToken ct = default)
        => SendAsync<ClusterStatus>(ApiRoutes.Status, ApiRoutes.Status.Path(), null, ct, okOnly: true);

    /// <summary>The peer's running config, for a node that missed a push. Throws (404) when the peer does not serve it.</summary>
    public async Task<(string Yaml, long Generation)> GetConfigAsync(CancellationToken ct = default)
    {
        var c = await SendAsync<RunningConfig>(ApiRoutes.InternalConfig, ApiRoutes.InternalConfig.Path(), null, ct, okOnly: true).ConfigureAwait(false);
        return (c.Yaml, c.Generation);
    }

    /// <summary>Phase one: null when the peer staged the config, its refusal otherwise.</summary>
    public async Task<NodeRefusal?> PrepareConfigAsync(string yaml, long generation, CancellationToken ct = default)
    {
        var a = await SendAsync<ConfigPrepareAnswer>(ApiRoutes.InternalPrepare, ApiRoutes.InternalPrepare.Path(), new ConfigPrepareBody(yaml, generation), ct, okOnly: false)
            .ConfigureAwait(false);
        if (a.Accepted) return null;
        return a.Refusal ?? new NodeRefusal { Node = Endpoint.Host, Reasons = { "refused without a reason" } };
    }

    public Task<OperationResult> FinishConfigAsync(long generation, bool commit, CancellationToken ct = default)
        => Operation(ApiRoutes.InternalFinish, null, new ConfigFinishBody(generation, commit), ct);

    public Task<OperationResult> RunActionsAsync(IReadOnlyList<PlanAction> actions, CancellationToken ct = default)
        => Operation(ApiRoutes.InternalActions, null, actions.ToList(), ct);

    // Forwarding of operator requests to the coordinator.
    public Task<OperationResult> StartGroupAsync(string group, string? node, CancellationToken ct = default)
        => Operation(ApiRoutes.GroupStart, group, new GroupTargetBody(node), ct);
    public Task<OperationResult> StopGroupAsync(string group, CancellationToken ct = default)
        => Operation(ApiRoutes.GroupStop, group, new { }, ct);
    public Task<OperationResult> MoveGroupAsync(string group, string? node, CancellationToken ct = default)
        => Operation(ApiRoutes.GroupMove, group, new GroupTargetBody(node), ct);

    public Task<List<AlertEntry>> GetAlertsAsync(AlertQuery q, CancellationToken ct = default)
        => SendAsync<List<AlertEntry>>(ApiRoutes.Alerts, ApiRoutes.Alerts.Path() + HaApiClientOperations.AlertQueryString(q.MinLevel, q.Module, q.Since, q.Last), null, ct, okOnly: true);

    public Task<List<Runtime.OwnershipRecord>> GetOwnershipAsync(string? group, CancellationToken ct = default)
        => SendAsync<List<Runtime.OwnershipRecord>>(ApiRoutes.InternalOwnership,
            ApiRoutes.InternalOwnership.Path() + (group != null ? "?group=" + Uri.EscapeDataString(group) : ""), null, ct, okOnly: true);

    /// <summary>The peer's own support bundle, as a response whose body is still to be read (a zip, streamed).</summary>
    public async Task<HttpResponseMessage> OpenSupportBundleAsync(DateTimeOffset? since, CancellationToken ct = default)
    {
        var path = ApiRoutes.InternalSupportBundle.Path() + (since != null ? "?since=" + Uri.EscapeDataString(since.Value.ToUniversalTime().ToString("o")) : "");
        var resp = await SendRawAsync(HttpMethod.Get, path, null, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        if (resp.IsSuccessStatusCode) return resp;
        using (resp) throw Error((int)resp.StatusCode, await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
    }

    // ------------------------------------------------------------------ plumbing

    /// <summary>A POST of the contract whose answer is an <see cref="OperationResult"/>, refusals included; <paramref name="name"/> fills its placeholder.</summary>
    internal Task<OperationResult> Operation<TBody>(ApiRoute route, string? name, TBody body, CancellationToken ct)
        => SendAsync<OperationResult>(route, name == null ? route.Path() : route.Path(name), body, ct, okOnly: false);

    async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, object? body, HttpCompletionOption completion, CancellationToken ct)
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

    internal async Task<T> SendAsync<T>(ApiRoute route, string path, object? body, CancellationToken ct, bool okOnly)
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

    static HaApiException Error(int status, string text)
    {
        string? code = null, message = null;
        try
        {
            var e = JsonSerializer.Deserialize<ApiError>(text, ApiJson.Options);
            code = e?.Code;
            message = e?.Message;
        }
        catch (JsonException) { }
        code ??= status switch { 401 => ErrorCodes.Unauthorized, 400 => ErrorCodes.BadRequest, 403 => ErrorCodes.Forbidden, 404 => ErrorCodes.NotFound, 409 => ErrorCodes.Conflict, _ => ErrorCodes.InternalError };
        message ??= $"HTTP {status}";
        if (status == 401) message = "the peer refused the credential (do all nodes have the same API token file and cluster key file?)";
        return new HaApiException(status, code, message);
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>GET /v1/internal/config: the running config and its generation.</summary>
public sealed record RunningConfig(string Yaml, long Generation);

/// <summary>Optional: a control that can hand out its running config serves GET /v1/internal/config (a node that
/// missed a push catches up from a peer). Kept apart from <see cref="IClusterControl"/> so that contract stays as agreed.</summary>
public interface IRunningConfigSource
{
    RunningConfig GetRunningConfig();
}
