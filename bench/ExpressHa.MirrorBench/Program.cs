using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using ExpressHa.MirrorBench;
using ExpressHa.Service.Mirror;
using ExpressHa.Service.Mirror.Nbd;

// Mirror benchmark: the same NBD client writes to the mirrored export (two engines on loopback, synchronous) and to an
// unreplicated export of a file of the same size served by nbdkit's file plugin, alternating, in the same run; then the
// differential resync of 1% dirty blocks against a full copy.
// With --fs, also the file-system view (FsBench): ext4 and fio on a loop file, on nbdfuse over nbdkit and on nbdfuse
// over the mirror (needs root, fio, nbdfuse, /dev/fuse and loop devices).
// dotnet run -c Release --project bench/ExpressHa.MirrorBench -- [--size-mib 256] [--runs 3] [--rand 3000] [--fs] [--fs-rand-seconds 10] [--keep]

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var sizeMiB = 256;
var runs = 3;
var randWrites = 3000;
var keep = false;
var fs = false;
var fsRandSeconds = 10;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--size-mib" when i + 1 < args.Length: sizeMiB = int.Parse(args[++i]); break;
        case "--runs" when i + 1 < args.Length: runs = int.Parse(args[++i]); break;
        case "--rand" when i + 1 < args.Length: randWrites = int.Parse(args[++i]); break;
        case "--keep": keep = true; break;
        case "--fs": fs = true; break;
        case "--fs-rand-seconds" when i + 1 < args.Length: fsRandSeconds = int.Parse(args[++i]); break;
        default: Console.Error.WriteLine("usage: ExpressHa.MirrorBench [--size-mib N] [--runs N] [--rand N] [--fs] [--fs-rand-seconds N] [--keep]"); return 2;
    }
}
var size = sizeMiB * 1024L * 1024;
var dir = Directory.CreateTempSubdirectory("expressha-mirrorbench-").FullName;
Console.WriteLine($"mirror bench: {sizeMiB} MiB volume, {runs} runs, {randWrites} random 4 KiB writes per run, dir {dir}");

var key = RandomNumberGenerator.GetBytes(32);
int FreePort() { using var l = new TcpListener(IPAddress.Loopback, 0); l.Start(); return ((IPEndPoint)l.LocalEndpoint).Port; }
int portA = FreePort(), portB = FreePort();
MirrorEngine? a = null, b = null;
MirrorOptions Options(string node) => new()
{
    Name = "md1", LocalNode = node, PeerNode = node == "a" ? "b" : "a",
    DataPath = Path.Combine(dir, node + ".data"), MetaPath = Path.Combine(dir, node + ".meta"), SizeBytes = size,
    ListenEndPoint = new IPEndPoint(IPAddress.Loopback, node == "a" ? portA : portB),
    PeerEndPoint = new IPEndPoint(IPAddress.Loopback, node == "a" ? portB : portA),
    ClusterKey = key, ConnectRetryInterval = TimeSpan.FromMilliseconds(100),
    OutdatePeer = async ct => { var other = node == "a" ? b : a; if (other is null) return false; await other.OutdateAsync(ct); return true; },
};
async Task<MirrorEngine> Start(string node) { var e = new MirrorEngine(Options(node)); await e.StartAsync(default); return e; }
async Task<TimeSpan> WaitConnected()
{
    var sw = Stopwatch.StartNew();
    while (a!.GetStatus().Connection != "Connected" || b!.GetStatus().Connection != "Connected") await Task.Delay(1);
    return sw.Elapsed;
}
async Task<TimeSpan> WaitInSync()
{
    var sw = Stopwatch.StartNew();
    while (true)
    {
        var sa = a!.GetStatus();
        var sb = b!.GetStatus();
        if (sa.Connection == "Connected" && sb.Connection == "Connected" && sa.Sync == "None" && sb.Sync == "None" && sa.Disk == "UpToDate" && sb.Disk == "UpToDate")
            return sw.Elapsed;
        if (sw.Elapsed > TimeSpan.FromMinutes(10)) throw new TimeoutException($"not in sync: a {sa.Connection}/{sa.Disk}/{sa.Sync}, b {sb.Connection}/{sb.Disk}/{sb.Sync}");
        await Task.Delay(5);
    }
}

a = await Start("a");
b = await Start("b");
while (a.GetStatus().Connection != "Connected") await Task.Delay(20);
var device = await a.PromoteAsync(default);
var initial = await WaitInSync();
Console.WriteLine($"initial mirror construction ({sizeMiB} MiB): {initial.TotalSeconds:0.00} s");

var mirrorSock = Path.Combine(dir, "mirror.sock");
await using var export = new NbdServer("md1", device);
await export.StartAsync("unix:" + mirrorSock, default);

