using System.Security.Cryptography;
using System.Text;
using ExpressHa.Config;
using ExpressHa.Schema;
using ExpressHa.Service.Resources.MirrorFs;
using ExpressHa.Service.Tests.Mirror.MirrorFs;
using ExpressHa.Service.Tests.Resources;
using Xunit.Abstractions;

namespace ExpressHa.Service.Tests.Integration;

/// <summary>A real file system on the mirror, as users run it: the active node attaches its export with nbdfuse and a
/// loop device and mounts it; an application in the group writes files and fsyncs them; the active node is killed in
/// the middle. Every file whose fsync returned must be on the survivor, intact, after its check and mount, and the
/// file system must check clean; the old node then rejoins, resyncs, and takes the group back with the same files.</summary>
[Trait("Category", TestCategory.Mirror)]
[Collection(IntegrationCollection.Name)]
public sealed class MirrorFileSystemTests(ITestOutputHelper output)
{
    /// <summary>The application: verifies every file it finds (content is a function of the name), reports, then writes
    /// new files, fsyncing each file and the directory and only then recording it in its journal (outside the mirror).</summary>
    const string App = """
        import hashlib, os, sys, time
        mnt, journal, report, pidfile = sys.argv[1:5]
        def content(i):
            seed = hashlib.sha256(str(i).encode()).digest()
            size = 1024 + (i * 7919) % 150000
            return (seed * (size // 32 + 1))[:size]
        names = sorted(n for n in os.listdir(mnt) if n.startswith('f') and n[1:].isdigit())
        intact, bad = [], []
        for n in names:
            with open(os.path.join(mnt, n), 'rb') as f:
                (intact if f.read() == content(int(n[1:])) else bad).append(n)
        with open(report, 'a') as r:
            r.write('intact ' + ','.join(intact) + ' bad ' + ','.join(bad) + '\n')
        with open(pidfile + '.tmp', 'w') as p: p.write(str(os.getpid()))
        os.rename(pidfile + '.tmp', pidfile)
        i = max([int(n[1:]) for n in names], default=0) + 1
        dfd = os.open(mnt, os.O_RDONLY)
        with open(journal, 'a', buffering=1) as j:
            while True:
                name = 'f%06d' % i
                fd = os.open(os.path.join(mnt, name), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                os.write(fd, content(i))
                os.fsync(fd)
                os.close(fd)
                os.fsync(dfd)
                j.write(name + '\n')
                i += 1
                time.sleep(0.005)
        """;

    static string Mnt(string dir, string node) => Path.Combine(dir, "mnt-" + node);

    static TestCluster Cluster(ITestOutputHelper output, string fsType, int sizeMiB)
        => new(output, (c, dir) =>
        {
            File.WriteAllText(Path.Combine(dir, "fsapp.py"), App);
            var md = new ResourceConfig { Name = "md1", Type = "mirror" };
            SortedDictionary<string, string> PerNode(Func<NodeConfig, string> f) => new(c.Nodes.ToDictionary(n => n.Name, f), StringComparer.Ordinal);
            md.Parameters["dataPath"] = PerNode(n => Path.Combine(dir, n.Name + "-data.img"));
            md.Parameters["metaPath"] = PerNode(n => Path.Combine(dir, n.Name + "-meta.img"));
            md.Parameters["sizeMiB"] = (long)sizeMiB;
            md.Parameters["mirrorAddress"] = PerNode(n => n.Addresses["lan1"]);
            md.Parameters["mirrorPort"] = (long)FreePort();
            md.Parameters["exportAddress"] = PerNode(n => "unix:" + Path.Combine(dir, n.Name + "-nbd.sock"));
            md.Parameters["mountPoint"] = PerNode(n => Mnt(dir, n.Name));
            md.Parameters["fsType"] = fsType;
            // Both nodes run on this one host, and the killed node's mount stays: xfs refuses a second mount of a file system with the same UUID.
            if (fsType == "xfs") md.Parameters["mountOptions"] = "nouuid";
            md.Parameters["attach"] = AttachMethods.NbdFuseName;
            md.Parameters["unmountGraceSeconds"] = 2L;
            md.Parameters["syncRateMiBps"] = 0L;
            c.Groups[0].Resources.Insert(0, md);
            var app = c.Groups[0].FindResource("app")!;
            app.DependsOn = new List<string> { "md1" };
            var pid = "$EXPRESSHA_STATE_DIR/app.pid";
            app.Parameters["start"] = $"rm -f {pid}; /usr/bin/python3 '{dir}/fsapp.py' '{dir}'/mnt-$EXPRESSHA_NODE '{dir}'/journal-$EXPRESSHA_NODE.txt " +
                $"'{dir}'/report-$EXPRESSHA_NODE.txt {pid} >>'{dir}'/app-$EXPRESSHA_NODE.log 2>&1 & " +
                $"for i in $(seq 600); do [ -s {pid} ] && exit 0; sleep 0.05; done; exit 1";
            app.Parameters["stop"] = $"[ -s {pid} ] && kill $(cat {pid}); for i in $(seq 100); do [ -s {pid} ] && kill -0 $(cat {pid}) 2>/dev/null || break; sleep 0.05; done; rm -f {pid}";
            c.Monitors.Add(SchemaRegistry.NewMonitor("mdw1", "mirror", "md1"));
        });

