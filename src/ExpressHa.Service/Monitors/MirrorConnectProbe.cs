using ExpressHa.Api;

namespace ExpressHa.Service.Monitors;

/// <summary>mirrorconnect: the mirror-connect link to the peer. An error unless the link is connected (a suspension by
/// Suspend-HaMirror or a backup is deliberate and healthy).</summary>
public sealed class MirrorConnectProbe : IMonitorProbe
{
    public string Type => "mirrorconnect";

    public Task<ProbeResult> ProbeAsync(MonitorContext context, CancellationToken cancellationToken)
    {
        var name = context.Target?.Name ?? "";
        if (context.Mirrors.Find(name) is not { } engine)
            return Task.FromResult(ProbeResult.Fail($"the mirror engine of {name} is not running on {context.Node.Name}"));
        var s = engine.GetStatus();
        return Task.FromResult(s.Connection is MirrorConnectionStates.Connected or MirrorConnectionStates.Suspended
            ? ProbeResult.Ok($"{name}: mirror-connect to {s.Peer} is {s.Connection}")
            : ProbeResult.Fail($"{name}: mirror-connect to {s.Peer} is {s.Connection}" + (s.LastError is null ? "" : $" ({s.LastError})")));
    }
}
