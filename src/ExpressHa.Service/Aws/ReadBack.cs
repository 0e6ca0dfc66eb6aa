namespace ExpressHa.Service.Aws;

/// <summary>How long and how often <see cref="ReadBack"/> polls: until <see cref="Deadline"/>, every
/// <see cref="Interval"/>, each read bounded by <see cref="PerCallTimeout"/>; <see cref="MaxPolls"/> &gt; 0 caps the
/// number of reads (LifeKeeper's "interval × tries").</summary>
public sealed record ReadBackOptions(TimeSpan Deadline, TimeSpan PerCallTimeout)
{
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);
    public int MaxPolls { get; init; }
}

/// <summary>The outcome of a read-back: whether the predicate held, the last value read (default when every read
/// failed), how many reads were made, and the last transient error (throttling, 5xx, timeout) if any.</summary>
public sealed record ReadBackResult<T>(bool Satisfied, T? Last, int Polls, AwsApiException? LastError);

/// <summary>Read-after-write: after every change, read the object back until it shows the change, because the AWS
/// APIs are eventually consistent (a ReplaceRoute or AssociateAddress can be invisible to the next Describe for a
/// while; a Route 53 change is PENDING before INSYNC). Transient read errors count as a read that did not show the
/// change; other errors are thrown.</summary>
public static class ReadBack
{
    public static async Task<ReadBackResult<T>> UntilAsync<T>(Func<CancellationToken, Task<T>> describe, Func<T, bool> done,
        ReadBackOptions options, CancellationToken ct, string operation = "read-back")
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        T? last = default;
        AwsApiException? lastError = null;
        var polls = 0;
        while (true)
        {
            var remaining = options.Deadline - clock.Elapsed;
            if (remaining <= TimeSpan.Zero) break;
            polls++;
            using (var cts = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                var callTimeout = remaining < options.PerCallTimeout ? remaining : options.PerCallTimeout;
                cts.CancelAfter(callTimeout);
                try
                {
                    last = await describe(cts.Token).ConfigureAwait(false);
                    lastError = null;
                    if (done(last)) return new ReadBackResult<T>(true, last, polls, null);
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    var error = cts.IsCancellationRequested
                        ? new AwsApiException("RequestTimeout", $"{operation}: no answer within {callTimeout.TotalSeconds:0.###} s.", 0, timeout: true, inner: e)
                        : AwsRetry.Translate(e, operation);
                    if (error == null) throw;
                    if (!AwsRetry.IsRetryable(error)) throw error;
                    lastError = error;
                }
            }
            if (options.MaxPolls > 0 && polls >= options.MaxPolls) break;
            var left = options.Deadline - clock.Elapsed;
            if (left <= options.Interval) break;
            await Task.Delay(options.Interval, ct).ConfigureAwait(false);
        }
        return new ReadBackResult<T>(false, last, polls, lastError);
    }

    /// <summary>Like <see cref="UntilAsync{T}"/> but throws when the change never shows: an
    /// <see cref="AwsApiException"/> with the last transient error's code and IsTimeout when the reads kept failing,
    /// else code "ReadBackMismatch" (IsTimeout false) naming <paramref name="what"/>.</summary>
    public static async Task<T> RequireAsync<T>(Func<CancellationToken, Task<T>> describe, Func<T, bool> done,
        ReadBackOptions options, string what, CancellationToken ct)
    {
        var r = await UntilAsync(describe, done, options, ct, what).ConfigureAwait(false);
        if (r.Satisfied) return r.Last!;
        if (r.LastError != null)
            throw new AwsApiException(r.LastError.Code, $"{what}: could not read the change back in {options.Deadline.TotalSeconds:0.###} s ({r.Polls} reads); last error: {r.LastError.Message}",
                r.LastError.StatusCode, timeout: true, inner: r.LastError);
        throw new AwsApiException("ReadBackMismatch", $"{what}: the change was not visible after {r.Polls} reads in {options.Deadline.TotalSeconds:0.###} s.");
    }
}
