using System.Collections.Concurrent;

namespace ExpressHa.Service.Monitors;

/// <summary>disk: reads <c>ioSizeBytes</c> at the start of the node's <c>device</c> (<see cref="DirectRead"/>, O_DIRECT
/// unless <c>direct</c> is false). The read runs on a thread of its own: when it does not return within the monitor's
/// timeout the check fails as a timeout and the read is left behind; while it is still blocked, later checks fail at
/// once saying so instead of starting another read that would hang too.</summary>
public sealed class DiskProbe : IMonitorProbe
{
    sealed record Pending(Task<DirectRead.Outcome> Read, DateTime Started);

    readonly ConcurrentDictionary<string, Pending> _pending = new(StringComparer.Ordinal);
    readonly Func<string, int, bool, DirectRead.Outcome> _read;

    /// <param name="read">The blocking read (default <see cref="DirectRead.Read"/>); tests may replace it.</param>
    public DiskProbe(Func<string, int, bool, DirectRead.Outcome>? read = null) { _read = read ?? DirectRead.Read; }

    public string Type => "disk";

    /// <summary>Whether a read of the device started by this probe has not returned yet.</summary>
    public bool Hangs(string device) => _pending.TryGetValue(device, out var p) && !p.Read.IsCompleted;

    public async Task<ProbeResult> ProbeAsync(MonitorContext context, CancellationToken cancellationToken)
    {
        var m = context.Monitor;
        var device = m.GetParameter("device", context.Node.Name) as string;
        if (string.IsNullOrWhiteSpace(device))
            return ProbeCodes.Fail(ProbeCodes.Failed, $"no device is configured for {context.Node.Name}");
        var size = (int)Math.Clamp(m.GetParameter("ioSizeBytes") as long? ?? 4096L, 512L, 64L * 1024 * 1024);
        var direct = m.GetParameter("direct") as bool? ?? true;

        if (Hangs(device) && _pending.TryGetValue(device, out var stuck))
            return ProbeCodes.Fail(ProbeCodes.Timeout, $"the read of {device} started at {stuck.Started:HH:mm:ss} UTC has not returned (the device hangs)");

        var pending = new Pending(StartRead(device, size, direct), DateTime.UtcNow);
        _pending[device] = pending;
        var outcome = await pending.Read.WaitAsync(cancellationToken).ConfigureAwait(false);
        _pending.TryRemove(new KeyValuePair<string, Pending>(device, pending));
        return Judge(device, size, outcome);
    }

    /// <summary>What one finished read means.</summary>
    public static ProbeResult Judge(string device, int size, DirectRead.Outcome outcome)
    {
        var how = outcome.Direct ? "direct read" : "read";
        if (outcome.Error != null)
            return ProbeCodes.Fail(ProbeCodes.Failed, $"{how} of {device} failed: {outcome.Error} (errno {outcome.Errno})");
        if (outcome.Bytes <= 0)
            return ProbeCodes.Fail(ProbeCodes.Failed, $"{how} of {device} returned no data");
        return ProbeResult.Ok($"{how} of {outcome.Bytes} of {size} bytes from {device}");
    }

    Task<DirectRead.Outcome> StartRead(string device, int size, bool direct)
    {
        var done = new TaskCompletionSource<DirectRead.Outcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try { done.SetResult(_read(device, size, direct)); }
            catch (Exception e) { done.SetResult(new DirectRead.Outcome(-1, 0, e.Message, direct)); }
        })
        { IsBackground = true, Name = "disk read " + device };
        thread.Start();
        return done.Task;
    }
}