// The baseline: nbdkit's file plugin on a file of the same size, same file system.
var baseImg = Path.Combine(dir, "base.img");
using (var f = File.Create(baseImg)) f.SetLength(size);
var baseSock = Path.Combine(dir, "base.sock");
var nbdkit = Process.Start(new ProcessStartInfo("nbdkit", ["-f", "--exit-with-parent", "-U", baseSock, "file", "file=" + baseImg]) { RedirectStandardError = true })!;
for (var w = 0; w < 100 && !File.Exists(baseSock); w++) await Task.Delay(50);
if (!File.Exists(baseSock)) { Console.Error.WriteLine("nbdkit did not start: " + nbdkit.StandardError.ReadToEnd()); return 1; }

// Also our own NBD server on a plain file (no replication): tells the NBD layer's share from the mirror's.
var plainImg = Path.Combine(dir, "plain.img");
using var plainDevice = FileBlockDevice.Create(plainImg, size);
var plainSock = Path.Combine(dir, "plain.sock");
await using var plainExport = new NbdServer("plain", plainDevice);
await plainExport.StartAsync("unix:" + plainSock, default);

var targets = new[] { ("baseline", "unix:" + baseSock, ""), ("plain-ours", "unix:" + plainSock, "plain"), ("mirrored", "unix:" + mirrorSock, "md1") };
// Warm-up: write the whole volume once on both (allocates the files' blocks, JIT), not measured.
foreach (var (_, ep, name) in targets) await Sequential(ep, name);
if (Environment.GetEnvironmentVariable("MIRRORBENCH_PROFILE") is { Length: > 0 } only)
{
    var (_, pep, pname) = targets.First(t => t.Item1 == only);
    Console.WriteLine($"profiling {only}: pid {Environment.ProcessId}");
    File.WriteAllText(Path.Combine(dir, "profile.ready"), "");
    for (var i = 0; i < 10; i++) Console.WriteLine($"{await Sequential(pep, pname):0}");
    return 0;
}

// CPU time of this process (client, NBD servers, both engines) and nbdkit per MiB written: unlike MiB/s it moves
// little with the load other work puts on the machine.
double CpuSeconds()
{
    static double Of(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(f[11]) + long.Parse(f[12])) / 100.0; // utime + stime in clock ticks (USER_HZ 100)
    }
    return Of(Environment.ProcessId) + (nbdkit.HasExited ? 0 : Of(nbdkit.Id));
}
var cpu = targets.ToDictionary(t => t.Item1, _ => new List<double>());
var seq = targets.ToDictionary(t => t.Item1, _ => new List<double>());
var lat = targets.ToDictionary(t => t.Item1, _ => new List<double>());
var flush = targets.ToDictionary(t => t.Item1, _ => new List<double>());
for (var run = 0; run < runs; run++)
    foreach (var (label, ep, name) in targets)
    {
        var cpu0 = CpuSeconds();
        seq[label].Add(await Sequential(ep, name, flush[label]));
        cpu[label].Add((CpuSeconds() - cpu0) * 1000 / sizeMiB);
        lat[label].AddRange(await Random4K(ep, name, randWrites, 1000 + run));
    }

double Median(List<double> x) { var s = x.OrderBy(v => v).ToList(); return s[s.Count / 2]; }
double Pct(List<double> x, double p) { var s = x.OrderBy(v => v).ToList(); return s[Math.Min(s.Count - 1, (int)(p * s.Count))]; }
Console.WriteLine();
Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");
Console.WriteLine($"{"target",-10} {"seq 1 MiB MiB/s",16} {"final flush ms",15} {"CPU ms/MiB",11} {"4K p50 µs",10} {"4K p99 µs",10} {"4K mean µs",11}");
foreach (var (label, _, _) in targets)
    Console.WriteLine($"{label,-10} {Median(seq[label]),16:0.0} {Median(flush[label]),15:0} {Median(cpu[label]),11:0.00} {Pct(lat[label], 0.5),10:0} {Pct(lat[label], 0.99),10:0} {lat[label].Average(),11:0}");
Console.WriteLine($"CPU per MiB written mirrored/baseline: {Median(cpu["mirrored"]) / Median(cpu["baseline"]):0.00}");
var seqRatio = Median(seq["mirrored"]) / Median(seq["baseline"]);
var latRatio = Pct(lat["mirrored"], 0.5) / Pct(lat["baseline"], 0.5);
var meanRatio = lat["mirrored"].Average() / lat["baseline"].Average();
Console.WriteLine($"sequential throughput mirrored/baseline: {seqRatio:0.00} (target >= 0.70)");
Console.WriteLine($"4 KiB write latency mirrored/baseline: p50 {latRatio:0.00}, mean {meanRatio:0.00} (target <= 2.0)");

