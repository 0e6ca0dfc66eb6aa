using System.Runtime.InteropServices;
using ExpressHa.Service.Witness;

namespace ExpressHa.Service.Commands;

/// <summary>`witness --listen ADDR:PORT --state-dir DIR`: the witness server for HTTP partition resolution (third
/// site, plain HTTP). Runs until SIGTERM/SIGINT.</summary>
public static class WitnessCommand
{
    public static int Run(CliOptions options, TextWriter stdout, TextWriter stderr)
    {
        var listen = options.Get("listen");
        var stateDir = options.Get("state-dir");
        if (listen == null || stateDir == null)
        {
            stderr.WriteLine("expresshad witness: --listen ADDR:PORT and --state-dir DIR are required");
            return 2;
        }
        if (!TryParseListen(listen, out var address, out var port))
        {
            stderr.WriteLine($"expresshad witness: '{listen}' is not ADDR:PORT (e.g. 0.0.0.0:8080 or [::]:8080)");
            return 2;
        }
        try
        {
            return RunAsync(address, port, stateDir, stdout).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            stderr.WriteLine($"expresshad witness: {ex.Message}");
            return 1;
        }
    }

    /// <summary>ADDR:PORT, [IPv6]:PORT.</summary>
    public static bool TryParseListen(string text, out string address, out int port)
    {
        address = "";
        port = 0;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1) return false;
        address = text[..colon];
        if (address.Contains(':') && !(address.StartsWith('[') && address.EndsWith(']'))) return false;
        address = address.Trim('[', ']');
        return int.TryParse(text[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port)
            && port is >= 0 and <= 65535;
    }

    static async Task<int> RunAsync(string address, int port, string stateDir, TextWriter stdout)
    {
        using var shutdown = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; shutdown.Cancel(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; shutdown.Cancel(); });
        await using var server = await WitnessServer.StartAsync(address, port, stateDir, shutdown.Token);
        stdout.WriteLine($"witness listening on {server.BaseAddress} (state in {server.StateDir}; a cluster whose <cluster>.key is there must sign its posts)");
        stdout.Flush();
        try { await Task.Delay(Timeout.Infinite, shutdown.Token); } catch (OperationCanceledException) { }
        stdout.WriteLine("witness stopping");
        return 0;
    }
}
