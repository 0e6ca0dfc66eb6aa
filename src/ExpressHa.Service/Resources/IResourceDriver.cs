using ExpressHa.Config;
using ExpressHa.Service.Alerts;
using ExpressHa.Service.Mirror;

namespace ExpressHa.Service.Resources;

/// <summary>Everything a resource driver needs to act on one resource on this node: what to act on, and the node's
/// services (alerts, state directory, mirror engines) so that no driver reaches process-wide state.</summary>
public sealed class ResourceContext
{
    public required ClusterConfig Config { get; init; }
    public required GroupConfig Group { get; init; }
    public required ResourceConfig Resource { get; init; }
    public required NodeConfig Node { get; init; }
    public required string StateDir { get; init; }
    public required IAlertSink Alerts { get; init; }
    /// <summary>This node's mirror engines and exports (empty where the node runs no mirror).</summary>
    public IMirrorRegistry Mirrors { get; init; } = new MirrorRegistry();
}

/// <summary>What a probe found: is the resource active on this node?</summary>
public enum ResourceProbe
{
    /// <summary>The driver cannot tell (no probe command, or the check itself failed).</summary>
    Unknown,
    Inactive,
    Active,
}

/// <summary>One resource type. Start and Stop throw <see cref="ResourceException"/> when they fail; both must be
/// idempotent (starting a started resource or stopping a stopped one succeeds). Probe (a service that starts asks it
/// of every resource it may run, before it joins) never throws.</summary>
public interface IResourceDriver
{
    string Type { get; }
    Task StartAsync(ResourceContext context, CancellationToken cancellationToken);
    Task StopAsync(ResourceContext context, CancellationToken cancellationToken);
    Task<ResourceProbe> ProbeAsync(ResourceContext context, CancellationToken cancellationToken) => Task.FromResult(ResourceProbe.Unknown);
}

/// <summary>A failed activation or deactivation, with the error code shown in the alert as the "EXPRESSCLUSTER X Reference
/// Guide" shows resource errors:
/// "Activating app resource has failed.(5 : the start command exited with 1)".</summary>
public sealed class ResourceException : Exception
{
    public ResourceException(int code, string message, Exception? inner = null) : base(message, inner) { Code = code; }
    public int Code { get; }
}