if (fs)
{
    Console.WriteLine();
    Console.WriteLine($"file system (ext4, fio, {runs} runs, medians):");
    var fsResults = await FsBench.RunAsync(dir, $"nbd+unix:///?socket={baseSock}", $"nbd+unix:///md1?socket={mirrorSock}", Math.Min(512, sizeMiB / 2), fsRandSeconds, runs);
    Console.WriteLine($"{"target",-15} {"seq MiB/s",10} {"4K+fsync IOPS",14} {"mean µs",8} {"fsync p99 µs",13}");
    foreach (var r in fsResults) Console.WriteLine($"{r.Target,-15} {r.SeqMiBps,10:0.0} {r.FsyncIops,14:0} {r.FsyncMeanUs,8:0} {r.FsyncP99Us,13:0}");
    var loopFile = fsResults[0];
    var mirrorFs = fsResults[2];
    Console.WriteLine($"file system mirrored/loop-file: sequential {mirrorFs.SeqMiBps / loopFile.SeqMiBps:0.00}, 4K+fsync IOPS {mirrorFs.FsyncIops / loopFile.FsyncIops:0.00}; " +
        $"mirrored/nbdfuse-nbdkit (the replication alone): {mirrorFs.SeqMiBps / fsResults[1].SeqMiBps:0.00}, {mirrorFs.FsyncIops / fsResults[1].FsyncIops:0.00}");
}

// Resync: the standby goes away, 1% of the blocks change, it comes back: only those move. Then a full copy to a
// standby that lost its disk, for comparison.
var blocks = size / MirrorOptions.DefaultBlockSize;
var dirty = Math.Max(1, blocks / 100);
await b.DisposeAsync();
b = null;
using (var c = await NbdBenchClient.ConnectAsync("unix:" + mirrorSock, "md1"))
{
    var payload = RandomNumberGenerator.GetBytes(4096);
    foreach (var blk in Enumerable.Range(0, (int)blocks).OrderBy(_ => Random.Shared.Next()).Take((int)dirty))
        await c.WriteAsync(blk * (long)MirrorOptions.DefaultBlockSize, payload);
    await c.FlushAsync();
}
var dirtyBytes = a.GetStatus().DirtyBytes;
b = await Start("b");
var diffConnect = await WaitConnected();
var diff = await WaitInSync();
await b.DisposeAsync();
b = null;
File.Delete(Path.Combine(dir, "b.data"));
File.Delete(Path.Combine(dir, "b.meta"));
b = await Start("b");
var fullConnect = await WaitConnected();
var full = await WaitInSync();
Console.WriteLine();
Console.WriteLine($"resync of 1% dirty ({dirty} of {blocks} blocks, {dirtyBytes / 1024} KiB recorded): {diff.TotalMilliseconds:0} ms after connecting ({diffConnect.TotalMilliseconds:0} ms to connect)");
Console.WriteLine($"full copy of {sizeMiB} MiB: {full.TotalMilliseconds:0} ms after connecting ({fullConnect.TotalMilliseconds:0} ms to connect)");
Console.WriteLine($"differential/full: {diff.TotalMilliseconds / full.TotalMilliseconds:0.000} (target < 0.05)");

await device.FlushAsync(default);
var same = Sha(Path.Combine(dir, "a.data")) == Sha(Path.Combine(dir, "b.data"));
Console.WriteLine($"copies identical after the runs: {same}");

nbdkit.Kill();
await export.StopAsync();
await b.DisposeAsync();
await a.DisposeAsync();
if (!keep) Directory.Delete(dir, true);
return same ? 0 : 1;

static string Sha(string path) { using var f = File.OpenRead(path); return Convert.ToHexString(SHA256.HashData(f)); }

static async Task<double> Sequential(string endpoint, string name, List<double>? flushMs = null)
{
    using var c = await NbdBenchClient.ConnectAsync(endpoint, name);
    var chunk = new byte[1024 * 1024];
    Random.Shared.NextBytes(chunk);
    var sw = Stopwatch.StartNew();
    for (long off = 0; off < (long)c.Size; off += chunk.Length) await c.WriteAsync(off, chunk);
    var writes = sw.Elapsed;
    await c.FlushAsync();
    flushMs?.Add((sw.Elapsed - writes).TotalMilliseconds);
    return c.Size / 1048576.0 / sw.Elapsed.TotalSeconds;
}

static async Task<List<double>> Random4K(string endpoint, string name, int count, int seed)
{
    using var c = await NbdBenchClient.ConnectAsync(endpoint, name);
    var rnd = new Random(seed);
    var buf = new byte[4096];
    rnd.NextBytes(buf);
    var result = new List<double>(count);
    var slots = (long)c.Size / 4096;
    for (var i = 0; i < count; i++)
    {
        var off = rnd.NextInt64(slots) * 4096;
        var t0 = Stopwatch.GetTimestamp();
        await c.WriteAsync(off, buf);
        result.Add(Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
    }
    await c.FlushAsync();
    return result;
}
