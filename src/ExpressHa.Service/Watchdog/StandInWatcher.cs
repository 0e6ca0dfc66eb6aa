namespace ExpressHa.Service.Watchdog;

/// <summary>Plays the machine side of a stand-in watchdog (<see cref="WatchdogDevice"/> on a plain file): polls the file,
/// and when it was armed or fed and then not rewritten for its timeout, calls <c>reset</c> once (the harness "resets the
/// machine": kills everything of the node and takes its links down). A 'V' (orderly stop) disarms it. Used by the demo,
/// the namespace benchmark and the chaos harness.</summary>
public sealed class StandInWatcher : IAsyncDisposable
{
    readonly string _path;
    readonly int _timeoutMs;
    readonly Action<string> _reset;
    readonly CancellationTokenSource _stop = new();
    readonly Task _loop;

    /// <param name="reset">Called with the reason when the countdown ran out.</param>
    public StandInWatcher(string path, int timeoutMs, Action<string> reset, int pollMs = 10)
    {
        _path = path;
        _timeoutMs = timeoutMs;
        _reset = reset;
        _loop = Task.Run(() => LoopAsync(pollMs, _stop.Token));
    }

    /// <summary>How many resets this watcher played.</summary>
    public int Resets { get; private set; }

    async Task LoopAsync(int pollMs, CancellationToken ct)
    {
        string? last = null;
        var changedAt = Environment.TickCount64;
        var fired = false;
        while (!ct.IsCancellationRequested)
        {
            string? text = null;
            try { if (File.Exists(_path)) text = File.ReadAllText(_path).Trim(); }
            catch (IOException) { }
            var now = Environment.TickCount64;
            if (text != last)
            {
                last = text;
                changedAt = now;
                fired = false;
            }
            var armed = !string.IsNullOrEmpty(text) && text != "V";
            if (armed && !fired && now - changedAt > _timeoutMs)
            {
                fired = true;
                Resets++;
                try { _reset($"the watchdog {_path} was not fed for {now - changedAt} ms (timeout {_timeoutMs} ms; last write '{text}')"); }
                catch (Exception) { }
            }
            try { await Task.Delay(pollMs, ct); } catch (OperationCanceledException) { return; }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try { await _loop; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
