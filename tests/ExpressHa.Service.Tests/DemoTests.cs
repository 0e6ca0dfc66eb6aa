using System.Diagnostics;

namespace ExpressHa.Service.Tests;

/// <summary>The README's main command, run as a newcomer would: it must fail over and exit 0.</summary>
[Trait("Category", TestCategory.Process)]
public class DemoTests
{
    static string RunDemo(params string[] args)
    {
        var dll = Path.Combine(Path.GetDirectoryName(typeof(ExpressHa.Demo.DemoRunner).Assembly.Location)!, "expressha-demo.dll");
        var psi = new ProcessStartInfo("dotnet") { ArgumentList = { dll }, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(120_000), "the demo did not finish in 2 minutes");
        var output = stdout.Result + stderr.Result;
        Assert.True(p.ExitCode == 0, "demo exit code " + p.ExitCode + "\n" + output);
        return output;
    }

    [Fact]
    public void Demo_fails_over_and_exits_zero()
    {
        var output = RunDemo();
        Assert.Contains("The application answers on server2: 'server2'.", output);
        Assert.Matches(@"Failover time: \d+ ms", output);
        Assert.Contains("wait until server1 is fenced or confirmed down", output);
    }

    [Fact]
    public void Aws_demo_moves_the_vip_route_and_the_dns_record()
    {
        var output = RunDemo("--aws");
        Assert.Contains("10.1.0.20/32 -> eni-0node1000000000001", output);
        Assert.Contains("web.srv.hz1.local. A -> 10.0.110.10", output);
        Assert.Contains("10.1.0.20/32 -> eni-0node2000000000002", output);
        Assert.Contains("web.srv.hz1.local. A -> 10.0.120.10", output);
        Assert.Contains("The VIP route and the DNS record followed the group to server2.", output);
    }
}
