using ExpressHa.Api;
using ExpressHa.Service.Alerts;

namespace ExpressHa.Service.Watchdog;

/// <summary>Feeds an armed <see cref="WatchdogDevice"/> every <see cref="FeedRule.PeriodMs"/> while the verdict says so,
/// and alerts once each time feeding stops or resumes (with the reason), so a reset can be explained afterwards.
/// It runs on its own thread: a busy thread pool (start-up, a burst of work on a small machine) must not starve the
/// feeds of a healthy node, while a stalled service still stops them (the verdict looks at the service's own loops).</summary>
public sealed class WatchdogFeeder
{
    readonly WatchdogDevice _device;
    readonly Func<FeedVerdict> _verdict;
    readonly IAlertSink _alerts;
    readonly Func<int> _periodMs;

    public WatchdogFeeder(WatchdogDevice device, Func<FeedVerdict> verdict, Func<int> periodMs, IAlertSink alerts)
    {
        _device = device;
        _verdict = verdict;
        _periodMs = periodMs;
        _alerts = alerts;
    }

    /// <summary>Feeds until <paramref name="ct"/> is cancelled; the task completes when the thread has stopped.</summary>
    public Task RunAsync(CancellationToken ct)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try { Loop(ct); }
            finally { done.TrySetResult(); }
        })
        { IsBackground = true, Name = "watchdog feeder", Priority = ThreadPriority.Highest };
        thread.Start();
        return done.Task;
    }

    void Loop(CancellationToken ct)
    {
        var feeding = true;
        while (!ct.IsCancellationRequested)
        {
            FeedVerdict v;
            try { v = _verdict(); }
            catch (Exception ex) { v = new FeedVerdict(false, "the feed verdict failed: " + ex.Message); }
            if (v.Feed)
            {
                try { _device.Feed(); }
                catch (IOException ex) { _alerts.Raise(AlertEvents.Wd.FeedFailed, $"Feeding the watchdog {_device.Path} failed: {ex.Message}; it resets this machine within {_device.TimeoutMs} ms."); }
                if (!feeding) _alerts.Raise(AlertEvents.Wd.FedAgain, $"The watchdog {_device.Path} is fed again: {v.Reason}.");
            }
            else if (feeding)
                _alerts.Raise(AlertEvents.Wd.NotFed, $"The watchdog {_device.Path} is no longer fed: {v.Reason}; it resets this machine within {_device.TimeoutMs} ms unless that changes.");
            feeding = v.Feed;
            if (ct.WaitHandle.WaitOne(_periodMs())) return;
        }
    }
}
