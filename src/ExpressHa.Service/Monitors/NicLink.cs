namespace ExpressHa.Service.Monitors;

/// <summary>Judges an interface from what sysfs says about it: its flags (administratively up or not), its operational
/// state (RFC 2863: up, down, lowerlayerdown, dormant, notpresent, unknown, testing) and its carrier.</summary>
public static class NicLink
{
    const int IffUp = 0x1;

    /// <param name="flags">Contents of <c>flags</c> ("0x1003"), null when unreadable.</param>
    /// <param name="operState">Contents of <c>operstate</c>, null when unreadable.</param>
    /// <param name="carrier">Contents of <c>carrier</c> ("1"/"0"), null when unreadable (the kernel refuses the read
    /// while the interface is administratively down).</param>
    public static ProbeResult Judge(string name, string? flags, string? operState, string? carrier)
    {
        if (TryParseFlags(flags, out var f) && (f & IffUp) == 0)
            return ProbeCodes.Fail(ProbeCodes.Failed, $"interface {name} is administratively down");
        var state = operState?.Trim().ToLowerInvariant();
        var hasCarrier = carrier?.Trim() == "1";
        // "unknown" is what drivers without operational state reporting (loopback, tun, some virtual NICs) show while
        // up; then the carrier is the only signal.
        if (state is "up" or "unknown" && hasCarrier)
            return ProbeResult.Ok($"{name}: link up (operstate {state}, carrier 1)");
        var carrierText = carrier == null ? "unreadable" : carrier.Trim();
        return ProbeCodes.Fail(ProbeCodes.Failed, $"interface {name} has no link (operstate {state ?? "unreadable"}, carrier {carrierText})");
    }

    static bool TryParseFlags(string? text, out int flags)
    {
        flags = 0;
        var t = text?.Trim();
        if (string.IsNullOrEmpty(t)) return false;
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) t = t[2..];
        return int.TryParse(t, System.Globalization.NumberStyles.HexNumber, null, out flags);
    }
}
