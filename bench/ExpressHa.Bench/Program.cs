using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using ExpressHa.Bench;

// ExpressHa benchmark: failover and switchover time of an exec group on loopback, beside the heartbeat timeout and a
// baseline (the same start command run directly, without the cluster), plus the idle cost of a node.
// dotnet run -c Release --project bench/ExpressHa.Bench -- --runs 10 [--app sleep|http] [--timeout-ms 1000]
//   [--idle-settle 30] (seconds of quiet before the 10 s idle measurement: past JIT tiering, the steady state)
//   [--tp-spin N] (experiment: DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=N for the node processes)  [--keep]

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var runs = 10;
var timeoutMs = 1000;
var appKind = "sleep";
var keep = false;
var settleSeconds = 30;
string? tpSpin = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--runs" when i + 1 < args.Length && int.TryParse(args[i + 1], out var r) && r > 0: runs = r; i++; break;
        case "--timeout-ms" when i + 1 < args.Length && int.TryParse(args[i + 1], out var t) && t >= 200: timeoutMs = t; i++; break;
        case "--app" when i + 1 < args.Length && args[i + 1] is "sleep" or "http": appKind = args[i + 1]; i++; break;
        case "--idle-settle" when i + 1 < args.Length && int.TryParse(args[i + 1], out var st) && st >= 0: settleSeconds = st; i++; break;
        case "--tp-spin" when i + 1 < args.Length && int.TryParse(args[i + 1], out _): tpSpin = args[i + 1]; i++; break;
        case "--keep": keep = true; break;
        default:
            Console.Error.WriteLine("usage: ExpressHa.Bench [--runs N] [--app sleep|http] [--timeout-ms MS] [--idle-settle SECONDS] [--tp-spin N] [--keep]");
            return 2;
    }
}
var intervalMs = Math.Max(50, timeoutMs / 5);
var dir = Path.Combine(Path.GetTempPath(), "expressha-bench-" + Environment.ProcessId);
Directory.CreateDirectory(dir);

// The application the exec resource starts: "sleep" is a trivial daemon (so the figures are the cluster's own cost);
// "http" is the demo's HTTP application, a .NET process the start command waits for until it answers.
var (dotnet, dll) = BenchCluster.Service();
var appPort = 0;
string start;
if (appKind == "sleep")
{
    start = "sleep 86400 >/dev/null 2>&1 & echo $! > \"$EXPRESSHA_STATE_DIR/app.pid\"";
}
else
{
    using (var s = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0)) { s.Start(); appPort = ((System.Net.IPEndPoint)s.LocalEndpoint).Port; }
    start = $"rm -f \"$EXPRESSHA_STATE_DIR/app.pid\"; '{dotnet}' '{dll}' demo-app --listen $EXPRESSHA_NODE_ADDRESS:{appPort} --pid-file \"$EXPRESSHA_STATE_DIR/app.pid\" >/dev/null 2>&1 & " +
            "for i in $(seq 1500); do [ -s \"$EXPRESSHA_STATE_DIR/app.pid\" ] && exit 0; sleep 0.004; done; exit 1";
}
const string stop = "[ -s \"$EXPRESSHA_STATE_DIR/app.pid\" ] && kill $(cat \"$EXPRESSHA_STATE_DIR/app.pid\"); rm -f \"$EXPRESSHA_STATE_DIR/app.pid\"";

Console.WriteLine($"ExpressHa bench: {runs} runs, 2 nodes on loopback, heartbeat interval {intervalMs} ms, timeout {timeoutMs} ms, " +
                  $"exec app '{appKind}', {Environment.ProcessorCount} cores, status polled every 5 ms" +
                  (tpSpin != null ? $", node processes with DOTNET_ThreadPool_UnfairSemaphoreSpinLimit={tpSpin}" : ""));
Console.WriteLine($"work directory {dir}");

