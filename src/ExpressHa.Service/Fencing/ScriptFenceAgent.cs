using ExpressHa.Config;
using ExpressHa.Service.Resources;

namespace ExpressHa.Service.Fencing;

/// <summary>Fencing by a command of the operator's: the level's command runs as
/// <c>/bin/sh -c 'COMMAND "$1"' sh TARGET_NODE</c> (the target node's name is its last argument and $1 of the line),
/// in its own process group, with the environment EXPRESSHA_FENCE_TARGET (node name), EXPRESSHA_FENCE_TARGET_INSTANCE
/// (its instanceId, when set), EXPRESSHA_FENCE_SELF (the fencing node), EXPRESSHA_FENCE_REASON and
/// EXPRESSHA_CLUSTER. Exit 0 means the node is fenced; any other exit is a failure; when the timeout runs out the
/// whole group gets SIGTERM, then SIGKILL (see <see cref="CommandRunner"/>). stdout and stderr go to the request's log
/// line by line and the latest lines come back in <see cref="FenceResult.Output"/>.</summary>
public sealed class ScriptFenceAgent : IFenceAgent
{
    public string Type => FencingTypes.Script;

    /// <summary>Between SIGTERM and SIGKILL when the command runs out of time.</summary>
    public TimeSpan KillGrace { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The argument vector the command runs with (public for tests and for `show`-style output).</summary>
    public static IReadOnlyList<string> Argv(string command, string target) =>
        new[] { "/bin/sh", "-c", command + " \"$1\"", "sh", target };

    public async Task<FenceResult> FenceAsync(FenceRequest request, CancellationToken ct)
    {
        var command = request.Level.Command?.Trim();
        if (string.IsNullOrEmpty(command))
            return FenceResult.Failure(FenceCodes.BadConfig, "The script fencing level has no command.", retryable: false);
        var target = request.Target;
        var env = new Dictionary<string, string>
        {
            ["EXPRESSHA_FENCE_TARGET"] = target.Name,
            ["EXPRESSHA_FENCE_SELF"] = request.Self.Name,
            ["EXPRESSHA_FENCE_REASON"] = request.Reason,
            ["EXPRESSHA_CLUSTER"] = request.Config.Cluster.Name ?? "",
        };
        if (!string.IsNullOrWhiteSpace(target.InstanceId)) env["EXPRESSHA_FENCE_TARGET_INSTANCE"] = target.InstanceId.Trim();
        var spec = new CommandSpec(Argv(command, target.Name))
        {
            Environment = env,
            Timeout = request.Timeout,
            MergeStderr = true,
            KillGrace = KillGrace,
            OnLine = request.Log == null ? null : line => request.Log($"{target.Name}: {line}"),
        };
        CommandResult r;
        try
        {
            r = await CommandRunner.RunAsync(spec, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return FenceResult.Failure(FenceCodes.ScriptFailed, $"The fencing command could not be run: {e.Message}", retryable: false);
        }
        var last = r.LastLine is { Length: > 0 } l ? $" Last output: {l}" : "";
        if (r.TimedOut)
            return FenceResult.Failure(FenceCodes.Timeout, $"The fencing command for {target.Name} did not finish within {request.Timeout.TotalSeconds:0.###} s and was killed.{last}") with { Output = r.Lines };
        if (r.ExitCode != 0)
            return FenceResult.Failure(FenceCodes.ScriptFailed, $"The fencing command for {target.Name} exited with {r.ExitCode}.{last}") with { Output = r.Lines };
        return FenceResult.Success(FenceCodes.Fenced, $"The fencing command for {target.Name} exited with 0.{last}") with { Output = r.Lines };
    }
}
