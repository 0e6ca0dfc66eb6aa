using System.Diagnostics;
using System.Globalization;
using ExpressHa.NetnsBench;

// Namespace failover benchmark: two hosts on a bridge, a floating-IP group, a machine crash of the active host (every
// process killed and its link down), N runs per scenario; crash → the group's last resource started on the survivor.
// Figures: median and p90, beside the heartbeat timeout. As root:
// dotnet run -c Release --project bench/ExpressHa.NetnsBench -- --runs 5 [--scenarios none,fence,ping,ping-wd,witness-wd,witness-wd-500,fast,fast-1s] [--keep]

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var all = new[]
{
    new Scenario("none", "no resolution, no fencing", 1000, 3000, Resolution.None, false, 0),
    new Scenario("fence", "ping resolution + script fence that succeeds at once", 1000, 3000, Resolution.Ping, true, 0),
    new Scenario("ping", "ping resolution, no fencing, no watchdog (self-stop estimate)", 1000, 3000, Resolution.Ping, false, 0),
    new Scenario("ping-wd", "ping resolution, no fencing, watchdog 1 s", 1000, 3000, Resolution.Ping, false, 1000),
    new Scenario("witness-wd", "witness resolution, no fencing, watchdog 2 s", 1000, 3000, Resolution.Witness, false, 2000),
    new Scenario("witness-wd-500", "witness resolution (400 ms check), interval 500 ms, no fencing, watchdog 1 s", 500, 3000, Resolution.Witness, false, 1000, CheckTimeoutMs: 400),
    new Scenario("fast", "fastest safe: 200/1000 ms, witness (80 ms check), watchdog stand-in 300 ms", 200, 1000, Resolution.Witness, false, 300, CheckTimeoutMs: 80),
    new Scenario("fast-1s", "fastest safe with a whole-second watchdog (as softdog): 200/1000 ms, witness (80 ms check), watchdog 1 s", 200, 1000, Resolution.Witness, false, 1000, CheckTimeoutMs: 80),
};
var runs = 5;
var keep = false;
var chosen = all.Select(s => s.Name).ToList();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--runs" when i + 1 < args.Length && int.TryParse(args[i + 1], out var r) && r > 0: runs = r; i++; break;
        case "--scenarios" when i + 1 < args.Length: chosen = args[i + 1].Split(',').ToList(); i++; break;
        case "--keep": keep = true; break;
        default:
            Console.Error.WriteLine($"usage: ExpressHa.NetnsBench [--runs N] [--scenarios {string.Join(',', all.Select(s => s.Name))}] [--keep]");
            return 2;
    }
}
var unknown = chosen.Where(c => all.All(s => s.Name != c)).ToList();
if (unknown.Count > 0) { Console.Error.WriteLine($"unknown scenario(s): {string.Join(", ", unknown)}"); return 2; }

