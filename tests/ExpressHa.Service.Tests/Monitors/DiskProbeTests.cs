using ExpressHa.Policy;
using ExpressHa.Schema;
using ExpressHa.Service.Monitors;
using ExpressHa.Service.Tests.Resources;

namespace ExpressHa.Service.Tests.Monitors;

/// <summary>The disk probe on real files, a loop device and a named pipe without a writer (an open that never returns,
/// so the read hangs in the kernel like one on a dead device).</summary>
[Trait("Category", TestCategory.Mirror)]
public sealed class DiskProbeTests : IDisposable
{
    readonly RecordingAlerts _alerts = new();
    readonly string _dir = Directory.CreateTempSubdirectory("ehdisk-").FullName;
    string? _loop;

    public void Dispose()
    {
        if (_loop != null) Sh.Run("losetup", "-d", _loop);
        Directory.Delete(_dir, recursive: true);
    }

    MonitorContext Context(string device, bool direct = true) => MonitorContexts.For("disk", _alerts, ("device", device), ("direct", direct), ("ioSizeBytes", 4096L));

    static Task<ProbeResult> Probe(DiskProbe probe, MonitorContext c, CancellationToken ct = default) => probe.ProbeAsync(c, ct);

    string File(string name, int bytes)
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllBytes(path, new byte[bytes]);
        return path;
    }

    [Fact]
    public async Task File_IsReadDirectly()
    {
        var r = await Probe(new DiskProbe(), Context(File("data.img", 1 << 20)));
        Assert.True(r.Healthy, r.Message);
        Assert.Contains("4096 of 4096 bytes", r.Message);
    }

    [NeedsFact(Need.Root, "losetup")]
    public async Task LoopDevice_IsReadDirectly()
    {
        var image = File("loop.img", 4 << 20);
        _loop = Sh.Must("losetup", "-f", "--show", image).Trim();
        var r = await Probe(new DiskProbe(), Context(_loop));
        Assert.True(r.Healthy, r.Message);
        Assert.StartsWith("direct read", r.Message);
        Assert.Contains(_loop, r.Message);
    }

    [Fact]
    public async Task MissingDevice_AndDirectory_AreErrors()
    {
        var missing = await Probe(new DiskProbe(), Context(Path.Combine(_dir, "absent")));
        Assert.False(missing.Healthy);
        Assert.Contains("errno 2", missing.Message);

        var directory = await Probe(new DiskProbe(), Context(_dir, direct: false));
        Assert.False(directory.Healthy);
        Assert.Contains("errno 21", directory.Message); // EISDIR from the read
    }

    [Fact]
    public async Task EmptyFile_IsAnError()
    {
        var r = await Probe(new DiskProbe(), Context(File("empty.img", 0)));
        Assert.False(r.Healthy);
        Assert.Contains("no data", r.Message);
    }

    [Fact]
    public async Task HungRead_TimesOut_LaterChecksSayItStillHangs_ThenItRecovers()
    {
        var fifo = Path.Combine(_dir, "hang");
        Sh.Must("mkfifo", fifo);
        var probe = new DiskProbe();
        var c = Context(fifo, direct: false);

        using (var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Probe(probe, c, timeout.Token));

        var still = await Probe(probe, c);
        Assert.False(still.Healthy);
        Assert.Equal(ProbeCodes.Timeout, ProbeCodes.Split(still.Message).Code);
        Assert.Contains("has not returned", still.Message);

        // A writer releases the blocked open; the left-behind read finishes, and the next check starts a new read
        // (which waits for a writer again) instead of failing at once.
        using (new FileStream(fifo, FileMode.Open, FileAccess.Write)) { }
        for (int i = 0; i < 250 && probe.Hangs(fifo); i++) await Task.Delay(20);
        Assert.False(probe.Hangs(fifo));
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Probe(probe, c, timeout.Token));
        Assert.True(probe.Hangs(fifo));
        using (new FileStream(fifo, FileMode.Open, FileAccess.Write)) { } // releases the new read too
    }

    [Fact]
    public async Task RunnerReportsAHungReadAsTimeout_AndIsNotHungItself()
    {
        var fifo = Path.Combine(_dir, "hang2");
        Sh.Must("mkfifo", fifo);
        var monitor = SchemaRegistry.NewMonitor("diskw", "disk", null);
        monitor.Parameters["device"] = fifo;
        monitor.Parameters["direct"] = false;
        monitor.TimeoutSeconds = 1;
        var errors = new List<string>();
        var runner = new MonitorRunner(MonitorContexts.For(monitor, _alerts), new DiskProbe(), (m, msg) => { errors.Add(msg); return Task.CompletedTask; },
            options: new MonitorRunnerOptions { SecondLength = TimeSpan.FromMilliseconds(200) });

        var first = await runner.CheckOnceAsync(TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(ProbeCodes.Timeout, ProbeCodes.Split(first.Message).Code);
        Assert.Equal(MonitorState.Error, runner.State);
        Assert.Single(errors);

        var second = await runner.CheckOnceAsync(TimeSpan.Zero, CancellationToken.None);
        Assert.Contains("has not returned", second.Message);
        Assert.Single(errors); // the error is raised once

        await using var writer = new FileStream(fifo, FileMode.Open, FileAccess.Write); // releases the left-behind read
    }
}
