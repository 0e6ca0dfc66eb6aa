using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ExpressHa.Config;
using ExpressHa.Service.Monitors;
using ExpressHa.Service.Resources;
using ExpressHa.Service.Tests.Resources;

namespace ExpressHa.Service.Tests.Monitors;

public static class MonitorContexts
{
    public static MonitorContext For(string type, RecordingAlerts alerts, params (string Key, object Value)[] parameters)
        => For(new MonitorConfig { Name = "m1", Type = type, Parameters = TestConfigs.Bag(parameters) }, alerts);

    public static MonitorContext For(MonitorConfig monitor, RecordingAlerts alerts)
    {
        var node = new NodeConfig { Name = TestConfigs.NodeName };
        return new MonitorContext
        {
            Config = new ClusterConfig { Cluster = { Name = "c1" }, Nodes = { node }, Monitors = { monitor } },
            Monitor = monitor, Node = node, Alerts = alerts,
        };
    }
}

[Trait("Category", TestCategory.Namespace)]
public sealed class IpProbeTests : IDisposable
{
    readonly NetNs _ns = new();
    readonly RecordingAlerts _alerts = new();
    public void Dispose() => _ns.Dispose();

    static List<string> Targets(params string[] t) => t.ToList();

    [NeedsFact(Need.Namespaces)]
    public async Task Loopback_Answers()
    {
        var r = await new IpProbe(replyWaitSeconds: 1).ProbeAsync(MonitorContexts.For("ip", _alerts, ("targets", Targets("127.0.0.1"))), CancellationToken.None);
        Assert.True(r.Healthy, r.Message);
        Assert.Contains("127.0.0.1", r.Message);
    }

    [NeedsFact(Need.Namespaces)]
    public async Task UnreachableAddressInAnIsolatedNamespace_Fails_ButOneAnsweringTargetIsEnough()
    {
        var ns = _ns.Create("iso"); // only lo: 198.18.x has no route
        var probe = new IpProbe(NetNs.Exec(ns), replyWaitSeconds: 1);

        var bad = await probe.ProbeAsync(MonitorContexts.For("ip", _alerts, ("targets", Targets("198.18.3.3"))), CancellationToken.None);
        Assert.False(bad.Healthy);
        Assert.Equal(ProbeCodes.Failed, ProbeCodes.Split(bad.Message).Code);
        Assert.Contains("198.18.3.3", bad.Message);

        var mixed = await probe.ProbeAsync(MonitorContexts.For("ip", _alerts, ("targets", Targets("198.18.3.3", "127.0.0.1"))), CancellationToken.None);
        Assert.True(mixed.Healthy, mixed.Message);
    }

    [NeedsFact(Need.Namespaces)]
    public async Task BlackholedAddress_Fails()
    {
        var ns = _ns.Create("bh");
        Sh.Must("ip", "-n", ns, "route", "add", "blackhole", "198.18.4.0/24");
        var r = await new IpProbe(NetNs.Exec(ns), 1).ProbeAsync(MonitorContexts.For("ip", _alerts, ("targets", Targets("198.18.4.4"))), CancellationToken.None);
        Assert.False(r.Healthy);
    }
}

