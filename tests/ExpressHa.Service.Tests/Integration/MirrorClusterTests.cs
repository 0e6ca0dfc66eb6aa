using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using ExpressHa.Api;
using ExpressHa.Config;
using ExpressHa.Schema;
using ExpressHa.Service.Tests.Mirror.Nbd;
using Xunit.Abstractions;

namespace ExpressHa.Service.Tests.Integration;

/// <summary>A mirror group on two real service processes: the engine replicates between them over loopback, the
/// active node exports the volume over NBD, and failover promotes only an up-to-date copy.</summary>
[Trait("Category", TestCategory.Mirror)]
[Collection(IntegrationCollection.Name)]
public sealed class MirrorClusterTests(ITestOutputHelper output)
{
    const int SizeMiB = 16, Block = 4096;
    const ushort CmdRead = 0, CmdWrite = 1, FlagFua = 1;

    sealed record Setup(int ExportPort);

    static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    static (TestCluster Cluster, Setup Setup) Cluster(ITestOutputHelper output, Action<ClusterConfig, string>? more = null)
    {
        var exportPort = FreePort();
        var mirrorPort = FreePort();
        var t = new TestCluster(output, (c, dir) =>
        {
            var md = new ResourceConfig { Name = "md1", Type = "mirror" };
            SortedDictionary<string, string> PerNode(Func<NodeConfig, string> f) => new(c.Nodes.ToDictionary(n => n.Name, f), StringComparer.Ordinal);
            md.Parameters["dataPath"] = PerNode(n => Path.Combine(dir, n.Name + "-data.img"));
            md.Parameters["metaPath"] = PerNode(n => Path.Combine(dir, n.Name + "-meta.img"));
            md.Parameters["sizeMiB"] = (long)SizeMiB;
            md.Parameters["mirrorAddress"] = PerNode(n => n.Addresses["lan1"]);
            md.Parameters["mirrorPort"] = (long)mirrorPort;
            md.Parameters["exportAddress"] = $"127.0.0.1:{exportPort}";
            md.Parameters["syncRateMiBps"] = 0L;
            c.Groups[0].Resources.Insert(0, md);
            c.Groups[0].FindResource("app")!.DependsOn = new List<string> { "md1" };
            c.Monitors.Add(SchemaRegistry.NewMonitor("mdw1", "mirror", "md1"));
            c.Monitors.Add(SchemaRegistry.NewMonitor("mdnw1", "mirrorconnect", "md1"));
            TestCluster.RecordAppStarts(c, dir);
            more?.Invoke(c, dir);
        });
        return (t, new Setup(exportPort));
    }

    static async Task<List<MirrorStatus>> Mirrors(TestCluster t, string node)
    {
        using var client = t.Client(node);
        return (await client.GetMirrorsAsync()).Mirrors;
    }

    static async Task WaitInSync(TestCluster t, string node)
    {
        await Eventually.ValueAsync(() => Mirrors(t, node),
            last => last.Count == 2 && last.All(m => m.Connection == "Connected" && m.Disk == "UpToDate" && m.Sync == "None"),
            TimeSpan.FromSeconds(30), "mirror md1 in sync on both nodes", last => string.Join("; ", last.Select(Describe)), pollMs: 200);
    }

    /// <summary>Both nodes up, the group online on server1, both copies connected and up to date.</summary>
    static async Task StartInSync(TestCluster t)
    {
        await t.StartAll();
        Assert.Equal("server1", await t.WaitForStartAsync());
        await WaitInSync(t, "server1");
    }

    static string Describe(MirrorStatus m) => $"{m.Node} {m.Role} {m.Connection} {m.Disk} {m.Sync} {m.SyncPercent:0.#}% dirty {m.DirtyBytes} gen {m.CurrentGeneration} {m.LastError}";

    static byte[] Pattern(long value)
    {
        var b = new byte[Block];
        for (var i = 0; i < Block; i += 8) BitConverter.TryWriteBytes(b.AsSpan(i), value);
        return b;
    }

