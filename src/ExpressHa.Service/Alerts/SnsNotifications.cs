using ExpressHa.Config;
using ExpressHa.Service.Aws;

namespace ExpressHa.Service.Alerts;

/// <summary>The service's hook for SNS: <see cref="Start"/> attaches an <see cref="SnsPublisher"/> to the alert log when
/// cluster.notifications.sns is set at startup. The SNS client is built lazily on the publisher's background task
/// (<see cref="LazySnsApi"/>), so a missing region, credentials or network never delays or fails the service start.
/// Topic and minLevel follow later pushed configs; turning SNS on in a pushed config needs a service restart.</summary>
public static class SnsNotifications
{
    /// <summary>Per-call timeout of the SNS client.</summary>
    public static readonly TimeSpan PerCallTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The publisher attached to <paramref name="alerts"/>, or null when SNS is not configured.</summary>
    /// <param name="config">The current config (the config store's Current).</param>
    /// <param name="clientFactory">Builds the SNS client from the config; null = <see cref="AwsClientFactory"/> with the
    /// config's aws section (region defaulting to the topic's).</param>
    public static SnsPublisher? Start(Func<ClusterConfig> config, AlertLog alerts, Func<ClusterConfig, ISnsApi>? clientFactory = null,
        SnsPublisherOptions? options = null)
    {
        var current = config();
        var sns = current.Cluster.Notifications?.Sns;
        if (sns == null || string.IsNullOrWhiteSpace(sns.TopicArn)) return null;
        var client = new LazySnsApi(() => (clientFactory ?? CreateClient)(config()));
        var publisher = new SnsPublisher(client, config, alerts.Log, options, client).Attach(alerts);
        alerts.Log(SnsPublisher.LogModule, $"publishing alerts at or above {sns.MinLevel} to {sns.TopicArn}");
        return publisher;
    }

    /// <summary>The SNS client of <see cref="AwsClientFactory"/> for the config's aws settings; without aws.region the
    /// topic ARN's region is used (so no IMDS lookup is needed).</summary>
    public static ISnsApi CreateClient(ClusterConfig config)
    {
        var aws = config.Cluster.Aws ?? new AwsSettings();
        var settings = new AwsSettings
        {
            Region = aws.Region ?? SnsClient.RegionOf(config.Cluster.Notifications?.Sns?.TopicArn ?? ""),
            Profile = aws.Profile,
            Endpoints = aws.Endpoints,
            Proxy = aws.Proxy,
        };
        return new OwningSnsApi(AwsClientFactory.Create(settings, PerCallTimeout));
    }

    /// <summary>The SNS client of an <see cref="IAwsClients"/> it owns (disposed with it).</summary>
    sealed class OwningSnsApi(IAwsClients clients) : ISnsApi, IDisposable
    {
        public Task<string> PublishAsync(string topicArn, string subject, string message, CancellationToken ct)
            => clients.Sns.PublishAsync(topicArn, subject, message, ct);
        public void Dispose() => clients.Dispose();
    }
}

/// <summary>An ISnsApi built on first use; when building fails the call fails (the publisher logs it) and the next call
/// tries again.</summary>
public sealed class LazySnsApi(Func<ISnsApi> create) : ISnsApi, IDisposable
{
    readonly object _gate = new();
    ISnsApi? _client;
    bool _disposed;

    public Task<string> PublishAsync(string topicArn, string subject, string message, CancellationToken ct)
    {
        ISnsApi client;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _client ??= create();
            client = _client;
        }
        return client.PublishAsync(topicArn, subject, message, ct);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            (_client as IDisposable)?.Dispose();
            _client = null;
        }
    }
}
