using ExpressHa.Service.Resources;

namespace ExpressHa.Service.Monitors;

/// <summary>lbprobe: the target lbprobe resource's listener is alive in this service ("Port N is closed.", code
/// <see cref="PortClosed"/>, when it is not) and a health check (an accepted connection) arrived within the resource's
/// healthCheckTimeoutSeconds, counted from the last check or, before the first, from the listener's start
/// ("Timeout of waiting port N occurred.", code <see cref="NoHealthCheck"/>). Timing: while the target is active.</summary>
public sealed class LbProbeProbe : IMonitorProbe
{
    /// <summary>The listener is gone (never started here, stopped, or its socket failed).</summary>
    public const int PortClosed = 10;
    /// <summary>No health check arrived within healthCheckTimeoutSeconds.</summary>
    public const int NoHealthCheck = 11;

    readonly Func<DateTime> _now;
    readonly TimeSpan _secondLength;

    /// <param name="now">The current UTC time (default DateTime.UtcNow).</param>
    /// <param name="secondLength">How long one configured second of healthCheckTimeoutSeconds lasts (default 1 s; tests shorten it).</param>
    public LbProbeProbe(Func<DateTime>? now = null, TimeSpan? secondLength = null)
    {
        _now = now ?? (() => DateTime.UtcNow);
        _secondLength = secondLength ?? TimeSpan.FromSeconds(1);
    }

    public string Type => "lbprobe";

    public Task<ProbeResult> ProbeAsync(MonitorContext context, CancellationToken cancellationToken)
    {
        var target = context.Target;
        if (target == null || target.Type != "lbprobe")
            return Task.FromResult(ProbeCodes.Fail(ProbeCodes.Failed, $"monitor {context.Monitor.Name} has no lbprobe target"));
        var port = target.GetParameter("port") is long p ? p : 0;
        var listener = LbProbeListeners.Find(LbProbeListeners.Key(context.Config.Cluster.Name, context.Node.Name, target.Name));
        if (listener == null || !listener.IsListening)
            return Task.FromResult(ProbeCodes.Fail(PortClosed, $"Port {port} is closed."));

        var timeoutSeconds = target.GetParameter("healthCheckTimeoutSeconds") is long t ? t : 31;
        var limit = _secondLength * timeoutSeconds;
        var since = _now() - listener.LastActivity;
        if (since > limit)
            return Task.FromResult(ProbeCodes.Fail(NoHealthCheck, $"Timeout of waiting port {listener.Endpoint.Port} occurred."));
        return Task.FromResult(ProbeResult.Ok(listener.LastHealthCheck is { } last
            ? $"port {listener.Endpoint.Port}: last health check {(_now() - last).TotalSeconds:0.#} s ago ({listener.HealthChecks} in all)"
            : $"port {listener.Endpoint.Port}: listening, no health check yet"));
    }
}
