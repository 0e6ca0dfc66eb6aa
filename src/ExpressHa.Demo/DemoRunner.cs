using System.Diagnostics;
using ExpressHa.Api;
using ExpressHa.Client;

namespace ExpressHa.Demo;

/// <summary>`demo`: two nodes on loopback, a group holding an HTTP application, a crash of the active node, the
/// timeline of the failover and its measured time, a check that the survivor answers, then a clean stop. The cluster is
/// a safe one without fencing: a witness on loopback (partition resolution and a heartbeat path) and a watchdog stand-in
/// per node that the demo watches and would "reset" (kill) a node whose service stopped feeding it; the survivor waits
/// for the watchdog bound, and its alert says so.</summary>
public static class DemoRunner
{
    const string WitnessAddress = "127.0.0.10";
    const int WitnessTimeoutMs = 300;
    /// <summary>Above the heartbeat interval plus the witness check, as the validator requires.</summary>
    const int WatchdogMs = 600;

    public static int Run(ExpressHa.Service.CliOptions options, TextWriter o, TextWriter err)
    {
        var timeoutMs = int.TryParse(options.Get("timeout-ms"), out var t) ? t : 1000;
        var intervalMs = Math.Max(50, timeoutMs / 5);
        var keep = options.Get("keep") == "true";
        var dir = Path.Combine(Path.GetTempPath(), "expressha-demo-" + Environment.ProcessId);
        var aws = options.Get("aws") == "true" ? AwsDemo.StartAsync().GetAwaiter().GetResult() : null;
        Directory.CreateDirectory(dir);
        var witness = ExpressHa.Service.Witness.WitnessServer.StartAsync(WitnessAddress, 0, Path.Combine(dir, "witness")).GetAwaiter().GetResult();
        var watchdogMs = Math.Max(WatchdogMs, intervalMs + WitnessTimeoutMs + 100);
        using var cluster = new DemoCluster(dir, 2, intervalMs, timeoutMs, c =>
        {
            aws?.Configure(c);
            c.Cluster.PartitionResolution.Http = new ExpressHa.Config.HttpResolution { Url = witness.BaseAddress.ToString(), TimeoutMs = WitnessTimeoutMs, Heartbeat = true };
            c.Cluster.Watchdog = new ExpressHa.Config.WatchdogSettings { TimeoutMs = watchdogMs, Device = Path.Combine(dir, "watchdog.standin") };
        }) { StandInWatchdogs = true };
        aws?.AddCredentials(cluster.NodeEnvironment);
        var resets = new System.Collections.Concurrent.ConcurrentQueue<(string Node, DateTimeOffset At)>();
        var watchers = cluster.Nodes.Select(n => new ExpressHa.Service.Watchdog.StandInWatcher(cluster.WatchdogFile(n.Name), watchdogMs, _ =>
        {
            resets.Enqueue((n.Name, DateTimeOffset.UtcNow));
            cluster.Crash(n.Name);
        })).ToList();
        try
        {
            return RunAsync(cluster, aws, intervalMs, timeoutMs, watchdogMs, witness.BaseAddress, resets, o).GetAwaiter().GetResult();
        }
        catch (DemoFailure ex)
        {
            err.WriteLine($"demo failed: {ex.Message}");
            err.WriteLine($"node logs are in {dir}");
            keep = true;
            return 1;
        }
        finally
        {
            foreach (var w in watchers) w.DisposeAsync().AsTask().GetAwaiter().GetResult();
            witness.DisposeAsync().AsTask().GetAwaiter().GetResult();
            cluster.Dispose();
            aws?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            if (!keep) try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    sealed class DemoFailure(string message) : Exception(message);

    static async Task<int> RunAsync(DemoCluster c, AwsDemo? aws, int intervalMs, int timeoutMs, int watchdogMs, Uri witness,
        System.Collections.Concurrent.ConcurrentQueue<(string Node, DateTimeOffset At)> resets, TextWriter o)
    {
        o.WriteLine($"ExpressHa demo: cluster 'demo' with {string.Join(" and ", c.Nodes.Select(n => $"{n.Name} ({n.Address})"))} on loopback.");
        o.WriteLine($"Heartbeat every {intervalMs} ms, a node is lost after {timeoutMs} ms. Group 'web' runs an HTTP application (exec resource 'app').");
        o.WriteLine($"Safe without fencing: a witness at {witness} decides partitions (and is a heartbeat path), and every node feeds a watchdog " +
                    $"(a stand-in file the demo watches, {watchdogMs} ms) only while it can show its peer still counts it alive.");
        if (aws != null)
            o.WriteLine($"AWS mode: the local AWS-compatible endpoint at {aws.Server.BaseAddress} plays the VPC; the group also holds awsvip1 ({AwsDemo.Vip}) and awsdns1 ({AwsDemo.RecordName}).");
        o.WriteLine($"Work directory: {c.Dir}");
        o.WriteLine();
        foreach (var (name, _) in c.Nodes) c.Start(name);

        var first = c.Nodes[0].Name;
        var status = await WaitFor(c, first, s => s.Groups[0].State == "online" && s.Nodes.All(n => n.State == "online"), TimeSpan.FromSeconds(30),
            "the group did not come online on a two-node cluster within 30 s");
        PrintStatus(o, status);
        var owner = status.Groups[0].Owner!;
        var survivor = c.Nodes.First(n => n.Name != owner).Name;
        var before = await Get($"http://{c.AddressOf(owner)}:{c.AppPort}/");
        o.WriteLine($"The application answers on {owner}: '{before}'.");
        aws?.Print(o, $"while {owner} is active");
        o.WriteLine();

        o.WriteLine($"Crashing {owner}: SIGKILL of its cluster service and of its application.");
        var crashAt = DateTimeOffset.UtcNow;
        var sw = Stopwatch.StartNew();
        c.Crash(owner);
        var after = await WaitFor(c, survivor, s => s.Groups[0].State == "online" && s.Groups[0].Owner == survivor, TimeSpan.FromSeconds(10 + timeoutMs / 1000.0 * 3),
            $"the group did not come online on {survivor} after the crash");
        var failoverMs = sw.ElapsedMilliseconds;

        using (var client = new HaApiClient(c.ApiOf(survivor), c.Token, null))
        {
            var alerts = await client.GetAlertsAsync(since: crashAt.AddMilliseconds(-1));
            o.WriteLine($"Timeline on {survivor} (milliseconds after the crash):");
            o.WriteLine($"  {0,6}  {owner} killed");
            var timeline = alerts.Select(a => (At: (DateTimeOffset.Parse(a.Time) - crashAt).TotalMilliseconds, Text: $"{a.Level,-7} {a.Module}[{a.EventId}] {a.Message}"))
                .Concat(resets.Where(r => r.At >= crashAt).Select(r => (At: (r.At - crashAt).TotalMilliseconds,
                    Text: $"the watchdog stand-in of {r.Node} ran out (a real watchdog resets that machine here)")));
            foreach (var (at, text) in timeline.OrderBy(e => e.At))
                o.WriteLine($"  {at,6:0}  {text}");
            o.WriteLine($"  {failoverMs,6}  status shows group web online on {survivor}");
        }
        if (resets.Any(r => r.Node == survivor))
            throw new DemoFailure($"the watchdog of the survivor {survivor} ran out: it stopped feeding it");
        o.WriteLine();
        o.WriteLine("The plan the survivor made:");
        foreach (var line in PlanLines(c.LogFile(survivor))) o.WriteLine("  " + line);
        o.WriteLine();

        var answer = await Get($"http://{c.AddressOf(survivor)}:{c.AppPort}/");
        if (answer != survivor) throw new DemoFailure($"the application on {survivor} answered '{answer}', expected '{survivor}'");
        PrintStatus(o, after);
        o.WriteLine($"The application answers on {survivor}: '{answer}'.");
        if (aws != null)
        {
            aws.Print(o, $"after the failover to {survivor}");
            var index = c.Nodes.FindIndex(n => n.Name == survivor);
            var (routes, record) = aws.Observe();
            if (routes.Count == 0 || routes.Any(r => r.Target != aws.EniOf(index)))
                throw new DemoFailure($"the VIP route does not point at {survivor}'s ENI {aws.EniOf(index)} in every route table");
            if (record != aws.IpOf(index)) throw new DemoFailure($"the Route 53 record is '{record}', expected {survivor}'s address {aws.IpOf(index)}");
            o.WriteLine($"The VIP route and the DNS record followed the group to {survivor}.");
        }
        var leaseMs = ExpressHa.Service.Watchdog.ProofLease.Ms(c.BuildConfig(), watchdogMs);
        o.WriteLine($"Failover time: {failoverMs} ms (the loss is noticed at the heartbeat timeout, {timeoutMs} ms after the last heartbeat heard; " +
                    $"the witness confirms it; {survivor} also waits for the lost node's watchdog bound, its proof lease {leaseMs} ms + watchdog " +
                    $"{watchdogMs} ms + {ExpressHa.Service.Partition.LostNodeWait.WatchdogMarginMs} ms after its last sign of life; the rest is planning and starting the group).");
        o.WriteLine();

        o.WriteLine($"Stopping {survivor} with SIGTERM (its group stops in reverse dependency order).");
        if (!c.Stop(survivor, TimeSpan.FromSeconds(30))) throw new DemoFailure($"{survivor} did not stop within 30 s of SIGTERM");
        var stopped = File.ReadAllText(c.LogFile(survivor)).Contains("Deactivating app resource has completed");
        if (!stopped) throw new DemoFailure($"{survivor} exited without stopping its application");
        o.WriteLine("Done: the group failed over, the survivor served it, and everything stopped cleanly.");
        return 0;
    }

    static async Task<ClusterStatus> WaitFor(DemoCluster c, string node, Func<ClusterStatus, bool> done, TimeSpan limit, string failure)
    {
        using var client = new HaApiClient(c.ApiOf(node), c.Token, null, TimeSpan.FromSeconds(2));
        var sw = Stopwatch.StartNew();
        ClusterStatus? last = null;
        while (sw.Elapsed < limit)
        {
            try
            {
                last = await client.GetStatusAsync();
                if (done(last)) return last;
            }
            catch (HaApiException) { }
            await Task.Delay(10);
        }
        throw new DemoFailure(failure + (last != null ? $" (group {last.Groups[0].State} on {last.Groups[0].Owner ?? "nowhere"})" : " (the API did not answer)"));
    }

    static async Task<string> Get(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try { return (await http.GetStringAsync(url)).Trim(); }
        catch (HttpRequestException ex) { throw new DemoFailure($"GET {url} failed: {ex.Message}"); }
    }

    /// <summary>The survivor's last logged plan (the "policy:" line and its steps).</summary>
    static IEnumerable<string> PlanLines(string log)
    {
        var lines = File.ReadAllLines(log);
        var start = Array.FindLastIndex(lines, l => l.Contains(" policy: NodeLost"));
        if (start < 0) yield break;
        yield return lines[start][(lines[start].IndexOf("policy: ", StringComparison.Ordinal) + 8)..];
        for (var i = start + 1; i < lines.Length && lines[i].StartsWith("  ", StringComparison.Ordinal); i++) yield return lines[i].Trim();
    }

    public static void PrintStatus(TextWriter o, ClusterStatus s)
    {
        o.WriteLine($"Cluster {s.ClusterName} (as {s.ReportingNode} sees it; coordinator {s.Coordinator})");
        foreach (var n in s.Nodes)
            o.WriteLine($"  node  {n.Name,-8} {n.State,-9} " + string.Join(", ", n.Paths.Select(p => $"{p.Interconnect} {p.Address} {p.State}")));
        foreach (var g in s.Groups)
        {
            o.WriteLine($"  group {g.Name,-8} {g.State,-9} on {g.Owner ?? "-"} (generation {g.Generation})");
            foreach (var r in g.Resources) o.WriteLine($"        {r.Name,-8} {r.Type,-9} {r.State}");
        }
    }
}