    static int FreePort()
    {
        using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }

    static async Task WaitInSync(TestCluster t, string node)
    {
        using var client = t.Client(node);
        await Eventually.ValueAsync(async () => (await client.GetMirrorsAsync()).Mirrors,
            last => last.Count == 2 && last.All(m => m.Connection == "Connected" && m.Disk == "UpToDate" && m.Sync == "None"),
            TimeSpan.FromSeconds(120), "md1 in sync",
            last => string.Join("; ", last.Select(m => $"{m.Node} {m.Role} {m.Connection} {m.Disk} {m.Sync} {m.SyncPercent:0.#}%")), pollMs: 200);
    }

    static byte[] Content(int i)
    {
        var seed = SHA256.HashData(Encoding.ASCII.GetBytes(i.ToString()));
        var size = 1024 + (int)((long)i * 7919 % 150000);
        var b = new byte[size];
        for (int o = 0; o < size; o += 32) seed.AsSpan(0, Math.Min(32, size - o)).CopyTo(b.AsSpan(o));
        return b;
    }

    static async Task<List<string>> WaitJournal(TestCluster t, string node, int atLeast)
    {
        return await Eventually.ValueAsync(() => Task.FromResult(t.ReadLines($"journal-{node}.txt")), lines => lines.Count >= atLeast,
            TimeSpan.FromSeconds(60), $"the application on {node} to journal {atLeast} files",
            lines => $"{lines.Count} journaled; its log: {string.Join(" ", t.ReadLines($"app-{node}.log"))}", pollMs: 100);
    }

    /// <summary>Every named file is in the directory with its content.</summary>
    static void AssertFiles(string dir, IEnumerable<string> names, string where)
    {
        var missing = new List<string>();
        foreach (var n in names)
        {
            var path = Path.Combine(dir, n);
            if (!File.Exists(path)) missing.Add(n + " (absent)");
            else if (!File.ReadAllBytes(path).AsSpan().SequenceEqual(Content(int.Parse(n[1..])))) missing.Add(n + " (content differs)");
        }
        Assert.True(missing.Count == 0, $"{missing.Count} fsynced files are not intact {where}: {string.Join(", ", missing.Take(20))}");
    }

    /// <summary>fsck -n of the node's copy while the file system is frozen (its journal flushed, nothing changing).
    /// xfs keeps changes in its log even when frozen, and xfs_repair -n does not replay a log: a copy taken while
    /// frozen is mounted once (the log replayed) and then checked.</summary>
    static void AssertChecksClean(TestCluster t, string node, string fsType)
    {
        var image = Path.Combine(t.Dir, node + "-data.img");
        var copy = Path.Combine(t.Dir, node + "-check.img");
        Sh.Must("fsfreeze", "-f", Mnt(t.Dir, node));
        (int Code, string Output) r = (0, "");
        try
        {
            if (fsType == "xfs") Sh.Must("cp", "--sparse=always", image, copy);
            else r = Sh.Run("e2fsck", "-fn", image);
        }
        finally { Sh.Run("fsfreeze", "-u", Mnt(t.Dir, node)); }
        if (fsType == "xfs")
        {
            var replay = Directory.CreateDirectory(Path.Combine(t.Dir, node + "-replay")).FullName;
            Sh.Must("mount", "-o", "loop,nouuid", copy, replay);
            Sh.Must("umount", replay);
            r = Sh.Run("xfs_repair", "-n", "-f", copy);
            File.Delete(copy);
        }
        Assert.True(r.Code == 0, $"fsck -n of {node}'s copy is not clean (exit {r.Code}):\n{r.Output}");
    }

