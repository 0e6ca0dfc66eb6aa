namespace ExpressHa.Service.Monitors;

/// <summary>The runner's timing for one check: how late it woke up (actual minus planned wake-up) and the
/// monitor's interval and timeout as the runner applies them.</summary>
public sealed record MonitorTiming(TimeSpan Lateness, TimeSpan Interval, TimeSpan Timeout);

/// <summary>A probe that judges the monitor's own timing (userw). The runner calls this overload instead of the plain one.</summary>
public interface ITimedMonitorProbe : IMonitorProbe
{
    Task<ProbeResult> ProbeAsync(MonitorContext context, MonitorTiming timing, CancellationToken cancellationToken);
}
