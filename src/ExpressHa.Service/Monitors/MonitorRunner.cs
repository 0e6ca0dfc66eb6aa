using ExpressHa.Api;
using ExpressHa.Config;
using ExpressHa.Policy;

namespace ExpressHa.Service.Monitors;

/// <summary>Clock, sleep and time scale of a <see cref="MonitorRunner"/>; tests replace them.</summary>
public sealed class MonitorRunnerOptions
{
    /// <summary>The current time (default DateTime.UtcNow). Lateness is measured with it.</summary>
    public Func<DateTime> Now { get; init; } = () => DateTime.UtcNow;
    /// <summary>Sleeps between checks (default Task.Delay). A fake can advance a fake clock and return at once.</summary>
    public Func<TimeSpan, CancellationToken, Task> Delay { get; init; } = (t, ct) => Task.Delay(t, ct);
    /// <summary>How long one configured second lasts (default 1 s; tests use milliseconds). Scales the start wait,
    /// the interval and the timeout (also userw's lateness limit).</summary>
    public TimeSpan SecondLength { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Whether the runner raises its own alerts (error: event id = code; warning: 100 + code; recovered: info 1).
    /// Turn off when the caller raises them from the callbacks instead.</summary>
    public bool RaiseAlerts { get; init; } = true;
    /// <summary>Module of the runner's alerts.</summary>
    public string AlertModule { get; init; } = MonitorRunner.DefaultAlertModule;
}

/// <summary>Runs one monitor on this node: waits startWaitSeconds (when the cluster starts, or when an active-timing
/// monitor is switched on), then every intervalSeconds runs the probe bounded by timeoutSeconds (a timeout is a
/// failure, code 6). After retry+1 consecutive failures it enters Error, raises an error alert (event id = the code)
/// and calls onError once; when a check succeeds again it raises an info alert and calls onRecovered.
/// ApiFailure results follow the monitor's onApiFailure: recover (a failure), warn (state Warning, a warning alert
/// with event id 100 + code, no error), ignore (healthy).
/// Between checks it measures its own lateness (actual minus planned wake-up), handed to timed probes (userw).</summary>
public sealed class MonitorRunner : IAsyncDisposable
{
    public const string DefaultAlertModule = AlertEvents.Monitor.Module;
    /// <summary>Event id of the info alert when a monitor in Error becomes healthy again.</summary>
    public static int RecoveredEventId => AlertEvents.Monitor.Recovered.Id;

    readonly MonitorContext _context;
    readonly IMonitorProbe _probe;
    readonly Func<MonitorConfig, string, Task> _onError;
    readonly Func<MonitorConfig, Task>? _onRecovered;
    readonly MonitorRunnerOptions _options;
    readonly object _lock = new();

    bool _active, _suspended, _errorRaised;
    string? _pseudoFailure;
    int _failures;
    long _epoch, _checks;
    DateTime _waitUntil;
    MonitorState _state;
    string? _lastMessage;
    DateTime? _lastCheck;
    TimeSpan _lastLateness, _maxLateness;
    CancellationTokenSource? _cts;
    Task? _loop;

    /// <param name="context">The monitor, this node, the config and the alert sink.</param>
    /// <param name="probe">The check for the monitor's type (see <see cref="MonitorProbeRegistry"/>).</param>
    /// <param name="onError">Called once when the monitor enters Error, with the monitor and the probe's message
    /// ("N : text"). Should return quickly (queue a MonitorFailed event); the next check waits for it.</param>
    /// <param name="onRecovered">Called when a monitor in Error becomes healthy again.</param>
    public MonitorRunner(MonitorContext context, IMonitorProbe probe, Func<MonitorConfig, string, Task> onError,
        Func<MonitorConfig, Task>? onRecovered = null, MonitorRunnerOptions? options = null)
    {
        _context = context ?? throw new ArgumentNullException(nameof(context));
        _probe = probe ?? throw new ArgumentNullException(nameof(probe));
        _onError = onError ?? throw new ArgumentNullException(nameof(onError));
        _onRecovered = onRecovered;
        _options = options ?? new MonitorRunnerOptions();
        _active = context.Monitor.Timing != MonitorTimings.Active;
        _state = _active ? MonitorState.Normal : MonitorState.Inactive;
        _waitUntil = _options.Now() + Interval(context.Monitor.StartWaitSeconds);
    }

    public MonitorConfig Monitor => _context.Monitor;
    public string Name => _context.Monitor.Name;

