using System.Diagnostics;
using System.Threading.Channels;
using ExpressHa.Api;
using ExpressHa.Config;
using ExpressHa.Service.Aws;

namespace ExpressHa.Service.Alerts;

/// <summary>Tuning of an <see cref="SnsPublisher"/>; tests shorten it.</summary>
public sealed class SnsPublisherOptions
{
    /// <summary>Alerts waiting to be published; when full the oldest is dropped (and counted).</summary>
    public int Capacity { get; init; } = 500;
    /// <summary>Bound on one Publish call (the client has its own, shorter retries inside).</summary>
    public TimeSpan PublishTimeout { get; init; } = TimeSpan.FromSeconds(20);
    /// <summary>At most one log line about failures (or drops) per this interval.</summary>
    public TimeSpan FailureLogInterval { get; init; } = TimeSpan.FromMinutes(1);
    /// <summary>How long DisposeAsync keeps publishing what is queued before it gives up.</summary>
    public TimeSpan FlushTimeout { get; init; } = TimeSpan.FromSeconds(3);
}

/// <summary>Publishes alerts to an SNS topic (cluster.notifications.sns). <see cref="Enqueue"/> (hooked to
/// <see cref="AlertLog.Raised"/> by <see cref="Attach"/>) only filters by minLevel and puts the alert in a bounded
/// queue, so raising an alert never waits for SNS: a failover is never delayed by a slow or failing SNS. A background
/// task publishes the queue in order through <see cref="ISnsApi"/>; when the queue is full the oldest alert is dropped
/// (<see cref="Dropped"/>). Failures go to the plain log (module "sns"), at most once per FailureLogInterval with the
/// count since the last line, never to the alert log (which would publish again).
/// The topic and the level are read from <c>settings</c> for every alert, so a pushed config takes effect; with no
/// sns settings nothing is queued.</summary>
public sealed class SnsPublisher : IAsyncDisposable
{
    public const string LogModule = "sns";

    readonly ISnsApi _sns;
    readonly Func<ClusterConfig> _config;
    readonly Action<string, string> _log;
    readonly SnsPublisherOptions _options;
    readonly Channel<Queued> _queue;
    readonly CancellationTokenSource _stop = new();
    readonly Task _loop;
    readonly object _logGate = new();
    readonly IDisposable? _owned;
    AlertLog? _attached;
    long _dropped, _published, _failed, _unloggedFailures, _unloggedDrops;
    long _lastLogTimestamp;
    bool _everLogged;
    string? _lastError;

    sealed record Queued(AlertEntry Entry, string TopicArn, string ClusterName);

    /// <param name="sns">The SNS client.</param>
    /// <param name="config">The current cluster config (e.g. the config store's Current): topic, minLevel, cluster name.</param>
    /// <param name="log">A plain log line (module, text), e.g. AlertLog.Log. Never an alert.</param>
    /// <param name="owned">Disposed with the publisher (e.g. the SNS client).</param>
    public SnsPublisher(ISnsApi sns, Func<ClusterConfig> config, Action<string, string> log, SnsPublisherOptions? options = null,
        IDisposable? owned = null)
    {
        _owned = owned;
        _sns = sns ?? throw new ArgumentNullException(nameof(sns));
        _config = config ?? throw new ArgumentNullException(nameof(config));
        _log = log ?? throw new ArgumentNullException(nameof(log));
        _options = options ?? new SnsPublisherOptions();
        _queue = Channel.CreateBounded<Queued>(
            new BoundedChannelOptions(Math.Max(1, _options.Capacity)) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            OnDropped);
        _loop = Task.Run(PublishLoopAsync);
    }

    /// <summary>Alerts dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);
    /// <summary>Alerts published.</summary>
    public long Published => Interlocked.Read(ref _published);
    /// <summary>Publish calls that failed or timed out (each alert is tried once).</summary>
    public long Failed => Interlocked.Read(ref _failed);
    /// <summary>Alerts waiting.</summary>
    public int Pending => _queue.Reader.CanCount ? _queue.Reader.Count : -1;