    [NeedsTheory(Need.Root, "nbdfuse", "fusermount3", "mkfs.ext4", "e2fsck", "fsfreeze")]
    [InlineData("ext4", 64)]
    [InlineData("xfs", 320)]
    public async Task EveryFsyncedFile_SurvivesTheActiveNodesCrash_ThenTheGroupMovesBackWithTheSameFiles(string fsType, int sizeMiB)
    {
        using var t = Cluster(output, fsType, sizeMiB);
        try
        {
            await t.Run(async () =>
            {
                await t.StartAll();
                Assert.Equal("server1", await t.WaitForStartAsync());
                await WaitInSync(t, "server1");
                Assert.Equal(fsType, MountTable.At(Mnt(t.Dir, "server1"))?.FsType);
                Assert.Contains("creating " + fsType, t.NodeLog("server1"));

                await WaitJournal(t, "server1", 60);
                t.C.Crash("server1");                 // the service and the application: SIGKILL
                var acknowledged = t.ReadLines("journal-server1.txt");
                t.Log($"server1 killed after {acknowledged.Count} fsynced files");

                await t.WaitFor("server2", s => TestCluster.Group(s) is { State: "online", Owner: "server2" }, TimeSpan.FromSeconds(90), "web online on server2");
                Assert.Contains("fsck -p", t.NodeLog("server2"));
                Assert.Equal(fsType, MountTable.At(Mnt(t.Dir, "server2"))?.FsType);
                AssertFiles(Mnt(t.Dir, "server2"), acknowledged, "on server2 after the failover");
                // The application started on the survivor and read them all back.
                var report = t.ReadLines("report-server2.txt").Last();
                var intact = report.Split(' ')[1].Split(',').ToHashSet();
                Assert.True(acknowledged.All(intact.Contains), "the application on server2 did not read every fsynced file intact: " + report);
                AssertChecksClean(t, "server2", fsType);
                var afterFailover = await WaitJournal(t, "server2", 20);

                // The old node rejoins: the service's start stops what its crash left (unmount, detach), then it resyncs.
                t.C.Start("server1");
                await WaitInSync(t, "server2");
                Assert.Null(MountTable.At(Mnt(t.Dir, "server1")));
                Assert.False(File.Exists(Path.Combine(t.C.StateDir("server1"), "mirror-md1.attach.json")), "server1's attach record is still there after its start");
                Assert.Contains("detached", t.NodeLog("server1"));
                using (var c = t.Client("server2"))
                {
                    var r = await c.MoveGroupAsync("web", "server1");
                    Assert.True(r.Ok, r.Message);
                }
                await t.WaitForAll(s => TestCluster.Group(s) is { State: "online", Owner: "server1" }, TimeSpan.FromSeconds(90), "web online on server1 again");
                Assert.Null(MountTable.At(Mnt(t.Dir, "server2")));
                var written = t.ReadLines("journal-server2.txt");
                Assert.True(written.Count >= afterFailover.Count);
                AssertFiles(Mnt(t.Dir, "server1"), acknowledged.Concat(written), "on server1 after the switchover back");
                var back = t.ReadLines("report-server1.txt").Last().Split(' ')[1].Split(',').ToHashSet();
                Assert.True(acknowledged.Concat(written).All(back.Contains), "the application on server1 did not read every file back");
                AssertChecksClean(t, "server1", fsType);
            });
        }
        finally { FsScratch.TearDown(t.Dir); }
    }
}
