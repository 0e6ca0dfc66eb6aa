using ExpressHa.Service.Alerts;
using ExpressHa.Service.Fencing;
using ExpressHa.Service.Mirror;
using ExpressHa.Service.Monitors;
using ExpressHa.Service.Resources;
using ExpressHa.Service.Resources.Aws;

namespace ExpressHa.Service.Runtime;

/// <summary>The one place that builds a node's parts: one AWS clients provider shared by the resource drivers, the
/// monitor probes and the fencer; the clock; the node's mirror registry (engines and NBD exports); the alert sinks
/// (the alert log and, when configured, SNS). The runtime gets them from here and builds none of its own.</summary>
public sealed class NodeComposition : IAsyncDisposable
{
    NodeComposition(AgentOptions options, AwsClientsProvider aws, SnsPublisher? sns)
    {
        Options = options;
        Aws = aws;
        Drivers = ResourceDriverRegistry.Default(aws);
        Probes = MonitorProbeRegistry.Default(aws);
        Fencer = Fencer.Create(options.Alerts, aws);
        Sns = sns;
    }

    /// <summary>The node's parts with the AWS clients from cluster.aws; SNS publishing starts when
    /// cluster.notifications.sns is set.</summary>
    public static NodeComposition Build(AgentOptions options, bool withSns = true)
        => new(options, AwsClientsProvider.Default(), withSns ? SnsNotifications.Start(() => options.Config.Current, options.Alerts) : null);

    public AgentOptions Options { get; }
    public AlertLog Alerts => Options.Alerts;
    public AwsClientsProvider Aws { get; }
    public ResourceDriverRegistry Drivers { get; }
    public MonitorProbeRegistry Probes { get; }
    public Fencer Fencer { get; }
    public NodeClock Clock { get; } = new();
    public MirrorRegistry Mirrors { get; } = new();
    /// <summary>Publishes alerts at or above cluster.notifications.sns.minLevel; null when not configured.</summary>
    public SnsPublisher? Sns { get; }

    public async ValueTask DisposeAsync()
    {
        if (Sns != null) await Sns.DisposeAsync();
    }
}

/// <summary>Milliseconds since the service started, from a monotonic clock (never goes back with the wall clock).</summary>
public sealed class NodeClock
{
    readonly System.Diagnostics.Stopwatch _watch = System.Diagnostics.Stopwatch.StartNew();

    public long NowMs => _watch.ElapsedMilliseconds;
}