    static async Task<RawNbdClient> Connect(int port)
    {
        var c = await RawNbdClient.ConnectAsync(port);
        await c.HandshakeAsync("md1");
        return c;
    }

    [Fact]
    public async Task EveryAcknowledgedWrite_IsOnTheNewActiveNode_AfterTheActiveNodeIsKilled()
    {
        var (t, s) = Cluster(output);
        using var _ = t;
        await t.Run(async () =>
        {
            await StartInSync(t);

            // A stream of FUA writes, each a block full of its own sequence number; a write counts once the reply came.
            var acked = new Dictionary<long, long>();      // offset -> last acknowledged value
            (long Offset, long Value)? inFlight = null;
            var blocks = SizeMiB * 1024L * 1024 / Block;
            var rnd = new Random(5);
            using (var writer = await Connect(s.ExportPort))
            {
                var killAt = 400;
                for (long seq = 1; ; seq++)
                {
                    var offset = rnd.NextInt64(blocks) * Block;
                    inFlight = (offset, seq);
                    if (seq == killAt) t.C.Crash("server1");
                    try
                    {
                        await writer.SendRequestAsync(CmdWrite, (ulong)seq, (ulong)offset, Block, FlagFua, Pattern(seq));
                        var (error, cookie) = await writer.ReadSimpleReplyAsync().WaitAsync(TimeSpan.FromSeconds(10));
                        Assert.Equal(0u, error);
                        Assert.Equal((ulong)seq, cookie);
                    }
                    catch (Exception ex) when (ex is IOException or SocketException or EndOfStreamException or TimeoutException)
                    {
                        t.Log($"writer stopped at write {seq}: {ex.GetType().Name}");
                        break;
                    }
                    acked[offset] = seq;
                    inFlight = null;
                    Assert.True(seq < killAt + 50, "the writer kept going long after the active node was killed");
                }
            }
            Assert.True(acked.Count > 100, $"only {acked.Count} writes were acknowledged before the crash");

            await t.WaitFor("server2", st => TestCluster.Group(st) is { State: "online", Owner: "server2" }, TimeSpan.FromSeconds(30), "web online on server2");
            // Read the whole volume back on the new active node with a real NBD client.
            var copy = Path.Combine(t.Dir, "after-failover.img");
            var (code, text) = await Tool("nbdcopy", $"nbd://127.0.0.1:{s.ExportPort}/md1", copy);
            Assert.True(code == 0, "nbdcopy failed: " + text);
            var data = await File.ReadAllBytesAsync(copy);
            Assert.Equal(SizeMiB * 1024L * 1024, data.LongLength);
            var lost = new List<string>();
            foreach (var (offset, value) in acked)
            {
                var got = BitConverter.ToInt64(data, (int)offset);
                var ok = got == value || (inFlight is { } f && f.Offset == offset && got == f.Value);
                if (!ok || !data.AsSpan((int)offset, Block).SequenceEqual(Pattern(got))) lost.Add($"offset {offset}: acknowledged {value}, found {got}");
            }
            Assert.True(lost.Count == 0, $"{lost.Count} of {acked.Count} acknowledged writes are missing on server2:\n" + string.Join("\n", lost.Take(20)));
            var md = (await Mirrors(t, "server2")).Single(m => m.Node == "server2");
            Assert.Equal("Primary", md.Role);
        });
    }