    /// <summary>Subscribes to the alert log's Raised event (once).</summary>
    public SnsPublisher Attach(AlertLog alerts)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        if (_attached != null) throw new InvalidOperationException("already attached");
        _attached = alerts;
        alerts.Raised += Enqueue;
        return this;
    }

    /// <summary>Queues the alert when SNS is configured and its level is at or above minLevel. Never blocks, never throws.</summary>
    public void Enqueue(AlertEntry entry)
    {
        try
        {
            var config = _config();
            var sns = config.Cluster.Notifications?.Sns;
            if (sns == null || string.IsNullOrWhiteSpace(sns.TopicArn)) return;
            if (Rank(entry.Level) < Math.Max(0, Rank(sns.MinLevel ?? AlertLevels.Warning))) return;
            if (!_queue.Writer.TryWrite(new Queued(entry, sns.TopicArn, config.Cluster.Name)))
                OnDropped(null); // completed (disposing)
        }
        catch (Exception e)
        {
            NoteFailure("cannot queue an alert: " + e.Message);
        }
    }

    static int Rank(string? level) => level == null ? -1 : Array.IndexOf(AlertLog.Levels, level.ToLowerInvariant());

    /// <summary>"ExpressHa cluster NAME: LEVEL MODULE[ID] on NODE", cut to SNS's 100 characters, printable ASCII.</summary>
    public static string Subject(string clusterName, AlertEntry e)
    {
        var text = $"ExpressHa cluster {clusterName}: {e.Level} {e.Module}[{e.EventId}] on {e.Node}";
        var chars = text.Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray();
        return new string(chars, 0, Math.Min(chars.Length, 100));
    }

    /// <summary>The alert line as the log shows it: "TIME NODE LEVEL MODULE[ID] MESSAGE".</summary>
    public static string Message(AlertEntry e) => $"{e.Time} {e.Node} {e.Level.ToUpperInvariant()} {e.Module}[{e.EventId}] {e.Message}";

    async Task PublishLoopAsync()
    {
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var item))
                {
                    using var call = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    call.CancelAfter(_options.PublishTimeout);
                    try
                    {
                        // WaitAsync: a client that ignores the token still cannot hold the queue past the timeout.
                        await _sns.PublishAsync(item.TopicArn, Subject(item.ClusterName, item.Entry), Message(item.Entry), call.Token)
                            .WaitAsync(_options.PublishTimeout, _stop.Token).ConfigureAwait(false);
                        Interlocked.Increment(ref _published);
                    }
                    catch (OperationCanceledException) when (_stop.IsCancellationRequested) { throw; }
                    catch (Exception e)
                    {
                        Interlocked.Increment(ref _failed);
                        NoteFailure(e is TimeoutException or OperationCanceledException
                            ? $"publishing to {item.TopicArn} timed out after {_options.PublishTimeout.TotalSeconds:0.#} s"
                            : $"publishing to {item.TopicArn} failed: {Describe(e)}");
                    }
                }
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception e)
        {
            SafeLog($"publisher stopped: {e.Message}");
        }
    }

    static string Describe(Exception e) => e is AwsApiException a ? $"{a.Code}: {a.Message}" : e.Message;

    void OnDropped(Queued? _)
    {
        Interlocked.Increment(ref _dropped);
        Interlocked.Increment(ref _unloggedDrops);
        MaybeLog();
    }

    void NoteFailure(string message)
    {
        Interlocked.Increment(ref _unloggedFailures);
        lock (_logGate) _lastError = message;
        MaybeLog();
    }

    /// <summary>One log line per FailureLogInterval at most, with what happened since the last one.</summary>
    void MaybeLog()
    {
        string line;
        lock (_logGate)
        {
            var now = Stopwatch.GetTimestamp();
            if (_everLogged && Stopwatch.GetElapsedTime(_lastLogTimestamp, now) < _options.FailureLogInterval) return;
            var failures = Interlocked.Exchange(ref _unloggedFailures, 0);
            var drops = Interlocked.Exchange(ref _unloggedDrops, 0);
            if (failures == 0 && drops == 0) return;
            _everLogged = true;
            _lastLogTimestamp = now;
            var parts = new List<string>();
            if (failures > 0) parts.Add($"{failures} alert(s) not published, last: {_lastError}");
            if (drops > 0) parts.Add($"{drops} alert(s) dropped because the SNS queue was full ({_options.Capacity}); {Dropped} in all");
            line = string.Join("; ", parts);
        }
        SafeLog(line);
    }

    void SafeLog(string line)
    {
        try { _log(LogModule, line); } catch { /* the log must not take the publisher down */ }
    }

    /// <summary>Unsubscribes, publishes what is queued for up to FlushTimeout, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_attached != null) _attached.Raised -= Enqueue;
        _queue.Writer.TryComplete();
        try { await _loop.WaitAsync(_options.FlushTimeout).ConfigureAwait(false); }
        catch (TimeoutException) { }
        _stop.Cancel();
        try { await _loop.WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false); }
        catch (TimeoutException) { }
        var left = _queue.Reader.CanCount ? _queue.Reader.Count : 0;
        if (left > 0) SafeLog($"{left} alert(s) were still queued for SNS at shutdown and were not published");
        if (_loop.IsCompleted)
            try { _owned?.Dispose(); } catch (Exception e) { SafeLog("closing the SNS client failed: " + e.Message); }
    }
}
