using System.Text.RegularExpressions;

namespace ExpressHa.Service.Monitors;

/// <summary>Error codes of monitor results. <see cref="ProbeResult"/> has no code field, so a probe that wants a
/// specific code writes its message as "N : text" (<see cref="Fail"/>, <see cref="ApiFailed"/>); the runner reads
/// it back with <see cref="Split"/> and uses it as the alert's event id (warnings: 100 + N).</summary>
public static partial class ProbeCodes
{
    /// <summary>The check failed (default when a message carries no code).</summary>
    public const int Failed = 5;
    /// <summary>The probe did not finish within the monitor's timeout.</summary>
    public const int Timeout = 6;
    /// <summary>userw: the service woke up later than the monitor's timeout.</summary>
    public const int Stalled = 7;
    /// <summary>A pseudo-failure requested by an operator (Invoke-HaFailoverDrill).</summary>
    public const int PseudoFailure = 8;

    public static ProbeResult Fail(int code, string message) => new(false, $"{code} : {message}");
    public static ProbeResult ApiFailed(int code, string message) => new(false, $"{code} : {message}", ApiFailure: true);

    /// <summary>The code and the text of a result message ("N : text"); fallback when the message has none.</summary>
    public static (int Code, string Text) Split(string? message, int fallback = Failed)
    {
        if (message != null)
        {
            var m = CodePrefix().Match(message);
            if (m.Success) return (int.Parse(m.Groups[1].Value), m.Groups[2].Value);
        }
        return (fallback, message ?? "");
    }

    [GeneratedRegex(@"^(\d{1,4}) : (.*)$", RegexOptions.Singleline)]
    private static partial Regex CodePrefix();
}
