using System.Diagnostics;
using System.Text;
using System.Text.Json;
using ExpressHa.Api;
using ExpressHa.Client;
using ExpressHa.Config;
using ExpressHa.Demo;
using Xunit.Abstractions;

namespace ExpressHa.Service.Tests.Integration;

/// <summary>The integration tests run one at a time: each starts real expresshad processes with sub-second heartbeat
/// timeouts, and other tests competing for the two cores would make those timeouts flaky.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class IntegrationCollection
{
    public const string Name = "Integration";
}

/// <summary>Thrown when a step of an integration test fails; its message carries the node logs.</summary>
public sealed class IntegrationFailure(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A <see cref="DemoCluster"/> of expresshad processes on its own loopback range (127.0.N.11, .12, ...) with
/// small heartbeat timings, plus what the tests need around it: API clients, waits on /v1/status, the alert log of
/// every node (read from its state directory, so a crashed node's log is readable too), the demo application, and
/// the node logs attached to any failure. Dispose kills every process it started.</summary>
public sealed class TestCluster : IDisposable
{
    public const int IntervalMs = 150;
    public const int TimeoutMs = 900;
    static int _range;

    readonly ITestOutputHelper _out;
    readonly Stopwatch _clock = Stopwatch.StartNew();
    bool _failed;

    /// <param name="configure">Changes the demo config (group web, exec resource app on every node); gets the
    /// cluster's work directory, where scripts may leave marker files.</param>
    public TestCluster(ITestOutputHelper output, Action<ClusterConfig, string>? configure = null, int nodes = 2)
    {
        _out = output;
        var range = 20 + Interlocked.Increment(ref _range) % 200;
        Dir = Path.Combine(Path.GetTempPath(), $"expressha-it-{Environment.ProcessId}-{range}-{Guid.NewGuid().ToString("N")[..8]}");
        C = new DemoCluster(Dir, nodes, IntervalMs, TimeoutMs, configure == null ? null : c => configure(c, Dir), $"127.0.{range}.");
    }

    public DemoCluster C { get; }
    public string Dir { get; }
    public IEnumerable<string> NodeNames => C.Nodes.Select(n => n.Name);

    public void Log(string line) => _out.WriteLine($"[{_clock.ElapsedMilliseconds,6} ms] {line}");

    // ------------------------------------------------------------------ running a test

    /// <summary>Runs the test body; any failure comes back with the status of every node and the tail of every node's
    /// log attached, and the work directory is kept.</summary>
    public async Task Run(Func<Task> body)
    {
        try
        {
            await body();
        }
        catch (Exception ex)
        {
            _failed = true;
            var report = await DescribeAsync();
            _out.WriteLine(report);
            throw new IntegrationFailure($"{ex.GetType().Name}: {ex.Message}\n{report}", ex);
        }
    }

    async Task<string> DescribeAsync()
    {
        var sb = new StringBuilder();
        sb.AppendLine($"work directory (kept): {Dir}");
        foreach (var node in NodeNames)
        {
            sb.AppendLine($"--- {node}: {(C.IsRunning(node) ? "running" : C.ExitCode(node) is int code ? $"exited with {code}" : "not started")}");
            if (C.IsRunning(node))
            {
                try { sb.AppendLine("status: " + Summary(await StatusAsync(node))); }
                catch (Exception ex) { sb.AppendLine("status: " + ex.Message); }
            }
            var log = C.LogFile(node);
            var lines = File.Exists(log) ? ReadShared(log).Split('\n') : Array.Empty<string>();
            sb.AppendLine($"log ({lines.Length} lines, last 120):");
            foreach (var l in lines.TakeLast(120)) sb.AppendLine("  " + l.TrimEnd('\r'));
        }
        foreach (var f in Directory.GetFiles(Dir, "*.txt"))
            sb.AppendLine($"--- {Path.GetFileName(f)}:\n{ReadShared(f)}");
        return sb.ToString();
    }

    public void Dispose()
    {
        C.Dispose();
        KillStragglers();
        Log("all processes killed");
        if (!_failed)
            try { Directory.Delete(Dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>Any process still running from this cluster's work directory (its command line names it, e.g. an
    /// application whose pid file a failed start removed): killed by pid.</summary>
    void KillStragglers()
    {
        if (!Directory.Exists("/proc")) return;
        foreach (var proc in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(proc), out var pid) || pid == Environment.ProcessId) continue;
            string cmdline;
            try { cmdline = File.ReadAllText(Path.Combine(proc, "cmdline")).Replace('\0', ' '); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            if (!cmdline.Contains(Dir, StringComparison.Ordinal)) continue;
            try
            {
                using var p = Process.GetProcessById(pid);
                p.Kill(entireProcessTree: true);
                Log($"killed straggler {pid}: {cmdline}");
            }
            catch (ArgumentException) { }
            catch (InvalidOperationException) { }
        }
    }

    // ------------------------------------------------------------------ nodes

    /// <summary>Starts the nodes in order, each once the one before answers on its API. Started together, a node whose
    /// process happens to come up more than a heartbeat timeout after another's misses the cluster start, and the group
    /// may start on a less preferred server (by design: the cluster start waits one heartbeat timeout for peers).</summary>
    public async Task StartAll()
    {
        foreach (var n in NodeNames)
        {
            C.Start(n);
            await WaitFor(n, _ => true, TimeSpan.FromSeconds(15), $"{n}'s API answers");
        }
        Log($"started {string.Join(", ", C.Nodes.Select(n => $"{n.Name} ({n.Address})"))}, heartbeat {IntervalMs}/{TimeoutMs} ms, API port {C.ApiPort}");
    }

    public HaApiClient Client(string node, TimeSpan? timeout = null) => new(C.ApiOf(node), C.Token, null, timeout ?? TimeSpan.FromSeconds(30));

    public async Task<ClusterStatus> StatusAsync(string node)
    {
        using var c = Client(node, TimeSpan.FromSeconds(3));
        return await c.GetStatusAsync();
    }

    /// <summary>Polls the node's /v1/status until the condition holds; fails with the last status seen.</summary>
    public async Task<ClusterStatus> WaitFor(string node, Func<ClusterStatus, bool> done, TimeSpan limit, string what)
    {
        using var client = Client(node, TimeSpan.FromSeconds(3));
        return await Eventually.ValueAsync(() => client.GetStatusAsync(), done, limit, $"{what} as {node} reports it", Summary);
    }

    /// <summary>Every running node answers and reports the condition.</summary>
    public async Task WaitForAll(Func<ClusterStatus, bool> done, TimeSpan limit, string what, IEnumerable<string>? nodes = null)
    {
        foreach (var n in (nodes ?? NodeNames).ToList()) await WaitFor(n, done, limit, what);
    }

    /// <summary>Waits until every node is online and group web is online on the same owner in every node's view; returns the owner.</summary>
    public async Task<string> WaitForStartAsync(string group = "web")
    {
        string? owner = null;
        await WaitForAll(s => s.Nodes.All(n => n.State == "online") && Group(s, group) is { State: "online", Owner: not null } g && (owner ??= g.Owner) == g.Owner,
            TimeSpan.FromSeconds(20), $"every node online and group {group} online on one owner");
        Log($"group {group} online on {owner}");
        return owner!;
    }

    public static GroupStatusInfo Group(ClusterStatus s, string name = "web") => s.Groups.First(g => g.Name == name);

    public static string Summary(ClusterStatus s)
        => $"[{s.ReportingNode}, coordinator {s.Coordinator}, config generation {s.ConfigGeneration}, service {s.ServiceState}] nodes: " +
           string.Join(", ", s.Nodes.Select(n => $"{n.Name} {n.State}")) + "; groups: " +
           string.Join(", ", s.Groups.Select(g => $"{g.Name} {g.State} on {g.Owner ?? "-"} gen {g.Generation} ({string.Join(" ", g.Resources.Select(r => r.Name + "=" + r.State))})")) +
           (s.Monitors.Count > 0 ? "; monitors: " + string.Join(", ", s.Monitors.Select(m => $"{m.Name} {m.State} on {m.Node ?? "-"}")) : "");

    // ------------------------------------------------------------------ what the nodes wrote

    /// <summary>The node's alert log as its state directory holds it (alerts.jsonl), crashed nodes included.</summary>
    public List<AlertEntry> Alerts(string node)
    {
        var path = Path.Combine(C.StateDir(node), "alerts.jsonl");
        if (!File.Exists(path)) return new List<AlertEntry>();
        var web = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        return ReadShared(path).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => { try { return JsonSerializer.Deserialize<AlertEntry>(l, web); } catch (JsonException) { return null; } })
            .Where(a => a != null).Select(a => a!).ToList();
    }

    public List<AlertEntry> AllAlerts() => NodeNames.SelectMany(Alerts).OrderBy(a => a.Time, StringComparer.Ordinal).ToList();

    public static string Lines(IEnumerable<AlertEntry> alerts)
        => string.Join("\n", alerts.Select(a => $"  {a.Time} {a.Node} {a.Level} {a.Module}[{a.EventId}] {a.Message}"));

    public string NodeLog(string node) => File.Exists(C.LogFile(node)) ? ReadShared(C.LogFile(node)) : "";

    /// <summary>A file in the work directory (marker files the test's scripts append to); empty lines dropped.</summary>
    public List<string> ReadLines(string name)
    {
        var path = Path.Combine(Dir, name);
        return File.Exists(path) ? ReadShared(path).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).ToList() : new List<string>();
    }

    static string ReadShared(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var r = new StreamReader(fs);
        return r.ReadToEnd();
    }

    // ------------------------------------------------------------------ the demo application

    /// <summary>What the demo application answers on the node's address, or null when nothing answers there.</summary>
    public async Task<string?> AppAnswer(string node)
    {
        using var http = new HttpClient(new HttpClientHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(3) };
        try { return (await http.GetStringAsync($"http://{C.AddressOf(node)}:{C.AppPort}/")).Trim(); }
        catch (HttpRequestException) { return null; }
        catch (TaskCanceledException) { return null; }
    }

    // ------------------------------------------------------------------ config helpers

    /// <summary>An exec resource whose start and stop append "NODE start NAME" / "NODE stop NAME" to events.txt in the work
    /// directory (and succeed).</summary>
    public static ResourceConfig MarkerResource(string dir, string name, params string[] dependsOn)
    {
        var events = Path.Combine(dir, "events.txt");
        var r = new ResourceConfig { Name = name, Type = "exec", DependsOn = dependsOn.ToList() };
        r.Parameters["start"] = $"echo \"$EXPRESSHA_NODE start $EXPRESSHA_RESOURCE\" >> '{events}'";
        r.Parameters["stop"] = $"echo \"$EXPRESSHA_NODE stop $EXPRESSHA_RESOURCE\" >> '{events}'";
        r.Parameters["startTimeoutSeconds"] = 30L;
        r.Parameters["stopTimeoutSeconds"] = 30L;
        return r;
    }

    /// <summary>Makes the app resource record every start attempt ("NODE start app" in events.txt) before it starts.</summary>
    public static void RecordAppStarts(ClusterConfig c, string dir, string? prefix = null)
    {
        var app = c.Groups[0].FindResource("app")!;
        var events = Path.Combine(dir, "events.txt");
        app.Parameters["start"] = $"echo \"$EXPRESSHA_NODE start app\" >> '{events}'; {prefix}{app.Parameters["start"]}";
    }

    /// <summary>A custom monitor on resource app that fails while the file fail-NODE exists in the work directory.</summary>
    public static MonitorConfig MarkerMonitor(string dir, string name = "appwatch", int restarts = 1, int failovers = 1, string timing = MonitorTimings.Active)
    {
        var m = new MonitorConfig
        {
            Name = name, Type = "custom", Target = "app", IntervalSeconds = 1, TimeoutSeconds = 2, Retry = 0, Timing = timing,
            Recovery = new RecoverySettings { Restarts = restarts, Failovers = failovers, FinalAction = FinalActions.None },
        };
        m.Parameters["script"] = $"if [ -e '{dir}'/fail-$EXPRESSHA_NODE ]; then echo \"marker fail-$EXPRESSHA_NODE is there\"; exit 1; fi; exit 0";
        return m;
    }

    public string FailMarker(string node) => Path.Combine(Dir, "fail-" + node);
}
