namespace ExpressHa.Service.Monitors;

/// <summary>userw: detects the service itself stalling (CPU starvation, swapping, a frozen VM, SIGSTOP).
/// The runner measures how late it woke up; the check fails when that exceeds the monitor's timeout.</summary>
public sealed class UserwProbe : ITimedMonitorProbe
{
    public string Type => "userw";

    /// <summary>Without timing information there is nothing to judge: healthy.</summary>
    public Task<ProbeResult> ProbeAsync(MonitorContext context, CancellationToken cancellationToken)
        => Task.FromResult(ProbeResult.Ok());

    public Task<ProbeResult> ProbeAsync(MonitorContext context, MonitorTiming timing, CancellationToken cancellationToken)
        => Task.FromResult(timing.Lateness > timing.Timeout
            ? ProbeCodes.Fail(ProbeCodes.Stalled, $"the service woke up {timing.Lateness.TotalSeconds:0.###} s late (limit {timing.Timeout.TotalSeconds:0.###} s)")
            : ProbeResult.Ok($"woke up {timing.Lateness.TotalMilliseconds:0} ms late"));
}
