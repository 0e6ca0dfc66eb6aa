using ExpressHa.Api;

namespace ExpressHa.Service.Api;

/// <summary>POST /v1/mirrors/{name}/repair and /v1/internal/mirrors/{name}/repair: the node whose copy wins.</summary>
public sealed record MirrorRepairBody(string Source);

/// <summary>POST /v1/mirrors/{name}/backup.</summary>
public sealed record MirrorBackupBody(string Path, string? PreCommand = null, string? PostCommand = null, string? Node = null,
    int CommandTimeoutSeconds = BackupDefaults.CommandTimeoutSeconds);

/// <summary>POST /v1/mirrors/{name}/restore.</summary>
public sealed record MirrorRestoreBody(string Path, string? Node = null);

/// <summary>POST /v1/internal/mirrors/{name}/command: a backup's pre- or post-command, run on this node.</summary>
public sealed record MirrorCommandBody(string Command, int TimeoutSeconds);

/// <summary>POST /v1/internal/mirrors/{name}/copyout and /restore: an image file on this node.</summary>
public sealed record MirrorPathBody(string Path);

/// <summary>The answer to a request that starts a job: the job, or why none was started.</summary>
public sealed record JobStart(JobStatus? Job, OperationResult? Refusal)
{
    public static JobStart Started(JobStatus job) => new(job, null);
    public static JobStart Refused(string code, string message) => new(null, OperationResult.Failure(code, message));
    public static JobStart Refused(OperationResult refusal) => new(null, refusal);
}
