using System.Diagnostics;
using Xunit.Sdk;

namespace ExpressHa.Testing;

/// <summary>The tests' one way to wait for something: poll a condition until it holds or the time is up. On timeout
/// the test fails with what it waited for and what it last saw (the last value, or the last exception of the read).</summary>
public static class Eventually
{
    public const int DefaultPollMs = 20;

    /// <summary>Waits until <paramref name="condition"/> holds; fails with <paramref name="what"/> and
    /// <paramref name="lastSeen"/> (evaluated at the timeout) when it does not within <paramref name="within"/>.</summary>
    public static Task UntilAsync(Func<bool> condition, TimeSpan within, string what, Func<string>? lastSeen = null, int pollMs = DefaultPollMs)
        => UntilAsync(() => Task.FromResult(condition()), within, what, lastSeen, pollMs);

    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan within, string what, Func<string>? lastSeen = null, int pollMs = DefaultPollMs)
        => await ValueAsync(async () => await condition(), ok => ok, within, what, _ => lastSeen?.Invoke() ?? "false", pollMs);

    /// <summary>Reads until the value satisfies <paramref name="done"/> and returns it. A read that throws counts as not
    /// done (a node still starting); the timeout message shows the last value or exception.</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan within, string what,
        Func<T, string>? show = null, int pollMs = DefaultPollMs)
    {
        var sw = Stopwatch.StartNew();
        var seenValue = false;
        T last = default!;
        Exception? error = null;
        while (true)
        {
            try
            {
                var value = await read();
                if (done(value)) return value;
                (last, seenValue, error) = (value, true, null);
            }
            catch (Exception ex) when (ex is not XunitException)
            {
                error = ex;
            }
            if (sw.Elapsed >= within)
            {
                var seen = error != null ? $"{error.GetType().Name}: {error.Message}"
                    : !seenValue ? "nothing" : show != null ? show(last) : last?.ToString() ?? "null";
                throw new XunitException($"timed out after {within.TotalSeconds:0.###} s waiting for {what}; last seen: {seen}");
            }
            await Task.Delay(pollMs);
        }
    }

    /// <summary>Whether <paramref name="condition"/> comes to hold within the time, without failing: for tests that
    /// assert something does not happen (Assert.False) or that report more than a timeout.</summary>
    public static async Task<bool> HoldsWithinAsync(Func<bool> condition, TimeSpan within, int pollMs = DefaultPollMs)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < within)
        {
            if (condition()) return true;
            await Task.Delay(pollMs);
        }
        return condition();
    }
}
