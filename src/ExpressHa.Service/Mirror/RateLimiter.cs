using System.Diagnostics;

namespace ExpressHa.Service.Mirror;

/// <summary>Token bucket in bytes per second (0 = unlimited); the bucket holds at most one block plus 100 ms worth.</summary>
public sealed class RateLimiter
{
    readonly long _rate;
    readonly double _capacity;
    readonly object _gate = new();
    readonly SemaphoreSlim _waiters = new(1, 1);
    double _tokens;
    long _last = Stopwatch.GetTimestamp();

    public RateLimiter(long bytesPerSecond, int blockSize)
    {
        _rate = bytesPerSecond;
        _capacity = blockSize + bytesPerSecond / 10.0;
        _tokens = blockSize;
    }

    /// <summary>Gives back bytes paid for but not sent (a resync block that went as a zero fill).</summary>
    public void Refund(int bytes)
    {
        if (_rate <= 0) return;
        lock (_gate)
        {
            Refill();
            _tokens = Math.Min(_capacity, _tokens + bytes);
        }
    }

    public async ValueTask WaitAsync(int bytes, CancellationToken ct)
    {
        if (_rate <= 0) return;
        await _waiters.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            while (true)
            {
                TimeSpan wait;
                lock (_gate)
                {
                    Refill();
                    if (_tokens >= bytes) { _tokens -= bytes; return; }
                    wait = TimeSpan.FromSeconds((bytes - _tokens) / _rate);
                }
                await Task.Delay(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait, ct).ConfigureAwait(false);
            }
        }
        finally { _waiters.Release(); }
    }

    void Refill()
    {
        long now = Stopwatch.GetTimestamp();
        _tokens = Math.Min(_capacity, _tokens + Stopwatch.GetElapsedTime(_last, now).TotalSeconds * _rate);
        _last = now;
    }
}
