using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ExpressHa.Config;
using ExpressHa.Service.Monitors;
using ExpressHa.Service.Resources;
using ExpressHa.Service.Tests.Resources;

namespace ExpressHa.Service.Tests.LbProbe;

/// <summary>The lbprobe resource and monitor with real sockets on 127.0.0.1.</summary>
public sealed class LbProbeTests : IAsyncLifetime
{
    readonly RecordingAlerts _alerts = new();
    readonly LbProbeResource _driver = new();
    readonly List<ResourceContext> _started = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var c in _started) await _driver.StopAsync(c, CancellationToken.None);
    }

    static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    ResourceContext Context(int port, long healthCheckTimeoutSeconds = 31, string name = "lbprobe1")
    {
        var c = TestConfigs.Resource(name, "lbprobe",
            TestConfigs.Bag(("port", (long)port), ("listenAddress", "127.0.0.1"), ("healthCheckTimeoutSeconds", healthCheckTimeoutSeconds)), _alerts);
        _started.Add(c);
        return c;
    }

    MonitorContext MonitorFor(ResourceContext resource)
    {
        var m = SchemaRegistryMonitor(resource.Resource.Name);
        return new MonitorContext { Config = resource.Config, Monitor = m, Node = resource.Node, Target = resource.Resource, Alerts = _alerts };
    }

    static MonitorConfig SchemaRegistryMonitor(string target) => ExpressHa.Schema.SchemaRegistry.NewMonitor(target + "w", "lbprobe", target);

    static bool Accepts(int port)
    {
        using var c = new TcpClient();
        try
        {
            c.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return false;
        }
    }


    static LbProbeListener? ListenerOf(ResourceContext c)
        => LbProbeListeners.Find(LbProbeListeners.Key(c.Config.Cluster.Name, c.Node.Name, c.Resource.Name));

    [Fact]
    public void TheDefaultRegistriesShipLbprobe()
    {
        Assert.IsType<LbProbeResource>(ResourceDriverRegistry.Default(ExpressHa.Service.Resources.Aws.AwsClientsProvider.Default()).Get("lbprobe"));
        Assert.IsType<LbProbeProbe>(MonitorProbeRegistry.Default(ExpressHa.Service.Resources.Aws.AwsClientsProvider.Default()).Get("lbprobe"));
    }

    [Fact]
    public async Task Probe_ActiveOnlyWhileOurListenerListens_APortHeldByAnotherProgramIsNotOurs()
    {
        var port = FreePort();
        var c = Context(port);
        Assert.Equal(ResourceProbe.Inactive, await _driver.ProbeAsync(c, CancellationToken.None));
        await _driver.StartAsync(c, CancellationToken.None);
        Assert.Equal(ResourceProbe.Active, await _driver.ProbeAsync(c, CancellationToken.None));
        await _driver.StopAsync(c, CancellationToken.None);
        Assert.Equal(ResourceProbe.Inactive, await _driver.ProbeAsync(c, CancellationToken.None));

        var other = new TcpListener(IPAddress.Loopback, port);
        other.Start();
        try { Assert.Equal(ResourceProbe.Inactive, await _driver.ProbeAsync(c, CancellationToken.None)); }
        finally { other.Stop(); }
    }

    [Fact]
    public async Task ListensOnlyWhileActive_StartAndStopAreIdempotent()
    {
        var port = FreePort();
        var c = Context(port);
        Assert.False(Accepts(port), "nothing should listen before the start");

        await _driver.StartAsync(c, CancellationToken.None);
        var first = ListenerOf(c);
        Assert.True(Accepts(port));
        await _driver.StartAsync(c, CancellationToken.None); // again: same listener, still fine
        Assert.Same(first, ListenerOf(c));
        Assert.True(Accepts(port));

        await _driver.StopAsync(c, CancellationToken.None);
        Assert.Null(ListenerOf(c));
        Assert.False(Accepts(port), "the port must be closed after the stop");
        await _driver.StopAsync(c, CancellationToken.None); // stopping a stopped resource succeeds

        await _driver.StartAsync(c, CancellationToken.None); // and it can start again on the same port
        Assert.True(Accepts(port));
        Assert.Contains(_alerts.LogLines("lbprobe"), l => l.Contains($"listening on 127.0.0.1:{port}"));
    }

    [Fact]
    public async Task AConnectionCountsAsAHealthCheck()
    {
        var port = FreePort();
        var c = Context(port);
        await _driver.StartAsync(c, CancellationToken.None);
        var listener = ListenerOf(c)!;
        Assert.Null(listener.LastHealthCheck);
        Assert.Equal(listener.StartedAt, listener.LastActivity);

        var before = DateTime.UtcNow;
        Assert.True(Accepts(port)); // handshake, then close: the NLB's TCP check
        await Eventually.UntilAsync(() => listener.HealthChecks == 1, TimeSpan.FromSeconds(3), "listener.HealthChecks == 1", () => $"{listener.HealthChecks} health checks");
        Assert.NotNull(listener.LastHealthCheck);
        Assert.InRange(listener.LastHealthCheck!.Value, before.AddMilliseconds(-5), DateTime.UtcNow);

        Assert.True(Accepts(port));
        await Eventually.UntilAsync(() => listener.HealthChecks == 2, TimeSpan.FromSeconds(3), "listener.HealthChecks == 2", () => $"{listener.HealthChecks} health checks");
    }

    [Fact]
    public async Task AnHttpHealthCheckGets200()
    {
        var port = FreePort();
        var c = Context(port);
        await _driver.StartAsync(c, CancellationToken.None);

        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };
        using var response = await http.GetAsync($"http://127.0.0.1:{port}/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // Raw bytes that are not HTTP also get the answer at once, and count.
        using var raw = new TcpClient();
        await raw.ConnectAsync(IPAddress.Loopback, port);
        var stream = raw.GetStream();
        await stream.WriteAsync(new byte[] { 0x16, 0x03, 0x01 });
        var buffer = new byte[256];
        var n = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.StartsWith("HTTP/1.1 200 OK", Encoding.ASCII.GetString(buffer, 0, n));
        await Eventually.UntilAsync(() => ListenerOf(c)!.HealthChecks >= 2, TimeSpan.FromSeconds(3), "ListenerOf(c)!.HealthChecks >= 2", () => $"{ListenerOf(c)?.HealthChecks} health checks");
    }

    [Fact]
    public async Task APortHeldByAnotherProcessOrResource_PortIsAlreadyUsed()
    {
        var other = new TcpListener(IPAddress.Loopback, 0);
        other.Start();
        try
        {
            var port = ((IPEndPoint)other.LocalEndpoint).Port;
            var c = Context(port);
            var e = await Assert.ThrowsAsync<ResourceException>(() => _driver.StartAsync(c, CancellationToken.None));
            Assert.Equal(LbProbeResource.PortInUseCode, e.Code);
            Assert.Equal($"Port {port} is already used.", e.Message);
            Assert.Null(ListenerOf(c));
        }
        finally
        {
            other.Stop();
        }

        // Two lbprobe resources on one port: the second one fails the same way.
        var shared = FreePort();
        await _driver.StartAsync(Context(shared, name: "lbA"), CancellationToken.None);
        var second = await Assert.ThrowsAsync<ResourceException>(() => _driver.StartAsync(Context(shared, name: "lbB"), CancellationToken.None));
        Assert.Equal($"Port {shared} is already used.", second.Message);
    }

    [Fact]
    public async Task BadParameters_AreCode8()
    {
        var c = TestConfigs.Resource("lbbad", "lbprobe", TestConfigs.Bag(("port", 70000L)), _alerts);
        Assert.Equal(ResourceErrorCodes.BadParameter, (await Assert.ThrowsAsync<ResourceException>(() => _driver.StartAsync(c, CancellationToken.None))).Code);
        var d = TestConfigs.Resource("lbbad2", "lbprobe", TestConfigs.Bag(("port", 12345L), ("listenAddress", "not-an-ip")), _alerts);
        Assert.Equal(ResourceErrorCodes.BadParameter, (await Assert.ThrowsAsync<ResourceException>(() => _driver.StartAsync(d, CancellationToken.None))).Code);
    }

    [Fact]
    public async Task Monitor_ClosedBeforeStartAndAfterStop()
    {
        var port = FreePort();
        var c = Context(port);
        var probe = new LbProbeProbe();

        var r = await probe.ProbeAsync(MonitorFor(c), CancellationToken.None);
        Assert.False(r.Healthy);
        Assert.Equal($"{LbProbeProbe.PortClosed} : Port {port} is closed.", r.Message);

        await _driver.StartAsync(c, CancellationToken.None);
        r = await probe.ProbeAsync(MonitorFor(c), CancellationToken.None);
        Assert.True(r.Healthy, r.Message);

        await _driver.StopAsync(c, CancellationToken.None);
        r = await probe.ProbeAsync(MonitorFor(c), CancellationToken.None);
        Assert.Equal((LbProbeProbe.PortClosed, $"Port {port} is closed."), ProbeCodes.Split(r.Message));
    }

    [Fact]
    public async Task Monitor_TimeoutWithoutHealthChecks_HealthyAgainWhenOneArrives()
    {
        var port = FreePort();
        var c = Context(port, healthCheckTimeoutSeconds: 2);
        // One configured second lasts 100 ms: the health-check timeout is 200 ms.
        var probe = new LbProbeProbe(secondLength: TimeSpan.FromMilliseconds(100));
        await _driver.StartAsync(c, CancellationToken.None);

        var r = await probe.ProbeAsync(MonitorFor(c), CancellationToken.None);
        Assert.True(r.Healthy, "within the timeout after the start: " + r.Message);

        await Task.Delay(350);
        r = await probe.ProbeAsync(MonitorFor(c), CancellationToken.None);
        Assert.False(r.Healthy);
        Assert.Equal($"{LbProbeProbe.NoHealthCheck} : Timeout of waiting port {port} occurred.", r.Message);

        Assert.True(Accepts(port));
        await Eventually.UntilAsync(() => ListenerOf(c)!.HealthChecks == 1, TimeSpan.FromSeconds(3), "ListenerOf(c)!.HealthChecks == 1", () => $"{ListenerOf(c)?.HealthChecks} health checks");
        r = await probe.ProbeAsync(MonitorFor(c), CancellationToken.None);
        Assert.True(r.Healthy, r.Message);
        Assert.Contains("last health check", r.Message);

        await Task.Delay(350);
        Assert.False((await probe.ProbeAsync(MonitorFor(c), CancellationToken.None)).Healthy);
    }

    [Fact]
    public async Task Monitor_ThroughTheRunner_RaisesTheErrorWithItsCode()
    {
        var port = FreePort();
        var c = Context(port, healthCheckTimeoutSeconds: 1);
        var monitor = SchemaRegistryMonitor(c.Resource.Name);
        monitor.IntervalSeconds = 1;
        monitor.TimeoutSeconds = 5;
        monitor.Retry = 0;
        monitor.Timing = MonitorTimings.Always;
        var errors = new List<string>();
        var ctx = new MonitorContext { Config = c.Config, Monitor = monitor, Node = c.Node, Target = c.Resource, Alerts = _alerts };
        var runner = new MonitorRunner(ctx, new LbProbeProbe(secondLength: TimeSpan.FromMilliseconds(100)),
            (m, msg) => { lock (errors) errors.Add(msg); return Task.CompletedTask; },
            options: new MonitorRunnerOptions { SecondLength = TimeSpan.FromMilliseconds(50) });
        await _driver.StartAsync(c, CancellationToken.None);
        using var cts = new CancellationTokenSource();
        var run = runner.RunAsync(cts.Token);
        try
        {
            await Eventually.UntilAsync(() => { lock (errors) return errors.Count > 0; }, TimeSpan.FromSeconds(3), "an error");
            lock (errors) Assert.Equal($"{LbProbeProbe.NoHealthCheck} : Timeout of waiting port {port} occurred.", errors[0]);
            Assert.Contains(_alerts.Alerts, a => a.Level == "error" && a.EventId == LbProbeProbe.NoHealthCheck && a.Message.Contains($"Timeout of waiting port {port} occurred."));
        }
        finally
        {
            cts.Cancel();
            try { await run; } catch (OperationCanceledException) { }
            await runner.DisposeAsync();
        }
    }
}
