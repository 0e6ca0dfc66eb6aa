using ExpressHa.Api;
using ExpressHa.Client;

namespace ExpressHa.Service.Api;

/// <summary>The internal mirror routes of a peer: its own copies only (the orchestration runs on the node that took the
/// operator's request). Job starts and job reads throw <see cref="HaApiException"/> on a refusal (404/409).</summary>
public sealed partial class PeerClient
{
    public Task<List<MirrorStatus>> GetLocalMirrorsAsync(CancellationToken ct = default)
        => SendAsync<List<MirrorStatus>>(HttpMethod.Get, ApiRoutes.InternalMirrors, null, ct, okOnly: true);

    public Task<OperationResult> SuspendLocalMirrorAsync(string mirror, CancellationToken ct = default)
        => Operation(ApiRoutes.InternalMirror(mirror, "suspend"), new { }, ct);

    public Task<OperationResult> ResumeLocalMirrorAsync(string mirror, CancellationToken ct = default)
        => Operation(ApiRoutes.InternalMirror(mirror, "resume"), new { }, ct);

    public Task<OperationResult> RepairLocalMirrorAsync(string mirror, string source, CancellationToken ct = default)
        => Operation(ApiRoutes.InternalMirror(mirror, "repair"), new MirrorRepairBody(source), ct);

    /// <summary>The mirror engine's primary asks the peer's copy to mark itself outdated before writing without it.</summary>
    public Task<OperationResult> OutdateMirrorAsync(string mirror, CancellationToken ct = default)
        => Operation(ApiRoutes.InternalMirror(mirror, "outdate"), new { }, ct);

    public Task<OperationResult> RunMirrorCommandAsync(string mirror, string command, int timeoutSeconds, CancellationToken ct = default)
        => Operation(ApiRoutes.InternalMirror(mirror, "command"), new MirrorCommandBody(command, timeoutSeconds), ct);

    public Task<JobStatus> StartCopyOutAsync(string mirror, string path, CancellationToken ct = default)
        => SendAsync<JobStatus>(HttpMethod.Post, ApiRoutes.InternalMirror(mirror, "copyout"), new MirrorPathBody(path), ct, okOnly: true);

    public Task<JobStatus> StartLocalRestoreAsync(string mirror, string path, CancellationToken ct = default)
        => SendAsync<JobStatus>(HttpMethod.Post, ApiRoutes.InternalMirror(mirror, "restore"), new MirrorPathBody(path), ct, okOnly: true);

    public Task<JobStatus> GetJobAsync(string id, CancellationToken ct = default)
        => SendAsync<JobStatus>(HttpMethod.Get, ApiRoutes.Job(id), null, ct, okOnly: true);
}
