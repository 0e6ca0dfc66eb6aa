using ExpressHa.Api;
using ExpressHa.Client;

namespace ExpressHa.Service.Api;

/// <summary>The internal mirror routes of a peer: its own copies only (the orchestration runs on the node that took the
/// operator's request). Job starts and job reads throw <see cref="HaApiException"/> on a refusal (404/409).</summary>
public sealed partial class PeerClient
{
    public Task<List<MirrorStatus>> GetLocalMirrorsAsync(CancellationToken ct = default)
        => SendAsync<List<MirrorStatus>>(ApiRoutes.InternalMirrors, ApiRoutes.InternalMirrors.Path(), null, ct, okOnly: true);

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
        => SendAsync<JobStatus>(ApiRoutes.InternalMirrorCopyOut, ApiRoutes.InternalMirrorCopyOut.Path(mirror), new MirrorPathBody(path), ct, okOnly: true);

    public Task<JobStatus> StartLocalRestoreAsync(string mirror, string path, CancellationToken ct = default)
        => SendAsync<JobStatus>(ApiRoutes.InternalMirrorRestore, ApiRoutes.InternalMirrorRestore.Path(mirror), new MirrorPathBody(path), ct, okOnly: true);

    public Task<JobStatus> GetJobAsync(string id, CancellationToken ct = default)
        => SendAsync<JobStatus>(ApiRoutes.Job, ApiRoutes.Job.Path(id), null, ct, okOnly: true);
}