using var cluster = new BenchCluster(dir, intervalMs, timeoutMs, start, stop);
if (tpSpin != null) cluster.Environment["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = tpSpin;
var exit = 0;
try
{
    // 1. Baseline: the start command run directly (as the exec resource runs it: /bin/sh -c, same variables).
    var baseline = new List<double>();
    var baseDir = Path.Combine(dir, "baseline");
    Directory.CreateDirectory(baseDir);
    for (var i = 0; i < runs; i++)
    {
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(start);
        psi.Environment["EXPRESSHA_STATE_DIR"] = baseDir;
        psi.Environment["EXPRESSHA_NODE_ADDRESS"] = BenchCluster.AddressOf("server1");
        psi.Environment["EXPRESSHA_NODE"] = "server1";
        var sw = Stopwatch.StartNew();
        using (var p = Process.Start(psi)!)
        {
            await p.WaitForExitAsync();
            sw.Stop();
            if (p.ExitCode != 0) throw new InvalidOperationException($"the start command failed on its own (exit {p.ExitCode}): {start}");
        }
        baseline.Add(sw.Elapsed.TotalMilliseconds);
        BenchCluster.KillApp(baseDir);
        await Task.Delay(50);
    }
    Console.WriteLine($"baseline runs (ms): {Join(baseline)}");

    // 2. The cluster: both nodes online, the group online on server1.
    foreach (var n in BenchCluster.Nodes) cluster.Start(n);
    foreach (var n in BenchCluster.Nodes)
        await cluster.WaitFor(n, s => s.Nodes.All(x => x.State == "online") && s.Groups[0].State == "online" && s.Groups[0].Owner == "server1",
            TimeSpan.FromSeconds(60), "cluster start", pollMs: 50);

    // 3. Failover: SIGKILL of the active node (and its application) until the standby reports the group online.
    var failover = new List<double>();
    for (var i = 0; i < runs; i++)
    {
        var owner = (await cluster.WaitFor("server1", s => s.Groups[0].State == "online", TimeSpan.FromSeconds(10), "group online", 50)).Groups[0].Owner!;
        var survivor = BenchCluster.Other(owner);
        var sw = Stopwatch.StartNew();
        cluster.Crash(owner);
        await cluster.WaitFor(survivor, s => s.Groups[0].State == "online" && s.Groups[0].Owner == survivor, TimeSpan.FromSeconds(30), $"failover {i + 1} to {survivor}");
        failover.Add(sw.Elapsed.TotalMilliseconds);
        // The crashed node comes back as the standby before the next run.
        cluster.Start(owner);
        foreach (var n in BenchCluster.Nodes)
            await cluster.WaitFor(n, s => s.Nodes.All(x => x.State == "online") && s.Groups[0].State == "online" && s.Groups[0].Owner == survivor,
                TimeSpan.FromSeconds(60), $"{owner} rejoining as standby", pollMs: 50);
        await Task.Delay(300);
    }
    Console.WriteLine($"failover runs (ms): {Join(failover)}");

    // 4. Switchover: MoveGroupAsync to the standby until the target reports the group online.
    var switchover = new List<double>();
    for (var i = 0; i < runs; i++)
    {
        var owner = (await cluster.WaitFor("server1", s => s.Groups[0].State == "online", TimeSpan.FromSeconds(10), "group online", 50)).Groups[0].Owner!;
        var target = BenchCluster.Other(owner);
        using var client = cluster.Client(owner);
        var sw = Stopwatch.StartNew();
        var result = await client.MoveGroupAsync("bench", target);
        if (!result.Ok) throw new InvalidOperationException($"move {i + 1} to {target} refused: {result.Message}");
        await cluster.WaitFor(target, s => s.Groups[0].State == "online" && s.Groups[0].Owner == target, TimeSpan.FromSeconds(30), $"switchover {i + 1} to {target}");
        switchover.Add(sw.Elapsed.TotalMilliseconds);
        await Task.Delay(300);
    }
    Console.WriteLine($"switchover runs (ms): {Join(switchover)}");

    // 5. Idle: nothing polls the API; CPU from utime+stime over 10 s, RSS at the end.
    var active = (await cluster.WaitFor("server1", s => s.Groups[0].State == "online", TimeSpan.FromSeconds(10), "group online", 50)).Groups[0].Owner!;
    Console.WriteLine($"idle: {settleSeconds} s of quiet, then 10 s measured");
    await Task.Delay(TimeSpan.FromSeconds(settleSeconds));
    var ticks = BenchCluster.Nodes.ToDictionary(n => n, n => CpuTicks(cluster.Pid(n)));
    var idleWatch = Stopwatch.StartNew();
    await Task.Delay(10_000);
    var seconds = idleWatch.Elapsed.TotalSeconds;
    var idle = BenchCluster.Nodes.ToDictionary(n => n, n => (Cpu: (CpuTicks(cluster.Pid(n)) - ticks[n]) / (double)ClockTicks() / seconds * 100, RssMb: RssKb(cluster.Pid(n)) / 1024.0));

    // Report.
    var timeout = (double)timeoutMs;
    var overhead = failover.Select(f => f - timeout).ToList();
    var b = Median(baseline);
    Console.WriteLine();
    Console.WriteLine($"{"",-28}{"median",10}{"p90",10}{"min",10}{"max",10}{"median/baseline",18}");
    Row("baseline (start cmd alone)", baseline, b);
    Row("failover (SIGKILL->online)", failover, b);
    Console.WriteLine($"{"  heartbeat timeout",-28}{timeout,8:0} ms");
    Row("  overhead (minus timeout)", overhead, b);
    Row("switchover (move->online)", switchover, b);
    foreach (var n in BenchCluster.Nodes)
        Console.WriteLine($"idle {n} ({(n == active ? "active" : "standby"),-7}) CPU {idle[n].Cpu,5:0.00}% of a core over {seconds:0.0} s, RSS {idle[n].RssMb,6:0.0} MB (up {cluster.Uptime(n).TotalSeconds:0} s)");
    Console.WriteLine();
    Console.WriteLine("Targets:");
    Target($"failover overhead median {Median(overhead):0} ms <= 300 ms", Median(overhead) <= 300);
    Target($"switchover median {Median(switchover):0} ms <= 500 ms", Median(switchover) <= 500);
    Target($"idle CPU {idle.Values.Max(v => v.Cpu):0.00}% (worst node) < 1% of a core", idle.Values.Max(v => v.Cpu) < 1);
    Target($"idle RSS {idle.Values.Max(v => v.RssMb):0.0} MB (worst node) < 150 MB", idle.Values.Max(v => v.RssMb) < 150);

    void Row(string name, List<double> v, double baseMedian)
        => Console.WriteLine($"{name,-28}{Median(v),7:0.0} ms{P90(v),7:0.0} ms{v.Min(),7:0.0} ms{v.Max(),7:0.0} ms{Median(v) / baseMedian,16:0.0}x");
}
catch (Exception e)
{
    Console.Error.WriteLine($"bench failed: {e.Message}");
    Console.Error.WriteLine($"node logs are in {dir}");
    keep = true;
    exit = 1;
}
finally
{
    cluster.Dispose();
    if (!keep) try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
}
return exit;

static void Target(string text, bool pass) => Console.WriteLine($"  {(pass ? "PASS" : "FAIL")}  {text}");
static string Join(List<double> v) => string.Join(" ", v.Select(x => x.ToString("0.0", CultureInfo.InvariantCulture)));
static double Median(List<double> v)
{
    var s = v.OrderBy(x => x).ToList();
    return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
}
static double P90(List<double> v) // nearest rank
{
    var s = v.OrderBy(x => x).ToList();
    return s[Math.Clamp((int)Math.Ceiling(0.9 * s.Count) - 1, 0, s.Count - 1)];
}
static long CpuTicks(int pid)
{
    // /proc/PID/stat: fields after the ")" that ends the command name; utime and stime are fields 14 and 15.
    var stat = File.ReadAllText($"/proc/{pid}/stat");
    var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    return long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture);
}
static long RssKb(int pid)
{
    var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
static long ClockTicks() => Native.sysconf(2) is var t && t > 0 ? t : 100; // _SC_CLK_TCK

static partial class Native
{
    [DllImport("libc")]
    public static extern long sysconf(int name);
}
