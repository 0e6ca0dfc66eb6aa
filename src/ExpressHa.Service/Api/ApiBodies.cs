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

/// <summary>Stable codes the API layer itself returns (operation codes such as ExpressHa.GroupNotFound come from the node).</summary>
public static class ApiErrorCodes
{
    public const string Unauthorized = "ExpressHa.Unauthorized";
    public const string Forbidden = "ExpressHa.Forbidden";
    /// <summary>The read-only token (or a read-only web UI session) asked for a change.</summary>
    public const string ReadOnly = "ExpressHa.ReadOnly";
    /// <summary>A web UI session's changing call came without the same-origin proof.</summary>
    public const string CrossSiteRequest = "ExpressHa.CrossSiteRequest";
    public const string BadRequest = "ExpressHa.BadRequest";
    public const string NotFound = "ExpressHa.NotFound";
    public const string PayloadTooLarge = "ExpressHa.PayloadTooLarge";
    public const string InternalError = "ExpressHa.InternalError";
}
