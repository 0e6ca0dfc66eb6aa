using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using ExpressHa.Config;
using ExpressHa.Service.Partition;
using ExpressHa.Service.Resources;

namespace ExpressHa.Service.Tests.Partition;

/// <summary>TcpCheck against real loopback sockets; PingCheck against 127.0.0.1 and, inside a fresh network namespace,
/// an unanswered 198.18.x address (nothing outside loopback or our own namespace is ever pinged).</summary>
[Trait("Category", TestCategory.Namespace)]
public class ProbeCheckTests
{
    [Fact]
    public async Task Tcp_Listener_Connected()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var r = await TcpCheck.CheckAsync(new TcpResolution { Host = "127.0.0.1", Port = port, TimeoutMs = 1000 });
        Assert.True(r.Reachable, r.Detail);
        Assert.Contains("connected", r.Detail);
    }

    [Fact]
    public async Task Tcp_ClosedPort_NotReachable()
    {
        int port;
        using (var l = new TcpListener(IPAddress.Loopback, 0)) { l.Start(); port = ((IPEndPoint)l.LocalEndpoint).Port; l.Stop(); }
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var r = await TcpCheck.CheckAsync(new TcpResolution { Host = "127.0.0.1", Port = port, TimeoutMs = 1000 });
        Assert.False(r.Reachable);
        Assert.Contains("ConnectionRefused", r.Detail);
        Assert.True(sw.ElapsedMilliseconds < 1000);
    }

    [Fact]
    public async Task Tcp_BadSettings_NeverThrow()
    {
        Assert.False((await TcpCheck.CheckAsync(new TcpResolution { Host = "", Port = 443 })).Reachable);
        Assert.False((await TcpCheck.CheckAsync(new TcpResolution { Host = "127.0.0.1", Port = 0 })).Reachable);
        Assert.False((await TcpCheck.CheckAsync(null!)).Reachable);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.False((await TcpCheck.CheckAsync(new TcpResolution { Host = "127.0.0.1", Port = 1 }, cts.Token)).Reachable);
    }

    [NeedsFact(Need.None, "ping")]
    public async Task Ping_Loopback_Answers()
    {
        if (CommandRunner.FindExecutable("ping") == null) throw new InvalidOperationException("this test needs ping (iputils-ping)");
        var r = await new PingCheck().CheckAsync(new PingResolution { Targets = { "127.0.0.1" }, TimeoutMs = 2000 });
        Assert.True(r.Reachable, r.Detail);
        Assert.Contains("127.0.0.1", r.Detail);
    }

    [NeedsFact(Need.None, "ping")]
    public async Task Ping_NoTargets_OrOptionLikeTarget_Fails()
    {
        Assert.False((await new PingCheck().CheckAsync(new PingResolution())).Reachable);
        Assert.False((await new PingCheck().CheckAsync(new PingResolution { Targets = { "-f" } })).Reachable);
    }

    /// <summary>Inside a fresh namespace: 198.18.77.1/24 on a dummy interface; 198.18.77.9 is on-link but nobody
    /// answers (ARP fails), so ping waits out the whole timeout. Loopback of the namespace does answer, so one of
    /// two targets answering is enough.</summary>
    [NeedsFact(Need.Namespaces, "ping")]
    public async Task Ping_UnansweredAddressInOwnNamespace_NoAnswerWithinTimeout()
    {
        if (CommandRunner.FindExecutable("ip") == null || CommandRunner.FindExecutable("ping") == null)
            throw new InvalidOperationException("this test needs ip (iproute2) and ping (iputils-ping)");
        var ns = "ehp-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant();
        try
        {
            await Must("ip", "netns", "add", ns);
            await Must("ip", "-n", ns, "link", "set", "lo", "up");
            await Must("ip", "-n", ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
            await Must("ip", "-n", ns, "addr", "add", "198.18.77.1/24", "dev", "v0");
            await Must("ip", "-n", ns, "link", "set", "v0", "up");
            await Must("ip", "-n", ns, "link", "set", "v1", "up");
            var check = new PingCheck(["ip", "netns", "exec", ns]);

            var sw = System.Diagnostics.Stopwatch.StartNew();
            var lost = await check.CheckAsync(new PingResolution { Targets = { "198.18.77.9", "198.18.200.1" }, TimeoutMs = 1500 });
            Assert.False(lost.Reachable, lost.Detail);
            Assert.Contains("no ping target answered", lost.Detail);
            Assert.True(sw.ElapsedMilliseconds < 3000, $"took {sw.ElapsedMilliseconds} ms");

            var any = await check.CheckAsync(new PingResolution { Targets = { "198.18.77.9", "127.0.0.1" }, TimeoutMs = 1500 });
            Assert.True(any.Reachable, any.Detail);
            Assert.Equal("answered: 127.0.0.1", any.Detail);
        }
        finally
        {
            await CommandRunner.RunAsync(new CommandSpec(["ip", "netns", "del", ns]) { Timeout = TimeSpan.FromSeconds(10) });
        }
    }

    static async Task Must(params string[] argv)
    {
        var r = await CommandRunner.RunAsync(new CommandSpec(argv) { Timeout = TimeSpan.FromSeconds(10) });
        if (!r.Succeeded) throw new InvalidOperationException($"{string.Join(' ', argv)} failed: exit {r.ExitCode} {string.Join(" ", r.Lines)}");
    }
}
