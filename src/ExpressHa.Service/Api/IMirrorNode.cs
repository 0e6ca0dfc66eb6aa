using ExpressHa.Api;

namespace ExpressHa.Service.Api;

/// <summary>One node's own mirror copies, as the orchestration reaches them: directly on this node, through the
/// internal routes on a peer. Refusals come back as results; a peer that cannot be reached throws from
/// <see cref="GetMirrorsAsync"/> and is a failed result elsewhere.</summary>
public interface IMirrorNode
{
    Task<IReadOnlyList<MirrorStatus>> GetMirrorsAsync(CancellationToken ct);
    Task<OperationResult> SuspendAsync(string mirror, CancellationToken ct);
    Task<OperationResult> ResumeAsync(string mirror, CancellationToken ct);
    Task<OperationResult> RepairAsync(string mirror, string source, CancellationToken ct);
    Task<OperationResult> OutdateAsync(string mirror, CancellationToken ct);
    /// <summary>A backup's pre- or post-command (sh -c), output logged, killed after the timeout.</summary>
    Task<OperationResult> RunCommandAsync(string mirror, string command, int timeoutSeconds, CancellationToken ct);
    Task<JobStart> StartCopyOutAsync(string mirror, string path, CancellationToken ct);
    Task<JobStart> StartRestoreAsync(string mirror, string path, CancellationToken ct);
    /// <summary>Null when the node has no such job.</summary>
    Task<JobStatus?> GetJobAsync(string id, CancellationToken ct);
}
