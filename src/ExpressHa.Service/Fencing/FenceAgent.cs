using ExpressHa.Config;

namespace ExpressHa.Service.Fencing;

/// <summary>One fencing method (a fencing "level" type): forces the target node off so that it can no longer run
/// anything. Agents never throw for fencing failures: every outcome, including a refusal, is a <see cref="FenceResult"/>
/// (only cancellation of the caller's token comes out as OperationCanceledException).</summary>
public interface IFenceAgent
{
    /// <summary>The level type this agent serves: <see cref="FencingTypes.Aws"/> or <see cref="FencingTypes.Script"/>.</summary>
    string Type { get; }

    Task<FenceResult> FenceAsync(FenceRequest request, CancellationToken ct);
}

/// <summary>One fencing attempt: which level, which node fences which, why, and the time allowed for it.</summary>
/// <param name="Config">The running cluster config.</param>
/// <param name="Level">The level being tried (its type selects the agent; script levels carry the command).</param>
/// <param name="Target">The node to fence.</param>
/// <param name="Self">The node doing the fencing (the race check looks at its own instance).</param>
/// <param name="Reason">Why (heartbeat lost, failed stop of resource X, ...), for logs and the script's environment.</param>
/// <param name="Timeout">The bound on this attempt (fencing.timeoutSeconds).</param>
public sealed record FenceRequest(ClusterConfig Config, FencingLevel Level, NodeConfig Target, NodeConfig Self, string Reason, TimeSpan Timeout)
{
    /// <summary>Progress and command output lines (a plain log, not alerts); may be null.</summary>
    public Action<string>? Log { get; init; }
}

/// <summary>What one attempt did. <see cref="Code"/> is one of <see cref="FenceCodes"/>.</summary>
public sealed record FenceResult(bool Fenced, string Code, string Message)
{
    /// <summary>Trying the same level again may help (timeouts, command failures); false for configuration and
    /// permission errors, which another attempt cannot fix.</summary>
    public bool Retryable { get; init; } = true;
    /// <summary>Stop fencing altogether (no further retries or levels): this node itself is being stopped.</summary>
    public bool Final { get; init; }
    /// <summary>Output of a script level (the latest lines), empty for aws.</summary>
    public IReadOnlyList<string> Output { get; init; } = Array.Empty<string>();

    public static FenceResult Success(string code, string message) => new(true, code, message) { Retryable = false };
    public static FenceResult Failure(string code, string message, bool retryable = true) => new(false, code, message) { Retryable = retryable };
    public override string ToString() => $"{Code}: {Message}";
}

/// <summary>Result codes of agents and of <see cref="Fencer"/>.</summary>
public static class FenceCodes
{
    // success
    public const string Fenced = "fenced";
    public const string AlreadyStopped = "already-stopped";
    // agent failures
    public const string SelfStopping = "self-stopping";
    public const string Unauthorized = "unauthorized";
    public const string InstanceNotFound = "instance-not-found";
    public const string NoInstanceId = "no-instance-id";
    public const string Timeout = "timeout";
    public const string ApiError = "api-error";
    public const string ScriptFailed = "script-failed";
    public const string BadConfig = "bad-config";
    // Fencer outcomes
    public const string Disabled = "disabled";
    public const string Aborted = "aborted";
    public const string Failed = "failed";
    public const string UnknownNode = "unknown-node";
}
