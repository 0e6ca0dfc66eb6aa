using ExpressHa.Policy;
using ExpressHa.Service.Monitors;
using ExpressHa.Service.Tests.Resources;

namespace ExpressHa.Service.Tests.Monitors;

public sealed class NicLinkTests
{
    [Theory]
    [InlineData("0x1003", "up", "1", true)]
    [InlineData("0x1003", "unknown", "1", true)]
    [InlineData("0x1003", "lowerlayerdown", "0", false)]
    [InlineData("0x1003", "down", "0", false)]
    [InlineData("0x1003", "dormant", "1", false)]
    [InlineData("0x1002", "down", null, false)]
    [InlineData(null, "up", null, false)]
    public void Judge_NeedsAdministrativelyUpOperationallyUpAndCarrier(string? flags, string operState, string? carrier, bool healthy)
    {
        var r = NicLink.Judge("eth9", flags, operState, carrier);
        Assert.Equal(healthy, r.Healthy);
        Assert.Contains("eth9", r.Message);
    }

    [Fact]
    public void Judge_NamesAdministrativelyDown()
        => Assert.Contains("administratively down", NicLink.Judge("eth9", "0x1002", "down", null).Message);
}

/// <summary>A veth pair between two namespaces, read through a sysfs mounted from inside the first one: the probe sees
/// the real kernel state of the interface.</summary>
[Trait("Category", TestCategory.Namespace)]
public sealed class NicProbeNamespaceTests : IDisposable
{
    readonly NetNs _ns = new();
    readonly RecordingAlerts _alerts = new();
    readonly string _sys = Directory.CreateTempSubdirectory("ehnic-").FullName;
    readonly string _a, _b;

    public NicProbeNamespaceTests()
    {
        _a = _ns.Create("a");
        _b = _ns.Create("b");
        Sh.Must("ip", "-n", _a, "link", "add", "nic0", "type", "veth", "peer", "name", "peer0", "netns", _b);
        Sh.Must("ip", "-n", _a, "link", "set", "nic0", "up");
        Sh.Must("ip", "-n", _b, "link", "set", "peer0", "up");
        // sysfs shows the network namespace of the process that mounts it.
        Sh.Must("nsenter", "--net=/run/netns/" + _a, "mount", "-t", "sysfs", "sysfs", _sys);
    }

    public void Dispose()
    {
        Sh.Run("umount", _sys);
        _ns.Dispose();
        try { Directory.Delete(_sys); } catch (IOException) { }
    }

    Task<ProbeResult> Probe(string iface)
        => new NicProbe(Path.Combine(_sys, "class", "net")).ProbeAsync(MonitorContexts.For("nic", _alerts, ("interface", iface)), CancellationToken.None);

    async Task<ProbeResult> ProbeUntil(string iface, bool healthy)
    {
        // Carrier follows the peer asynchronously (linkwatch); wait for the kernel, bounded.
        ProbeResult r = await Probe(iface);
        for (int i = 0; i < 100 && r.Healthy != healthy; i++) { await Task.Delay(50); r = await Probe(iface); }
        return r;
    }

    [NeedsFact(Need.Namespaces)]
    public async Task PeerDown_IsAnError_PeerUpAgain_IsHealthy()
    {
        var up = await ProbeUntil("nic0", true);
        Assert.True(up.Healthy, up.Message);

        Sh.Must("ip", "-n", _b, "link", "set", "peer0", "down");
        var down = await ProbeUntil("nic0", false);
        Assert.False(down.Healthy, down.Message);
        Assert.Contains("no link", down.Message);
        Assert.Equal(ProbeCodes.Failed, ProbeCodes.Split(down.Message).Code);

        Sh.Must("ip", "-n", _b, "link", "set", "peer0", "up");
        var back = await ProbeUntil("nic0", true);
        Assert.True(back.Healthy, back.Message);
    }

    [NeedsFact(Need.Namespaces)]
    public async Task OwnInterfaceDown_IsAdministrativelyDown()
    {
        Sh.Must("ip", "-n", _a, "link", "set", "nic0", "down");
        var r = await ProbeUntil("nic0", false);
        Assert.False(r.Healthy);
        Assert.Contains("administratively down", r.Message);
    }

    [NeedsFact(Need.Namespaces)]
    public async Task MissingInterface_IsAnError()
    {
        var r = await Probe("nope0");
        Assert.False(r.Healthy);
        Assert.Contains("does not exist", r.Message);
    }

    [NeedsFact(Need.Namespaces)]
    public async Task RunnerRaisesTheErrorAfterTheRetries()
    {
        var monitor = ExpressHa.Schema.SchemaRegistry.NewMonitor("nicw", "nic", null);
        monitor.Parameters["interface"] = "nic0";
        monitor.Retry = 1;
        var errors = new List<string>();
        var runner = new MonitorRunner(MonitorContexts.For(monitor, _alerts), new NicProbe(Path.Combine(_sys, "class", "net")),
            (m, msg) => { errors.Add(msg); return Task.CompletedTask; });
        Assert.True((await ProbeUntil("nic0", true)).Healthy);

        Sh.Must("ip", "-n", _b, "link", "set", "peer0", "down");
        Assert.False((await ProbeUntil("nic0", false)).Healthy);
        await runner.CheckOnceAsync(TimeSpan.Zero, CancellationToken.None);
        Assert.Empty(errors); // one retry left
        await runner.CheckOnceAsync(TimeSpan.Zero, CancellationToken.None);
        Assert.Single(errors);
        Assert.Equal(MonitorState.Error, runner.State);
        Assert.Contains(_alerts.Alerts, a => a.Level == "error" && a.Message.Contains("nicw"));
    }
}