var root = Path.Combine(Path.GetTempPath(), "ehfo-netnsbench-" + Environment.ProcessId);
Console.WriteLine($"ExpressHa namespace failover bench: {runs} runs per scenario, {Environment.ProcessorCount} cores, work directory {root}");
var results = new List<(Scenario S, List<long> Ms, List<string> Problems)>();
var failed = false;
foreach (var s in all.Where(s => chosen.Contains(s.Name)))
{
    var dir = Path.Combine(root, s.Name);
    var times = new List<long>();
    var problems = new List<string>();
    using (var hosts = new NetnsHosts(dir, s))
    {
        try
        {
            hosts.Build();
            hosts.StartWitness();
            foreach (var h in NetnsHosts.Hosts) hosts.Start(h);
            await Until(() => hosts.Activity().Any(a => a.Start), TimeSpan.FromSeconds(90), $"{s.Name}: the group never started", hosts);
            await Until(() => hosts.LogHas(Owner(hosts), 0, $"Server {NetnsHosts.Other(Owner(hosts))} has started"), TimeSpan.FromSeconds(60), $"{s.Name}: the standby never joined", hosts);
            await Task.Delay(Math.Max(1500, 3 * s.IntervalMs));
            for (var run = 0; run < runs; run++)
            {
                var active = Owner(hosts);
                var survivor = NetnsHosts.Other(active);
                var t0 = hosts.Crash(active);
                await Until(() => hosts.Activity().Any(a => a.Start && a.Host == survivor && a.AtMs >= t0), TimeSpan.FromSeconds(60), $"{s.Name} run {run + 1}: {survivor} never started the group", hosts);
                var online = hosts.Activity().First(a => a.Start && a.Host == survivor && a.AtMs >= t0).AtMs;
                times.Add(online - t0);
                Console.WriteLine($"  {s.Name} run {run + 1}: crash of {active} -> online on {survivor} after {online - t0} ms");
                var lines = hosts.LogLines(survivor);
                await Task.Delay(500);
                hosts.PowerOn(active);
                await Until(() => hosts.LogHas(survivor, lines, $"Server {active} has started"), TimeSpan.FromSeconds(60), $"{s.Name} run {run + 1}: {active} never rejoined", hosts);
                await Task.Delay(Math.Max(1500, 3 * s.IntervalMs));
            }
            problems.AddRange(hosts.UnexpectedResets.Select(r => "unexpected watchdog reset: " + r));
        }
        catch (Exception ex)
        {
            problems.Add(ex.Message);
            failed = true;
            keep = true;
        }
    }
    results.Add((s, times, problems));
}

Console.WriteLine();
Console.WriteLine("| scenario | heartbeat interval/timeout ms | runs | median ms | p90 ms | median − timeout ms | target |");
Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
foreach (var (s, ms, problems) in results)
{
    var med = Percentile(ms, 50);
    var p90 = Percentile(ms, 90);
    var target = s.Name switch
    {
        "none" or "fence" => ("≤ timeout + 150", med != null && med <= s.TimeoutMs + 150),
        "ping-wd" or "witness-wd" or "witness-wd-500" => ("≤ timeout + 2000", med != null && med <= s.TimeoutMs + 2000),
        "fast" or "fast-1s" => ("≤ 1500", med != null && med <= 1500),
        _ => ("(reference)", true),
    };
    Console.WriteLine($"| {s.Name}: {s.Title} | {s.IntervalMs}/{s.TimeoutMs} | {ms.Count} | {Fmt(med)} | {Fmt(p90)} | {Fmt(med - s.TimeoutMs)} | {target.Item1}: {(target.Item2 ? "met" : "NOT met")} |");
    foreach (var p in problems) Console.WriteLine($"  PROBLEM {s.Name}: {p}");
}
if (!keep) try { Directory.Delete(root, true); } catch (IOException) { }
else Console.WriteLine($"logs kept in {root}");
return failed ? 1 : 0;

static string Owner(NetnsHosts hosts)
{
    var owners = new Dictionary<string, long>(StringComparer.Ordinal);
    foreach (var a in hosts.Activity())
        if (a.Start) owners[a.Host] = a.AtMs; else owners.Remove(a.Host);
    return owners.Count == 0 ? "h1" : owners.MaxBy(kv => kv.Value).Key;
}

static async Task Until(Func<bool> done, TimeSpan within, string what, NetnsHosts hosts)
{
    var sw = Stopwatch.StartNew();
    while (!done())
    {
        if (sw.Elapsed > within) throw new InvalidOperationException($"{what} within {within.TotalSeconds:0} s (logs in {hosts.Dir})");
        await Task.Delay(10);
    }
}

static long? Percentile(List<long> values, int p)
{
    if (values.Count == 0) return null;
    var sorted = values.OrderBy(v => v).ToList();
    var rank = (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1;
    return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
}

static string Fmt(long? v) => v?.ToString() ?? "-";
