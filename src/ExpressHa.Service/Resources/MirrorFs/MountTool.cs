using System.ComponentModel;

namespace ExpressHa.Service.Resources.MirrorFs;

/// <summary>Runs one external tool of a file-system step with its timeout (argument vector, no shell), its output
/// lines going to the service log; a failure becomes a <see cref="ResourceException"/> naming the step.</summary>
public sealed class MountTool(string resource, Action<string> log)
{
    public void Log(string line) => log($"{resource}: {line}");

    /// <param name="quiet">Output kept in the result only, not logged line by line (probes whose output is parsed).</param>
    public async Task<CommandResult> RunAsync(string step, TimeSpan timeout, IReadOnlyList<string> argv, CancellationToken ct, bool quiet = false)
    {
        try
        {
            return await CommandRunner.RunAsync(new CommandSpec(argv)
            {
                Timeout = timeout,
                MergeStderr = true,
                DrainBound = TimeSpan.FromMilliseconds(200),
                OnLine = quiet ? null : line => log($"{resource} {step}: {line}"),
            }, ct).ConfigureAwait(false);
        }
        catch (Win32Exception ex)
        {
            throw new ResourceException(ResourceErrorCodes.CannotRun, $"{step} of {resource}: {argv[0]} cannot run ({ex.Message}); is it installed?", ex);
        }
    }

    /// <summary>Runs the tool; throws with <paramref name="failCode"/> and its last lines when it exits non-zero,
    /// with <see cref="ResourceErrorCodes.Timeout"/> when it does not finish within <paramref name="timeout"/>.</summary>
    public async Task<CommandResult> RunCheckedAsync(string step, int failCode, TimeSpan timeout, IReadOnlyList<string> argv, CancellationToken ct)
    {
        var r = await RunAsync(step, timeout, argv, ct).ConfigureAwait(false);
        if (r.TimedOut)
            throw new ResourceException(ResourceErrorCodes.Timeout, $"{step} of {resource} did not finish within {timeout.TotalSeconds:0} s ({string.Join(' ', argv)})");
        if (r.ExitCode != 0)
            throw new ResourceException(failCode, $"{step} of {resource} failed: {string.Join(' ', argv)} exited with {r.ExitCode}: {Tail(r)}");
        return r;
    }

    public static string Tail(CommandResult r, int lines = 6)
        => r.Lines.Count == 0 ? "(no output)" : string.Join(" | ", r.Lines.TakeLast(lines).Select(l => l.Trim()));
}
