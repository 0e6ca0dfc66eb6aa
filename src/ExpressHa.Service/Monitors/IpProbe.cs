using ExpressHa.Service.Resources;

namespace ExpressHa.Service.Monitors;

/// <summary>ip: pings every target once with the system ping (<c>ping -n -c 1 -W s</c>), all at the same time;
/// healthy when at least one answers.</summary>
public sealed class IpProbe : IMonitorProbe
{
    readonly string[] _prefix;

    /// <param name="commandPrefix">Words put before ping, e.g. ["ip","netns","exec","ns1"] (tests).</param>
    /// <param name="replyWaitSeconds">ping -W: seconds to wait for the reply (default 2; the monitor's timeout still bounds it).</param>
    public IpProbe(IEnumerable<string>? commandPrefix = null, int replyWaitSeconds = 2)
    {
        _prefix = commandPrefix?.ToArray() ?? Array.Empty<string>();
        ReplyWaitSeconds = Math.Max(1, replyWaitSeconds);
    }

    public string Type => "ip";
    public int ReplyWaitSeconds { get; }

    public async Task<ProbeResult> ProbeAsync(MonitorContext context, CancellationToken cancellationToken)
    {
        var targets = context.Monitor.GetParameter("targets") as IEnumerable<string>;
        var list = targets?.Where(t => !string.IsNullOrWhiteSpace(t)).ToList() ?? new List<string>();
        if (list.Count == 0) return ProbeCodes.Fail(ProbeCodes.Failed, "no ping targets configured");
        if (CommandRunner.FindExecutable("ping") == null) return ProbeCodes.Fail(ProbeCodes.Failed, "the ping command is not installed (iputils-ping)");

        var wait = Math.Max(1, Math.Min(ReplyWaitSeconds, context.Monitor.TimeoutSeconds));
        var results = await Task.WhenAll(list.Select(async t =>
        {
            var spec = new CommandSpec(_prefix.Concat(new[] { "ping", "-n", "-q", "-c", "1", "-W", wait.ToString(), t }))
            {
                KillGrace = TimeSpan.FromMilliseconds(200),
                Timeout = TimeSpan.FromSeconds(wait + 2),
            };
            var r = await CommandRunner.RunAsync(spec, cancellationToken).ConfigureAwait(false);
            return (Target: t, Ok: r.Succeeded);
        })).ConfigureAwait(false);

        var answered = results.Where(r => r.Ok).Select(r => r.Target).ToList();
        return answered.Count > 0
            ? ProbeResult.Ok("answered: " + string.Join(", ", answered))
            : ProbeCodes.Fail(ProbeCodes.Failed, "no ping target answered: " + string.Join(", ", list));
    }
}
