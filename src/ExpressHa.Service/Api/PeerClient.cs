using System.Net;
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
public sealed class PeerClient : IDisposable
{
    readonly PeerTransport _t;

    public PeerClient(Uri endpoint, string token, string? certificateFingerprint, TimeSpan? timeout = null, string? clusterCredential = null)
        => _t = new PeerTransport(endpoint, token, certificateFingerprint, timeout, clusterCredential);

    /// <summary>A peer at ADDRESS:PORT: https when a fingerprint is known, plain http (loopback only) otherwise.</summary>
    public static PeerClient For(string address, int port, string token, string? certificateFingerprint, TimeSpan? timeout = null, string? clusterCredential = null)
    {
        var host = IPAddress.TryParse(address, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "[" + ip + "]" : address;
        return new PeerClient(new Uri($"{(certificateFingerprint != null ? "https" : "http")}://{host}:{port}/"), token, certificateFingerprint, timeout, clusterCredential);
    }

    public Uri Endpoint => _t.Endpoint;
    public string? CertificateFingerprint => _t.CertificateFingerprint;

    // ------------------------------------------------------------------ routes

    public Task<ClusterStatus> GetStatusAsync(CancellationToken ct = default)
        => _t.SendAsync<ClusterStatus>(ApiRoutes.Status, ApiRoutes.Status.Path(), null, ct, okOnly: true);

    /// <summary>The peer's running config, for a node that missed a push. Throws (404) when the peer does not serve it.</summary>
    public async Task<(string Yaml, long Generation)> GetConfigAsync(CancellationToken ct = default)
    {
        var c = await _t.SendAsync<RunningConfig>(ApiRoutes.InternalConfig, ApiRoutes.InternalConfig.Path(), null, ct, okOnly: true).ConfigureAwait(false);
        return (c.Yaml, c.Generation);
    }

    /// <summary>Phase one: null when the peer staged the config, its refusal otherwise.</summary>
    public async Task<NodeRefusal?> PrepareConfigAsync(string yaml, long generation, CancellationToken ct = default)
    {
        var a = await _t.SendAsync<ConfigPrepareAnswer>(ApiRoutes.InternalPrepare, ApiRoutes.InternalPrepare.Path(), new ConfigPrepareBody(yaml, generation), ct, okOnly: false)
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
        => _t.SendAsync<List<AlertEntry>>(ApiRoutes.Alerts, ApiRoutes.Alerts.Path() + HaApiClientOperations.AlertQueryString(q.MinLevel, q.Module, q.Since, q.Last), null, ct, okOnly: true);

    public Task<List<Runtime.OwnershipRecord>> GetOwnershipAsync(string? group, CancellationToken ct = default)
        => _t.SendAsync<List<Runtime.OwnershipRecord>>(ApiRoutes.InternalOwnership,
            ApiRoutes.InternalOwnership.Path() + (group != null ? "?group=" + Uri.EscapeDataString(group) : ""), null, ct, okOnly: true);

    /// <summary>The peer's own support bundle, as a response whose body is still to be read (a zip, streamed).</summary>
    public async Task<HttpResponseMessage> OpenSupportBundleAsync(DateTimeOffset? since, CancellationToken ct = default)
    {
        var path = ApiRoutes.InternalSupportBundle.Path() + (since != null ? "?since=" + Uri.EscapeDataString(since.Value.ToUniversalTime().ToString("o")) : "");
        var resp = await _t.SendRawAsync(HttpMethod.Get, path, null, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        if (resp.IsSuccessStatusCode) return resp;
        using (resp) throw PeerTransport.Error((int)resp.StatusCode, await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
    }

    // ------------------------------------------------------------------ mirrors: the peer's own copies only (the
    // orchestration runs on the node that took the operator's request); job starts and reads throw on a refusal.

    public Task<List<MirrorStatus>> GetLocalMirrorsAsync(CancellationToken ct = default)
        => _t.SendAsync<List<MirrorStatus>>(ApiRoutes.InternalMirrors, ApiRoutes.InternalMirrors.Path(), null, ct, okOnly: true);

    public Task<OperationResult> SuspendLocalMirrorAsync(string mirror, CancellationToken ct = default)
        => Operation(ApiRoutes.InternalMirrorSuspend, mirror, new { }, ct);

    public Task<OperationResult> ResumeLocalMirrorAsync(string mirror, CancellationToken ct = default)
        => Operation(ApiRoutes.InternalMirrorResume, mirror, new { }, ct);

    public Task<OperationResult> RepairLocalMirrorAsync(string mirror, string source, CancellationToken ct = default)
        => Operation(ApiRoutes.InternalMirrorRepair, mirror, new MirrorRepairBody(source), ct);

    /// <summary>The mirror engine's primary asks the peer's copy to mark itself outdated before writing without it.</summary>
    public Task<OperationResult> OutdateMirrorAsync(string mirror, CancellationToken ct = default)
        => Operation(ApiRoutes.InternalMirrorOutdate, mirror, new { }, ct);

    public Task<OperationResult> RunMirrorCommandAsync(string mirror, string command, int timeoutSeconds, CancellationToken ct = default)
        => Operation(ApiRoutes.InternalMirrorCommand, mirror, new MirrorCommandBody(command, timeoutSeconds), ct);

    public Task<JobStatus> StartCopyOutAsync(string mirror, string path, CancellationToken ct = default)
        => _t.SendAsync<JobStatus>(ApiRoutes.InternalMirrorCopyOut, ApiRoutes.InternalMirrorCopyOut.Path(mirror), new MirrorPathBody(path), ct, okOnly: true);

    public Task<JobStatus> StartLocalRestoreAsync(string mirror, string path, CancellationToken ct = default)
        => _t.SendAsync<JobStatus>(ApiRoutes.InternalMirrorRestore, ApiRoutes.InternalMirrorRestore.Path(mirror), new MirrorPathBody(path), ct, okOnly: true);

    public Task<JobStatus> GetJobAsync(string id, CancellationToken ct = default)
        => _t.SendAsync<JobStatus>(ApiRoutes.Job, ApiRoutes.Job.Path(id), null, ct, okOnly: true);

    /// <summary>A POST of the contract whose answer is an <see cref="OperationResult"/>, refusals included; <paramref name="name"/> fills its placeholder.</summary>
    Task<OperationResult> Operation<TBody>(ApiRoute route, string? name, TBody body, CancellationToken ct)
        => _t.SendAsync<OperationResult>(route, name == null ? route.Path() : route.Path(name), body, ct, okOnly: false);

    public void Dispose() => _t.Dispose();
}
