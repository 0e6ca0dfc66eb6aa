using ExpressHa.Api;

namespace ExpressHa.Service.Api;

/// <summary>POST /v1/groups/{name}/start and /move: the target node, or null to let the group's policy choose.</summary>
public sealed record GroupTargetBody(string? Node = null);

/// <summary>POST /v1/config.</summary>
public sealed record ConfigPushBody(string Yaml, bool DryRun = false);

/// <summary>POST /v1/internal/config/prepare.</summary>
public sealed record ConfigPrepareBody(string Yaml, long Generation);

/// <summary>POST /v1/internal/config/finish.</summary>
public sealed record ConfigFinishBody(long Generation, bool Commit);

/// <summary>The answer to prepare: 200 with accepted=true, or 409 with accepted=false and the refusal.</summary>
public sealed record ConfigPrepareAnswer(bool Accepted, NodeRefusal? Refusal);

/// <summary>The body of every error: the same shape as a failed <see cref="OperationResult"/>.</summary>
public sealed record ApiError(string Code, string Message)
{
    public bool Ok => false;
}
