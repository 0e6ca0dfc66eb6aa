using System.Threading.Channels;
using ExpressHa.Api;

namespace ExpressHa.Service.Api;

/// <summary>A node that tells the event stream (GET /v1/events) when its view may have changed.</summary>
public interface IClusterEventSource
{
    ClusterEvents Events { get; }
}

/// <summary>The node's change notices for the web UI's event stream: "the status may have changed" (local state,
/// a peer's report, membership, service state) and each new alert. Every subscriber gets its own bounded queue; a
/// subscriber that falls behind loses the oldest notices, never blocks the node.</summary>
public sealed class ClusterEvents
{
    public const int QueueLength = 512;
    readonly object _gate = new();
    readonly List<Channel<ClusterEvent>> _subscribers = new();

    public void StatusChanged() => Publish(ClusterEvent.Status);

    public void AlertRaised(AlertEntry alert) => Publish(new ClusterEvent(alert));

    void Publish(ClusterEvent e)
    {
        Channel<ClusterEvent>[] subscribers;
        lock (_gate) subscribers = _subscribers.ToArray();
        foreach (var s in subscribers) s.Writer.TryWrite(e);
    }

    public Subscription Subscribe()
    {
        var channel = Channel.CreateBounded<ClusterEvent>(new BoundedChannelOptions(QueueLength)
        {
            FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = false,
        });
        lock (_gate) _subscribers.Add(channel);
        return new Subscription(this, channel);
    }

    public int SubscriberCount { get { lock (_gate) return _subscribers.Count; } }

    public sealed class Subscription(ClusterEvents owner, Channel<ClusterEvent> channel) : IDisposable
    {
        public ChannelReader<ClusterEvent> Reader => channel.Reader;

        public void Dispose()
        {
            lock (owner._gate) owner._subscribers.Remove(channel);
            channel.Writer.TryComplete();
        }
    }
}

/// <summary>One notice: an alert, or (no alert) "the status may have changed".</summary>
public sealed record ClusterEvent(AlertEntry? Alert)
{
    public static ClusterEvent Status { get; } = new((AlertEntry?)null);
}
