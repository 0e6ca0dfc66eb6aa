using System.Diagnostics;
using ExpressHa.Config;
using ExpressHa.Service.Resources;

namespace ExpressHa.Service.Tests.Resources;

[Trait("Category", TestCategory.Process)]
public sealed class ExecResourceTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("ehexec-").FullName;
    readonly RecordingAlerts _alerts = new();
    readonly List<int> _pids = new();

    public void Dispose()
    {
        foreach (var pid in _pids) Sh.KillQuietly(pid);
        try { Directory.Delete(_dir, true); } catch { }
    }

    /// <summary>Commands run in the test's directory unless the test sets workingDirectory.</summary>
    ResourceContext Ctx(params (string Key, object Value)[] p)
        => TestConfigs.Resource("app", "exec", TestConfigs.Bag(p.Any(x => x.Key == "workingDirectory") ? p : p.Append(("workingDirectory", (object)_dir)).ToArray()), _alerts, _dir);

    int ReadPid(string file)
    {
        var pid = int.Parse(File.ReadAllText(Path.Combine(_dir, file)).Trim());
        _pids.Add(pid);
        return pid;
    }

    [Fact]
    public async Task Start_SeesEnvironmentAndWorkingDirectory_AndOutputIsLogged()
    {
        var env = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["FOO"] = "bar baz" };
        var ctx = Ctx(("start", "echo \"phase=$EXPRESSHA_PHASE group=$EXPRESSHA_GROUP res=$EXPRESSHA_RESOURCE node=$EXPRESSHA_NODE cluster=$EXPRESSHA_CLUSTER foo=$FOO\"; echo oops >&2; pwd"),
            ("workingDirectory", _dir), ("environment", env));

        await new ExecResource().StartAsync(ctx, CancellationToken.None);

        var lines = _alerts.LogLines("exec").ToList();
        Assert.Contains("app: phase=start group=g1 res=app node=n1 cluster=c1 foo=bar baz", lines);
        Assert.Contains("app: oops", lines);
        Assert.Contains("app: " + _dir, lines);
    }

    [Fact]
    public async Task PerNodeCommandsAndDirectory_RunThisNodesValue()
    {
        var other = Directory.CreateTempSubdirectory("ehexec-other-").FullName;
        try
        {
            var start = new SortedDictionary<string, string>(StringComparer.Ordinal) { [TestConfigs.NodeName] = "echo mine; pwd", ["n2"] = "echo theirs" };
            var dir = new SortedDictionary<string, string>(StringComparer.Ordinal) { [TestConfigs.NodeName] = _dir, ["n2"] = other };
            await new ExecResource().StartAsync(Ctx(("start", start), ("workingDirectory", dir)), CancellationToken.None);
            // A single value is the same command on every node.
            await new ExecResource().StopAsync(Ctx(("start", start), ("stop", "echo everywhere")), CancellationToken.None);

            var lines = _alerts.LogLines("exec").ToList();
            Assert.Contains("app: mine", lines);
            Assert.Contains("app: " + _dir, lines);
            Assert.Contains("app: everywhere", lines);
            Assert.DoesNotContain("app: theirs", lines);
        }
        finally { Directory.Delete(other, true); }
    }

    [Fact]
    public async Task Stop_RunsWithPhaseStop()
    {
        var ctx = Ctx(("start", "true"), ("stop", "echo \"stopping $EXPRESSHA_PHASE\""));
        await new ExecResource().StopAsync(ctx, CancellationToken.None);
        Assert.Contains("app: stopping stop", _alerts.LogLines("exec"));
    }

    [Fact]
    public async Task NonZeroExit_ThrowsWithCodeAndLastLine()
    {
        var ctx = Ctx(("start", "echo first; echo 'cannot bind port 8080' >&2; exit 3"));
        var e = await Assert.ThrowsAsync<ResourceException>(() => new ExecResource().StartAsync(ctx, CancellationToken.None));
        Assert.Equal(ResourceErrorCodes.CommandFailed, e.Code);
        Assert.Equal(3, e.Data["exitCode"]);
        Assert.Contains("exited with 3", e.Message);
        Assert.EndsWith("cannot bind port 8080", e.Message);
    }

    [Fact]
    public async Task FailingStop_Throws()
    {
        var ctx = Ctx(("start", "true"), ("stop", "exit 1"));
        var e = await Assert.ThrowsAsync<ResourceException>(() => new ExecResource().StopAsync(ctx, CancellationToken.None));
        Assert.Equal(ResourceErrorCodes.CommandFailed, e.Code);
        Assert.Contains("stop command exited with 1", e.Message);
    }

    [Fact]
    public async Task Timeout_KillsTheWholeProcessGroup_EvenChildrenIgnoringSigterm()
    {
        // A child that ignores SIGTERM and a plain one; the shell itself waits forever.
        var ctx = Ctx(("start", "sh -c 'trap \"\" TERM; while :; do sleep 1; done' & echo $! > stubborn.pid; sleep 300 & echo $! > plain.pid; echo waiting; wait"),
            ("startTimeoutSeconds", 1L));
        var sw = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<ResourceException>(() => new ExecResource(killGrace: TimeSpan.FromMilliseconds(300)).StartAsync(ctx, CancellationToken.None));
        Assert.Equal(ResourceErrorCodes.Timeout, e.Code);
        Assert.Contains("timed out", e.Message);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), "took " + sw.Elapsed);

        await Eventually.UntilAsync(() => !Sh.Alive(ReadPid("plain.pid")), TimeSpan.FromSeconds(5), "the plain child to end");
        await Eventually.UntilAsync(() => !Sh.Alive(ReadPid("stubborn.pid")), TimeSpan.FromSeconds(5), "the child ignoring SIGTERM to end");
    }

    [Fact]
    public async Task BackgroundDaemon_DoesNotHangStart_AndItsLaterOutputIsStillLogged()
    {
        var ctx = Ctx(("start", "(sleep 0.5; echo daemon-late; exec sleep 60) & echo $! > daemon.pid; echo started"));
        var sw = Stopwatch.StartNew();
        await new ExecResource().StartAsync(ctx, CancellationToken.None);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(3), "start took " + sw.Elapsed);
        var pid = ReadPid("daemon.pid");
        Assert.True(Sh.Alive(pid), "the daemon should keep running after start");
        Assert.Contains("app: started", _alerts.LogLines("exec"));
        await Eventually.UntilAsync(() => _alerts.Logs.Any(l => l.Message == "app: daemon-late"), TimeSpan.FromSeconds(5), "the daemon's later output in the log",
            () => string.Join(" | ", _alerts.Logs.Select(l => l.Message)));
    }

    [Fact]
    public async Task NoStopCommand_StopSucceeds_AndStopIsIdempotent()
    {
        await new ExecResource().StopAsync(Ctx(("start", "true")), CancellationToken.None);

        var marker = Path.Combine(_dir, "running");
        var ctx = Ctx(("start", $"touch {marker}"), ("stop", $"rm -f {marker}"));
        var exec = new ExecResource();
        await exec.StartAsync(ctx, CancellationToken.None);
        Assert.True(File.Exists(marker));
        await exec.StopAsync(ctx, CancellationToken.None);
        await exec.StopAsync(ctx, CancellationToken.None);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task MissingWorkingDirectory_IsCannotRun()
    {
        var ctx = Ctx(("start", "true"), ("workingDirectory", Path.Combine(_dir, "nope")));
        var e = await Assert.ThrowsAsync<ResourceException>(() => new ExecResource().StartAsync(ctx, CancellationToken.None));
        Assert.Equal(ResourceErrorCodes.CannotRun, e.Code);
    }

    [Fact]
    public async Task Cancellation_KillsTheCommandAndThrows()
    {
        var ctx = Ctx(("start", "sleep 300 & echo $! > c.pid; wait"));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new ExecResource(TimeSpan.FromMilliseconds(200)).StartAsync(ctx, cts.Token));
        await Eventually.UntilAsync(() => !Sh.Alive(ReadPid("c.pid")), TimeSpan.FromSeconds(5), "the child to end");
    }

    [Fact]
    public void Registry_HasExecAndFloatip_AndEachTypeIsKnownToTheSchema()
    {
        var reg = ResourceDriverRegistry.Default(ExpressHa.Service.Resources.Aws.AwsClientsProvider.Default());
        Assert.IsType<ExecResource>(reg.Get("exec"));
        Assert.IsType<FloatIpResource>(reg.Get("floatip"));
        Assert.True(reg.Has("exec"));
        Assert.True(reg.Has("awsvip"));
        Assert.Equal(ResourceErrorCodes.Internal, Assert.Throws<ResourceException>(() => reg.Get("nope")).Code);
        foreach (var t in reg.Types) Assert.NotNull(ExpressHa.Schema.SchemaRegistry.FindResource(t));
    }

    [Theory]
    [InlineData("exit 0", ResourceProbe.Active)]
    [InlineData("exit 1", ResourceProbe.Inactive)]
    [InlineData("exit 3", ResourceProbe.Unknown)]
    [InlineData(null, ResourceProbe.Unknown)]
    public async Task TheProbeCommandSaysWhetherTheResourceRunsHere(string? probe, ResourceProbe expected)
    {
        var p = new List<(string, object)> { ("start", "true") };
        if (probe != null) p.Add(("probe", $"[ \"$EXPRESSHA_PHASE\" = probe ] || exit 9; {probe}"));
        Assert.Equal(expected, await new ExecResource().ProbeAsync(Ctx(p.ToArray()), CancellationToken.None));
    }
}
