using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using ExpressHa.Api;
using ExpressHa.Client;
using ExpressHa.Config;
using ExpressHa.Yaml;

namespace ExpressHa.Bench;

/// <summary>Two expresshad processes on loopback (127.0.0.21 and .22), each with its own state directory, plain HTTP
/// API (loopback), a group "bench" holding one exec resource. Like the demo's cluster, but started as
/// <c>dotnet expresshad.dll</c> from this program and with the application command chosen by the benchmark.</summary>
sealed class BenchCluster : IDisposable
{
    readonly Dictionary<string, Process> _processes = new(StringComparer.Ordinal);
    readonly Dictionary<string, StreamWriter> _logs = new(StringComparer.Ordinal);

    public BenchCluster(string dir, int intervalMs, int timeoutMs, string startCommand, string stopCommand)
    {
        Dir = dir;
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, "cluster.key"), RandomNumberGenerator.GetBytes(32));
        File.WriteAllText(Path.Combine(dir, "api.token"), Token);
        HeartbeatPort = FreePort(SocketType.Dgram, ProtocolType.Udp);
        ApiPort = FreePort(SocketType.Stream, ProtocolType.Tcp);
        var config = new ClusterConfig();
        config.Cluster.Name = "bench";
        config.Cluster.Interconnects.Add(new InterconnectConfig { Name = "lan1" });
        config.Cluster.Heartbeat = new HeartbeatSettings { IntervalMs = intervalMs, TimeoutMs = timeoutMs, Port = HeartbeatPort };
        config.Cluster.Security = new SecuritySettings { KeyFile = Path.Combine(dir, "cluster.key"), ApiTokenFile = Path.Combine(dir, "api.token"), ApiTls = false, ApiPort = ApiPort };
        config.Cluster.ShutdownCommand = "/bin/true";
        config.Cluster.RebootCommand = "/bin/true";
        for (var i = 0; i < Nodes.Length; i++)
            config.Nodes.Add(new NodeConfig { Name = Nodes[i], Priority = i, Addresses = { ["lan1"] = AddressOf(Nodes[i]) } });
        var group = new GroupConfig { Name = "bench", Startup = GroupPolicies.Auto, Failback = GroupPolicies.Manual, Servers = Nodes.ToList() };
        var app = new ResourceConfig { Name = "app", Type = "exec" };
        app.Parameters["start"] = startCommand;
        app.Parameters["stop"] = stopCommand;
        app.Parameters["startTimeoutSeconds"] = 30L;
        app.Parameters["stopTimeoutSeconds"] = 30L;
        group.Resources.Add(app);
        config.Groups.Add(group);
        File.WriteAllText(ConfigFile, ConfigYamlWriter.Write(config));
    }

    public static readonly string[] Nodes = { "server1", "server2" };
    public string Dir { get; }
    public string Token { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
    public int HeartbeatPort { get; }
    public int ApiPort { get; }
    public string ConfigFile => Path.Combine(Dir, "cluster.yaml");
    public static string AddressOf(string node) => node == "server1" ? "127.0.0.21" : "127.0.0.22";
    public static string Other(string node) => node == "server1" ? "server2" : "server1";
    public string StateDir(string node) => Path.Combine(Dir, node);
    public string LogFile(string node) => Path.Combine(Dir, node + ".log");
    public int Pid(string node) => _processes[node].Id;
    public TimeSpan Uptime(string node) => DateTime.Now - _processes[node].StartTime;
    /// <summary>Extra environment variables for the node processes.</summary>
    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    public HaApiClient Client(string node) => new(new Uri($"http://{AddressOf(node)}:{ApiPort}/"), Token, null, TimeSpan.FromSeconds(2));

    public static (string Dotnet, string Dll) Service()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "expresshad.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"expresshad.dll is not at {dll}");
        var candidates = new[]
        {
            System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH"),
            Path.GetFileNameWithoutExtension(System.Environment.ProcessPath) == "dotnet" ? System.Environment.ProcessPath : null,
            (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "dotnet")).FirstOrDefault(File.Exists),
            Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", "dotnet")),
        };
        return (candidates.FirstOrDefault(c => c != null && File.Exists(c)) ?? throw new InvalidOperationException("cannot find dotnet"), dll);
    }

    public void Start(string node)
    {
        var (dotnet, dll) = Service();
        var psi = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { dll, "run", "--config", ConfigFile, "--node", node, "--state-dir", StateDir(node) }) psi.ArgumentList.Add(a);
        foreach (var (k, v) in Environment) psi.Environment[k] = v;
        var log = _logs.TryGetValue(node, out var l) ? l : _logs[node] = new StreamWriter(LogFile(node), append: true) { AutoFlush = true };
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (log) log.WriteLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (log) log.WriteLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _processes[node] = p;
    }

    /// <summary>A machine crash as the cluster sees it: SIGKILL of the service and of the application it started.</summary>
    public void Crash(string node)
    {
        if (_processes.TryGetValue(node, out var p) && !p.HasExited) p.Kill(entireProcessTree: true);
        KillApp(StateDir(node));
        p?.WaitForExit(5000);
    }

    public static void KillApp(string stateDir)
    {
        var pidFile = Path.Combine(stateDir, "app.pid");
        if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid))
        {
            try { Process.GetProcessById(pid).Kill(); } catch (ArgumentException) { } catch (InvalidOperationException) { }
            File.Delete(pidFile);
        }
    }

    /// <summary>Polls a node's status every <paramref name="pollMs"/> until <paramref name="done"/> holds.</summary>
    public async Task<ClusterStatus> WaitFor(string node, Func<ClusterStatus, bool> done, TimeSpan within, string what, int pollMs = 5)
    {
        using var client = Client(node);
        var sw = Stopwatch.StartNew();
        ClusterStatus? last = null;
        while (sw.Elapsed < within)
        {
            try
            {
                last = await client.GetStatusAsync();
                if (done(last)) return last;
            }
            catch (HaApiException) { }
            await Task.Delay(pollMs);
        }
        throw new InvalidOperationException($"{what}: not within {within.TotalSeconds:0} s" +
            (last == null ? " (no answer)" : $" (group {last.Groups[0].State} on {last.Groups[0].Owner ?? "-"}; nodes {string.Join(", ", last.Nodes.Select(n => n.Name + " " + n.State))})") +
            $"; logs in {Dir}");
    }

    static int FreePort(SocketType type, ProtocolType protocol)
    {
        using var s = new Socket(AddressFamily.InterNetwork, type, protocol);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    public void Dispose()
    {
        foreach (var n in _processes.Keys.ToList()) Crash(n);
        foreach (var w in _logs.Values) lock (w) w.Dispose();
    }
}
