using System.Diagnostics;

namespace ExpressHa.Service.Tests;

/// <summary>The README's main command, run as a newcomer would: it must fail over and exit 0.</summary>
public class DemoTests
{
    [Fact]
    public void Demo_fails_over_and_exits_zero()
    {
        var dll = Path.Combine(Path.GetDirectoryName(typeof(ExpressHa.Service.Cli).Assembly.Location)!, "expresshad.dll");
        var psi = new ProcessStartInfo("dotnet") { ArgumentList = { dll, "demo" }, RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(120_000), "the demo did not finish in 2 minutes");
        var output = stdout.Result + stderr.Result;
        Assert.True(p.ExitCode == 0, "demo exit code " + p.ExitCode + "\n" + output);
        Assert.Contains("The application answers on server2: 'server2'.", output);
        Assert.Matches(@"Failover time: \d+ ms", output);
        Assert.Contains("wait until server1 is fenced or confirmed down", output);
    }
}