[Trait("Category", TestCategory.Process)]
public sealed class ProcessProbeTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("ehproc-").FullName;
    readonly RecordingAlerts _alerts = new();
    readonly List<Process> _procs = new();

    public void Dispose()
    {
        foreach (var p in _procs) { try { p.Kill(true); p.WaitForExit(2000); } catch { } p.Dispose(); }
        try { Directory.Delete(_dir, true); } catch { }
    }

    Process StartSleeper(string name)
    {
        var path = Path.Combine(_dir, name);
        File.Copy("/bin/sleep", path);
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        var p = Process.Start(new ProcessStartInfo(path, "60") { UseShellExecute = false })!;
        _procs.Add(p);
        return p;
    }

    [Fact]
    public async Task ByName_FindsTheProcess_AndNotAfterItDies()
    {
        var name = "ehp" + Guid.NewGuid().ToString("N")[..8];
        var p = StartSleeper(name);
        var ctx = MonitorContexts.For("process", _alerts, ("processName", name));
        var probe = new ProcessProbe();

        var ok = await probe.ProbeAsync(ctx, CancellationToken.None);
        Assert.True(ok.Healthy, ok.Message);
        Assert.Contains(p.Id.ToString(), ok.Message);

        p.Kill();
        p.WaitForExit();
        var gone = await probe.ProbeAsync(ctx, CancellationToken.None);
        Assert.False(gone.Healthy);
        Assert.Contains("no process named " + name, gone.Message);
    }

    [Fact]
    public async Task ByName_LongNamesCompareOnTheFirst15Characters()
    {
        var name = "ehlongname" + Guid.NewGuid().ToString("N")[..12]; // 22 characters; comm keeps 15
        StartSleeper(name);
        var r = await new ProcessProbe().ProbeAsync(MonitorContexts.For("process", _alerts, ("processName", name)), CancellationToken.None);
        Assert.True(r.Healthy, r.Message);
    }

    [Fact]
    public async Task ByPidFile_ReadsThisNodesFileFromAPerNodeMap()
    {
        var mine = Path.Combine(_dir, "mine.pid");
        File.WriteAllText(mine, Environment.ProcessId + "\n");
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal) { [TestConfigs.NodeName] = mine, ["n2"] = Path.Combine(_dir, "missing.pid") };
        var r = await new ProcessProbe().ProbeAsync(MonitorContexts.For("process", _alerts, ("pidFile", map)), CancellationToken.None);
        Assert.True(r.Healthy, r.Message);

        map[TestConfigs.NodeName] = Path.Combine(_dir, "missing.pid");
        map["n2"] = mine;
        Assert.False((await new ProcessProbe().ProbeAsync(MonitorContexts.For("process", _alerts, ("pidFile", map)), CancellationToken.None)).Healthy);
    }

    [Fact]
    public async Task ByPidFile_LiveDeadZombieAndMissing()
    {
        var pidFile = Path.Combine(_dir, "app.pid");
        var ctx = MonitorContexts.For("process", _alerts, ("pidFile", pidFile));
        var probe = new ProcessProbe();

        Assert.False((await probe.ProbeAsync(ctx, CancellationToken.None)).Healthy); // no file

        File.WriteAllText(pidFile, Environment.ProcessId + "\n");
        var live = await probe.ProbeAsync(ctx, CancellationToken.None);
        Assert.True(live.Healthy, live.Message);

        var dead = Process.Start(new ProcessStartInfo("/bin/true") { UseShellExecute = false })!;
        dead.WaitForExit();
        File.WriteAllText(pidFile, dead.Id.ToString());
        Assert.False((await probe.ProbeAsync(ctx, CancellationToken.None)).Healthy);

        // A zombie: a child that ends after its shell exec'd into sleep, which never reaps it (a child ending
        // before the exec would be reaped by the shell).
        var zpid = Path.Combine(_dir, "zombie.pid");
        var parent = Process.Start(new ProcessStartInfo("/bin/sh", new[] { "-c", $"sleep 0.3 & echo $! > {zpid}; exec sleep 60" }) { UseShellExecute = false })!;
        _procs.Add(parent);
        await Eventually.UntilAsync(() => File.Exists(zpid) && File.ReadAllText(zpid).Trim().Length > 0, TimeSpan.FromSeconds(5), "the zombie's pid file");
        File.Copy(zpid, pidFile, true);
        var z = await Eventually.ValueAsync(() => probe.ProbeAsync(ctx, CancellationToken.None), r => !r.Healthy, TimeSpan.FromSeconds(5),
            "the probe to find the zombie", r => r.Message);
        Assert.Contains("zombie", z.Message);

        File.WriteAllText(pidFile, "not a pid");
        Assert.Contains("holds no pid", (await probe.ProbeAsync(ctx, CancellationToken.None)).Message);
    }
}

public sealed class HttpProbeTests : IDisposable
{
    readonly HttpListener _listener = new();
    readonly CancellationTokenSource _stop = new();
    readonly RecordingAlerts _alerts = new();
    readonly string _base;

    public HttpProbeTests()
    {
        int port = FreePort();
        _base = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(_base);
        _listener.Start();
        _ = Serve();
    }