    /// <summary>Whether checks run. Always-timing monitors start active; active-timing ones start inactive and the
    /// runtime switches them on while the target runs on this node. Switching on restarts the count and the start wait;
    /// switching off clears an error.</summary>
    public bool Active
    {
        get { lock (_lock) return _active; }
        set
        {
            lock (_lock)
            {
                if (_active == value) return;
                _active = value;
                _epoch++;
                ResetCounters();
                if (value) _waitUntil = _options.Now() + Interval(Monitor.StartWaitSeconds);
                if (!_suspended) _state = value ? MonitorState.Normal : MonitorState.Inactive;
            }
        }
    }

    public bool Suspended { get { lock (_lock) return _suspended; } }

    /// <summary>A pseudo-failure (operation tests): while set, every check fails with this text and code
    /// <see cref="ProbeCodes.PseudoFailure"/> instead of running the probe, and counts like a real failure; null clears it.</summary>
    public string? PseudoFailure
    {
        get { lock (_lock) return _pseudoFailure; }
        set { lock (_lock) _pseudoFailure = value; }
    }
    public MonitorState State { get { lock (_lock) return _state; } }
    /// <summary>The last probe's message (also "timeout ..." or the exception of a crashed probe).</summary>
    public string? LastMessage { get { lock (_lock) return _lastMessage; } }
    public DateTime? LastCheck { get { lock (_lock) return _lastCheck; } }
    public int ConsecutiveFailures { get { lock (_lock) return _failures; } }
    public long Checks { get { lock (_lock) return _checks; } }
    /// <summary>Lateness of the last wake-up, and the largest seen.</summary>
    public TimeSpan LastLateness { get { lock (_lock) return _lastLateness; } }
    public TimeSpan MaxLateness { get { lock (_lock) return _maxLateness; } }
    /// <summary>The loop started by <see cref="Start"/>, null before.</summary>
    public Task? Completion => _loop;

    /// <summary>Stops checking (Suspend-HaMonitor, cluster suspend); the state shows Suspended.</summary>
    public void Suspend()
    {
        lock (_lock)
        {
            if (_suspended) return;
            _suspended = true;
            _epoch++;
            _state = MonitorState.Suspended;
        }
    }

    /// <summary>Checks again, counting from zero.</summary>
    public void Resume()
    {
        lock (_lock)
        {
            if (!_suspended) return;
            _suspended = false;
            _epoch++;
            ResetCounters();
            _state = _active ? MonitorState.Normal : MonitorState.Inactive;
        }
    }

    /// <summary>Forgets the failure count and a raised error, so the monitor can raise again (the runtime calls it
    /// after a recovery action, e.g. once the target was restarted, to count towards the next threshold).</summary>
    public void Rearm()
    {
        lock (_lock)
        {
            _epoch++;
            ResetCounters();
            if (!_suspended) _state = _active ? MonitorState.Normal : MonitorState.Inactive;
        }
    }

    void ResetCounters() { _failures = 0; _errorRaised = false; }

    TimeSpan Interval(int seconds) => _options.SecondLength * Math.Max(0, seconds);

    /// <summary>Starts the loop in the background; <see cref="StopAsync"/> ends it.</summary>
    public Task Start(CancellationToken cancellationToken = default)
    {
        if (_loop != null) throw new InvalidOperationException("the runner was already started");
        _cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = _cts.Token;
        _loop = Task.Run(() => RunAsync(token), CancellationToken.None);
        return _loop;
    }

