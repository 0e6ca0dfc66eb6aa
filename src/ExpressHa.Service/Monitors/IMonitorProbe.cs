using ExpressHa.Config;
using ExpressHa.Service.Alerts;
using ExpressHa.Service.Mirror;

namespace ExpressHa.Service.Monitors;

public sealed class MonitorContext
{
    public required ClusterConfig Config { get; init; }
    public required MonitorConfig Monitor { get; init; }
    public required NodeConfig Node { get; init; }
    /// <summary>The monitored resource, when the monitor has a target.</summary>
    public ResourceConfig? Target { get; init; }
    public required IAlertSink Alerts { get; init; }
    /// <summary>This node's mirror engines (empty where the node runs no mirror).</summary>
    public IMirrorRegistry Mirrors { get; init; } = new MirrorRegistry();
}

/// <summary>The outcome of one probe. ApiFailure: the probe could not ask (an AWS API did not answer), which
/// onApiFailure turns into recover, warn or ignore.</summary>
public sealed record ProbeResult(bool Healthy, string Message, bool ApiFailure = false)
{
    public static ProbeResult Ok(string message = "ok") => new(true, message);
    public static ProbeResult Fail(string message) => new(false, message);
}

/// <summary>One monitor type: a single check, bounded by the monitor's timeout through the token.</summary>
public interface IMonitorProbe
{
    string Type { get; }
    Task<ProbeResult> ProbeAsync(MonitorContext context, CancellationToken cancellationToken);
}