    static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    async Task Serve()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext c;
            try { c = await _listener.GetContextAsync(); } catch { return; }
            _ = Task.Run(async () =>
            {
                var path = c.Request.Url!.AbsolutePath;
                if (path == "/slow") { try { await Task.Delay(10_000, _stop.Token); } catch { } }
                c.Response.StatusCode = path switch { "/ok" => 200, "/slow" => 200, "/moved" => 302, _ => 404 };
                if (path == "/moved") c.Response.RedirectLocation = "/ok";
                try { c.Response.Close(); } catch { }
            });
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        try { _listener.Stop(); _listener.Close(); } catch { }
    }

    MonitorContext Ctx(string path, long? expected = null)
        => expected is { } e
            ? MonitorContexts.For("http", _alerts, ("url", _base + path.TrimStart('/')), ("expectedStatus", e))
            : MonitorContexts.For("http", _alerts, ("url", _base + path.TrimStart('/')));

    [Fact]
    public async Task ExpectedStatus_IsHealthy_OtherStatusIsNot()
    {
        var probe = new HttpProbe();
        var ok = await probe.ProbeAsync(Ctx("/ok"), CancellationToken.None);
        Assert.True(ok.Healthy, ok.Message);

        var missing = await probe.ProbeAsync(Ctx("/missing"), CancellationToken.None);
        Assert.False(missing.Healthy);
        Assert.Contains("status 404, expected 200", missing.Message);

        Assert.True((await probe.ProbeAsync(Ctx("/missing", 404), CancellationToken.None)).Healthy);
        Assert.True((await probe.ProbeAsync(Ctx("/moved", 302), CancellationToken.None)).Healthy); // redirects not followed
    }

    [Fact]
    public async Task RefusedConnection_Fails()
    {
        var ctx = MonitorContexts.For("http", _alerts, ("url", $"http://127.0.0.1:{FreePort()}/"));
        var r = await new HttpProbe().ProbeAsync(ctx, CancellationToken.None);
        Assert.False(r.Healthy);
    }

    [Fact]
    public async Task SlowServer_IsCutByTheToken()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var sw = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new HttpProbe().ProbeAsync(Ctx("/slow"), cts.Token));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5));
    }
}

[Trait("Category", TestCategory.Process)]
public sealed class CustomProbeTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("ehcustom-").FullName;
    readonly RecordingAlerts _alerts = new();
    public void Dispose() { try { Directory.Delete(_dir, true); } catch { } }

    [Fact]
    public async Task ExitZero_IsHealthy_AndSeesItsEnvironment()
    {
        var env = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["FOO"] = "bar" };
        var ctx = MonitorContexts.For("custom", _alerts, ("script", "test \"$FOO\" = bar && test \"$EXPRESSHA_MONITOR\" = m1 && test \"$EXPRESSHA_NODE\" = n1 && echo fine"), ("environment", env));
        var r = await new CustomProbe().ProbeAsync(ctx, CancellationToken.None);
        Assert.True(r.Healthy, r.Message);
        Assert.Contains("m1: fine", _alerts.LogLines("custom"));
    }

    [Fact]
    public async Task NonZeroExit_Fails_WithTheCodeAndLastLine()
    {
        var r = await new CustomProbe().ProbeAsync(MonitorContexts.For("custom", _alerts, ("script", "echo 'db not answering'; exit 2")), CancellationToken.None);
        Assert.False(r.Healthy);
        Assert.Contains("exited with 2: db not answering", r.Message);
    }

    [Fact]
    public async Task Timeout_KillsTheScriptsProcessGroup()
    {
        var pidFile = Path.Combine(_dir, "child.pid");
        var ctx = MonitorContexts.For("custom", _alerts, ("script", $"sleep 300 & echo $! > {pidFile}; wait"));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(400));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new CustomProbe().ProbeAsync(ctx, cts.Token));
        var pid = int.Parse(File.ReadAllText(pidFile).Trim());
        await Eventually.UntilAsync(() => !Sh.Alive(pid), TimeSpan.FromSeconds(5), "the script's child to end after the timeout");
    }
}

public sealed class MonitorProbeRegistryTests
{
    [Fact]
    public void Default_HasTheFiveLocalProbes_AllKnownToTheSchema()
    {
        var reg = MonitorProbeRegistry.Default(ExpressHa.Service.Resources.Aws.AwsClientsProvider.Default());
        Assert.Equal(new[] { "awsaz", "awsdns", "awseip", "awssip", "awsvip", "custom", "disk", "http", "ip", "lbprobe", "mirror", "mirrorconnect", "nic", "process", "userw" }, reg.Types.OrderBy(t => t, StringComparer.Ordinal));
        foreach (var t in reg.Types) Assert.NotNull(ExpressHa.Schema.SchemaRegistry.FindMonitor(t));
        Assert.IsType<UserwProbe>(reg.Get("userw"));
        Assert.True(reg.Has("ip"));
        Assert.NotNull(reg.Find("awsvip"));
        Assert.Throws<KeyNotFoundException>(() => reg.Get("nope"));
    }
}