    public async Task StopAsync()
    {
        if (_cts == null || _loop == null) return;
        _cts.Cancel();
        try { await _loop.ConfigureAwait(false); } catch (OperationCanceledException) { }
        _cts.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    /// <summary>The loop: returns when the token is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var interval = Interval(Math.Max(1, Monitor.IntervalSeconds));
        var planned = _options.Now();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var now = _options.Now();
                var lateness = now > planned ? now - planned : TimeSpan.Zero;
                bool run;
                DateTime waitUntil;
                lock (_lock)
                {
                    _lastLateness = lateness;
                    if (lateness > _maxLateness) _maxLateness = lateness;
                    run = _active && !_suspended;
                    waitUntil = _waitUntil;
                }
                if (run && now < waitUntil)
                {
                    // Start wait: sleep until it is over, then check.
                    planned = waitUntil;
                    await _options.Delay(waitUntil - now, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                if (run) await CheckOnceAsync(lateness, cancellationToken).ConfigureAwait(false);
                planned = _options.Now() + interval;
                await _options.Delay(interval, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { }
    }

    /// <summary>One check with its bookkeeping (counting, state, alerts, callbacks); returns the result as the runner
    /// judged it (a timeout becomes a failure with code 6). The loop calls it; tests may too.</summary>
    public async Task<ProbeResult> CheckOnceAsync(TimeSpan lateness, CancellationToken cancellationToken)
    {
        long epoch;
        lock (_lock) epoch = _epoch;

        var pseudo = PseudoFailure;
        var result = pseudo != null
            ? ProbeCodes.Fail(ProbeCodes.PseudoFailure, pseudo)
            : await ProbeWithTimeoutAsync(lateness, cancellationToken).ConfigureAwait(false);

        Func<Task>? callback = null;
        lock (_lock)
        {
            if (epoch != _epoch || _suspended || !_active) return result; // switched meanwhile: the result is stale
            _checks++;
            _lastCheck = _options.Now();
            _lastMessage = result.Message;
            var healthy = result.Healthy;
            if (!healthy && result.ApiFailure)
            {
                switch (Monitor.OnApiFailure ?? ApiFailureActions.Recover)
                {
                    case ApiFailureActions.Ignore:
                        healthy = true;
                        break;
                    case ApiFailureActions.Warn:
                        _failures = 0;
                        if (_state != MonitorState.Warning && !_errorRaised)
                        {
                            _state = MonitorState.Warning;
                            var (code, text) = ProbeCodes.Split(result.Message);
                            Alert(AlertLevels.Warning, 100 + code, $"Monitor {Name} is in the warning status. ({100 + code} : {text})");
                        }
                        return result;
                }
            }

            if (healthy)
            {
                _failures = 0;
                if (_errorRaised)
                {
                    _errorRaised = false;
                    Alert(AlertLevels.Info, RecoveredEventId, $"Monitor {Name} returned to normal. ({result.Message})");
                    if (_onRecovered != null) callback = () => _onRecovered(Monitor);
                }
                _state = MonitorState.Normal;
            }
            else
            {
                _failures++;
                if (!_errorRaised && _failures > Math.Max(0, Monitor.Retry))
                {
                    _errorRaised = true;
                    _state = MonitorState.Error;
                    var (code, text) = ProbeCodes.Split(result.Message);
                    Alert(AlertLevels.Error, code, $"Detected an error in monitoring {Name}. ({code} : {text})");
                    var message = result.Message;
                    callback = () => _onError(Monitor, message);
                }
            }
        }

        if (callback != null)
        {
            try { await callback().ConfigureAwait(false); }
            catch (Exception e) { _context.Alerts.Log(_options.AlertModule, $"{Name}: callback failed: {e.Message}"); }
        }
        return result;
    }

    async Task<ProbeResult> ProbeWithTimeoutAsync(TimeSpan lateness, CancellationToken cancellationToken)
    {
        var timeout = Interval(Math.Max(1, Monitor.TimeoutSeconds));
        var interval = Interval(Math.Max(1, Monitor.IntervalSeconds));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        Task<ProbeResult> task;
        try
        {
            task = _probe is ITimedMonitorProbe timed
                ? timed.ProbeAsync(_context, new MonitorTiming(lateness, interval, timeout), cts.Token)
                : _probe.ProbeAsync(_context, cts.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return ProbeCodes.Fail(ProbeCodes.Failed, "the probe failed: " + e.Message);
        }

        // A probe that ignores its token is abandoned shortly after the timeout.
        var grace = timeout < TimeSpan.FromSeconds(2) ? timeout : TimeSpan.FromSeconds(2);
        try
        {
            return await task.WaitAsync(timeout + grace, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return TimedOut(timeout);
        }
        catch (TimeoutException)
        {
            _ = task.ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
            return TimedOut(timeout);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return ProbeCodes.Fail(ProbeCodes.Failed, "the probe failed: " + e.Message);
        }
    }

    ProbeResult TimedOut(TimeSpan timeout)
        => ProbeCodes.Fail(ProbeCodes.Timeout, $"timeout: the check took longer than {timeout.TotalSeconds:0.###} s");

    void Alert(string level, int eventId, string message)
    {
        if (!_options.RaiseAlerts) return;
        try { _context.Alerts.Alert(level, _options.AlertModule, eventId, message); }
        catch { /* the alert sink must not break monitoring */ }
    }
}
