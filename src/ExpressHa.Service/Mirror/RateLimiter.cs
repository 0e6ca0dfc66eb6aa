using System.Diagnostics;

namespace ExpressHa.Service.Mirror;

/// <summary>Token bucket in bytes per second (0 = unlimited); the bucket holds at most one block plus 100 ms worth.</summary>
public sealed class RateLimiter
{
    readonly long _rate;
    readonly double _capacity;
    double _tokens;
    long _last = Stopwatch.GetTimestamp();
    readonly SemaphoreSlim _lock = new(1, 1);

    public RateLimiter(long bytesPerSecond, int blockSize)
    {
        _rate = bytesPerSecond;
        _capacity = blockSize + bytesPerSecond / 10.0;
        _tokens = blockSize;
    }

    public async ValueTask WaitAsync(int bytes, CancellationToken ct)
    {
        if (_rate <= 0) return;
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            while (true)
            {
                long now = Stopwatch.GetTimestamp();
                _tokens = Math.Min(_capacity, _tokens + Stopwatch.GetElapsedTime(_last, now).TotalSeconds * _rate);
                _last = now;
                if (_tokens >= bytes) { _tokens -= bytes; return; }
                var wait = TimeSpan.FromSeconds((bytes - _tokens) / _rate);
                await Task.Delay(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait, ct).ConfigureAwait(false);
            }
        }
        finally { _lock.Release(); }
    }
}