    [Fact]
    public async Task AnOutdatedCopy_IsNeverPromoted_TheGroupStaysDown()
    {
        var (t, s) = Cluster(output);
        using var _ = t;
        await t.Run(async () =>
        {
            await StartInSync(t);
            using (var client = t.Client("server1"))
            {
                var r = await client.SuspendMirrorAsync("md1");
                Assert.True(r.Ok, r.Message);
            }
            // Written while the standby is frozen: only server1 has it.
            using (var writer = await Connect(s.ExportPort))
            {
                await writer.SendRequestAsync(CmdWrite, 1, 0, Block, FlagFua, Pattern(77));
                Assert.Equal(0u, (await writer.ReadSimpleReplyAsync()).Error);
            }
            var standby = (await Mirrors(t, "server2")).Single(m => m.Node == "server2");
            Assert.Equal("Outdated", standby.Disk);

            t.C.Crash("server1");
            await Eventually.UntilAsync(() => t.Alerts("server2").Any(a => a.Module == "rc" && a.EventId == 32 && a.Message.Contains("md1")),
                TimeSpan.FromSeconds(15), "server2's refused activation of md1", () => TestCluster.Lines(t.Alerts("server2")), pollMs: 200);
            var alerts = t.Alerts("server2");
            Assert.True(alerts.Any(a => a.Module == "rc" && a.EventId == 32 && a.Message.Contains("md1") && a.Message.Contains("MirrorOutdated")),
                "no refused activation of md1 on server2:\n" + TestCluster.Lines(alerts));
            await Task.Delay(2000);
            Assert.DoesNotContain("server2 start app", t.ReadLines("events.txt"));
            var st = await t.StatusAsync("server2");
            Assert.NotEqual("online", TestCluster.Group(st).State);
            // The refused promotion left the outdated copy as it was: nothing is exported.
            await Assert.ThrowsAnyAsync<SocketException>(() => Connect(s.ExportPort));
        });
    }

    [NeedsFact(Need.None, "nbdcopy")]
    public async Task BackupFromTheStandby_HoldsTheDataAtTheRestPoint_ThenTheDifferenceResyncs()
    {
        var (t, s) = Cluster(output);
        using var _ = t;
        await t.Run(async () =>
        {
            await StartInSync(t);
            var rnd = new Random(9);
            using var writer = await Connect(s.ExportPort);
            for (long i = 0; i < 64; i++)
            {
                await writer.SendRequestAsync(CmdWrite, (ulong)i, (ulong)(rnd.Next(SizeMiB * 256) * Block), Block, FlagFua, Pattern(1000 + i));
                Assert.Equal(0u, (await writer.ReadSimpleReplyAsync()).Error);
            }
            var atRest = Path.Combine(t.Dir, "at-rest.img");
            Assert.Equal(0, (await Tool("nbdcopy", $"nbd://127.0.0.1:{s.ExportPort}/md1", atRest)).Code);

            var backup = Path.Combine(t.Dir, "backup.img");
            var marks = Path.Combine(t.Dir, "backup-steps.txt");
            JobStatus job;
            using (var client = t.Client("server1"))
            {
                job = await client.StartBackupAsync("md1", new BackupRequest { Path = backup, PreCommand = $"echo pre >> {marks}", PostCommand = $"echo post >> {marks}" });
                var id = job.Id;
                job = await Eventually.ValueAsync(() => client.GetJobAsync(id), j => j.State != JobStates.Running, TimeSpan.FromSeconds(60),
                    "the backup job to end", j => $"{j.State} {j.BytesDone}/{j.BytesTotal}", pollMs: 200);
            }
            Assert.True(job.State == JobStates.Succeeded, $"backup job {job.State}: {job.Message}");
            Assert.Equal(SizeMiB * 1024L * 1024, job.BytesTotal);
            Assert.Equal(job.BytesTotal, job.BytesDone);
            Assert.Equal(new[] { "pre", "post" }, t.ReadLines("backup-steps.txt"));
            Assert.Equal(Sha(atRest), Sha(backup));

            // Writes after the backup reach the standby again (resumed, difference resynced): both copies end identical.
            await writer.SendRequestAsync(CmdWrite, 999, 0, Block, FlagFua, Pattern(4242));
            Assert.Equal(0u, (await writer.ReadSimpleReplyAsync()).Error);
            await WaitInSync(t, "server1");
            Assert.Equal(Sha(Path.Combine(t.Dir, "server1-data.img")), Sha(Path.Combine(t.Dir, "server2-data.img")));
            Assert.NotEqual(Sha(backup), Sha(Path.Combine(t.Dir, "server2-data.img")));
        });
    }

    static string Sha(string path)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return Convert.ToHexString(SHA256.HashData(f));
    }

    static async Task<(int Code, string Output)> Tool(string name, params string[] args)
    {
        var psi = new ProcessStartInfo(name) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (p.ExitCode, await o + await e);
    }
}
