using System.Runtime.InteropServices;
using ExpressHa.Service.Mirror;
using ExpressHa.Service.Mirror.Nbd;

namespace ExpressHa.Service.Commands;

/// <summary>`nbd-serve --file PATH --listen ADDR:PORT|unix:/PATH [--name NAME] [--read-only]`: exports a file or block
/// device over NBD without a cluster (benchmarks, manual checks). Runs until SIGTERM/SIGINT.</summary>
public static class NbdServeCommand
{
    public static int Run(CliOptions options, TextWriter stdout, TextWriter stderr)
    {
        var file = options.Get("file");
        var listen = options.Get("listen");
        if (file == null || listen == null)
        {
            stderr.WriteLine("expresshad nbd-serve: --file PATH and --listen ADDR:PORT (or unix:/PATH) are required");
            return 2;
        }
        try
        {
            NbdEndpoint.Parse(listen);
        }
        catch (FormatException e)
        {
            stderr.WriteLine($"expresshad nbd-serve: {e.Message}");
            return 2;
        }
        try
        {
            return RunAsync(file, listen, options.Get("name") ?? "", options.Get("read-only") == "true", stdout).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
        {
            stderr.WriteLine($"expresshad nbd-serve: {e.Message}");
            return 1;
        }
    }

    static async Task<int> RunAsync(string file, string listen, string name, bool readOnly, TextWriter stdout)
    {
        using var shutdown = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; shutdown.Cancel(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; shutdown.Cancel(); });
        using var device = new FileBlockDevice(file, readOnly);
        var gate = new object();
        void Log(string line)
        {
            lock (gate) { stdout.WriteLine(line); stdout.Flush(); }
        }
        await using var server = new NbdServer(name, device, Log);
        await server.StartAsync(listen, shutdown.Token);
        try { await Task.Delay(Timeout.Infinite, shutdown.Token); } catch (OperationCanceledException) { }
        await server.StopAsync();
        return 0;
    }
}
