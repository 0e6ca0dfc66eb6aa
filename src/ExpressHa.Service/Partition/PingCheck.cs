using System.Globalization;
using ExpressHa.Config;
using ExpressHa.Service.Resources;

namespace ExpressHa.Service.Partition;

/// <summary>ping partition resolution: pings every target at the same time with the system ping
/// (<c>ping -n -q -c 1 -i 0.2 -w S target</c>: probes every 0.2 s until one reply or S seconds); reachable when any
/// target answers within <see cref="PingResolution.TimeoutMs"/>. Never throws (cancellation included): a failure is a
/// result with its reason.</summary>
public sealed class PingCheck
{
    readonly string[] _prefix;

    /// <param name="commandPrefix">Words put before ping, e.g. ["ip","netns","exec","ns1"] (tests).</param>
    public PingCheck(IEnumerable<string>? commandPrefix = null)
    {
        _prefix = commandPrefix?.ToArray() ?? Array.Empty<string>();
    }

    public async Task<CheckResult> CheckAsync(PingResolution settings, CancellationToken cancellationToken = default)
    {
        try
        {
            ArgumentNullException.ThrowIfNull(settings);
            var targets = settings.Targets.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim()).ToList();
            if (targets.Count == 0) return CheckResult.Failed("no ping targets configured");
            foreach (var t in targets)
                if (t.StartsWith('-')) return CheckResult.Failed($"'{t}' is not a ping target");
            if (CommandRunner.FindExecutable("ping") == null) return CheckResult.Failed("the ping command is not installed (iputils-ping)");

            var timeoutMs = Math.Max(100, settings.TimeoutMs);
            var deadline = Math.Max(1, (int)Math.Ceiling(timeoutMs / 1000.0)).ToString(CultureInfo.InvariantCulture);
            var results = await Task.WhenAll(targets.Select(async t =>
            {
                var spec = new CommandSpec(_prefix.Concat(new[] { "ping", "-n", "-q", "-c", "1", "-i", "0.2", "-w", deadline, t }))
                {
                    KillGrace = TimeSpan.FromMilliseconds(100),
                    Timeout = TimeSpan.FromMilliseconds(timeoutMs),
                    KeepLines = 5,
                };
                try
                {
                    var r = await CommandRunner.RunAsync(spec, cancellationToken).ConfigureAwait(false);
                    return (Target: t, Ok: r.Succeeded, Why: r.TimedOut ? "no answer within " + timeoutMs + " ms" : r.ExitCode == 1 ? "no answer" : (r.LastLine ?? "exit " + r.ExitCode));
                }
                catch (OperationCanceledException) { return (Target: t, Ok: false, Why: "cancelled"); }
                catch (Exception ex) { return (Target: t, Ok: false, Why: ex.Message); }
            })).ConfigureAwait(false);

            var answered = results.Where(r => r.Ok).Select(r => r.Target).ToList();
            return answered.Count > 0
                ? CheckResult.Ok("answered: " + string.Join(", ", answered))
                : CheckResult.Failed("no ping target answered: " + string.Join(", ", results.Select(r => $"{r.Target} ({r.Why})")));
        }
        catch (Exception ex)
        {
            return CheckResult.Failed("ping check failed: " + ex.Message);
        }
    }
}
