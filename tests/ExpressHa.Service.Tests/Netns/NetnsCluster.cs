using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using ExpressHa.Api;
using ExpressHa.Client;
using ExpressHa.Config;
using ExpressHa.Service.Api;
using ExpressHa.Yaml;
using Xunit.Abstractions;

namespace ExpressHa.Service.Tests.Netns;

/// <summary>Two expresshad processes, each in its own network namespace, joined by two interconnects through a third
/// "switch" namespace:
/// <code>
///   ehn-ID-n1                 ehn-ID-sw                 ehn-ID-n2
///   lan1 198.18.1.1  ── n1l1 ─ br1 (198.18.1.254) ─ n2l1 ──  lan1 198.18.1.2
///   lan2 198.18.2.1  ── n1l2 ─ br2                ─ n2l2 ──  lan2 198.18.2.2
/// </code>
/// A path is cut by taking a node's switch port down (<c>ip -n SW link set n1l2 down</c>), like pulling a cable: the
/// node's own interface and addresses stay, its carrier goes. Only 198.18.0.0/15 addresses are used and the host
/// namespace gets no interface or route into them; the test reaches each node's management API (HTTPS, fingerprint
/// pinned) through <see cref="NamespaceForwarder"/>, a loopback port whose connections are opened inside the node's
/// namespace.</summary>
public sealed class NetnsCluster : IDisposable
{
    public const int HeartbeatIntervalMs = 200;
    public const int HeartbeatTimeoutMs = 1500;
    const int HeartbeatPort = 29002;
    const int ApiPort = 29003;

    readonly ITestOutputHelper _out;
    readonly List<string> _namespaces = new();
    readonly Dictionary<string, Process> _processes = new(StringComparer.Ordinal);
    readonly Dictionary<string, StreamWriter> _logs = new(StringComparer.Ordinal);
    readonly Dictionary<string, NamespaceForwarder> _forwarders = new(StringComparer.Ordinal);
    readonly Dictionary<string, string> _fingerprints = new(StringComparer.Ordinal);

    public NetnsCluster(ITestOutputHelper output, Action<GroupConfig> group, Action<ClusterConfig>? cluster = null)
    {
        _configureCluster = cluster;
        _out = output;
        Id = Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant();
        Dir = Path.Combine(Path.GetTempPath(), $"ehn-{Id}");
        Directory.CreateDirectory(Dir);
        try
        {
            CheckPrerequisites();
            BuildTopology();
            WriteConfig(group);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Id { get; }
    readonly Action<ClusterConfig>? _configureCluster;
    public string Dir { get; }
    public string Token { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
    public static readonly string[] NodeNames = { "n1", "n2" };
    public string Ns(string node) => $"ehn-{Id}-{node}";
    public string Switch => $"ehn-{Id}-sw";
    public string ConfigFile => Path.Combine(Dir, "cluster.yaml");
    public string StateDir(string node) => Path.Combine(Dir, node);
    public string LogFile(string node) => Path.Combine(Dir, node + ".log");
    public static string AddressOf(string node, int lan) => $"198.18.{lan}.{(node == "n1" ? 1 : 2)}";
    /// <summary>The switch-side veth of a node's interconnect: taking it down cuts that node's path.</summary>
    public static string PortOf(string node, int lan) => $"{node}l{lan}";

    // ------------------------------------------------------------------ topology

    static void CheckPrerequisites()
    {
        if (!OperatingSystem.IsLinux()) throw new InvalidOperationException("the network namespace tests need Linux");
        if (NsShell.Which("ip") == null) throw new InvalidOperationException("the network namespace tests need the ip command (iproute2); install it");
        if (NsShell.Which("ping") == null) throw new InvalidOperationException("the network namespace tests need ping (iputils-ping); install it");
        if (Environment.UserName != "root" && geteuid() != 0)
            throw new InvalidOperationException("the network namespace tests must run as root (they create namespaces, veth pairs and bridges)");
    }

    [DllImport("libc")]
    static extern uint geteuid();

    void AddNamespace(string name)
    {
        var (code, output) = NsShell.Run("ip", "netns", "add", name);
        if (code != 0) throw new InvalidOperationException($"cannot create network namespace {name} ('ip netns add' failed: {output.Trim()}); the kernel or container must allow network namespaces");
        _namespaces.Add(name);
        NsShell.Must("ip", "-n", name, "link", "set", "lo", "up");
    }

    void BuildTopology()
    {
        AddNamespace(Switch);
        foreach (var n in NodeNames) AddNamespace(Ns(n));
        for (var lan = 1; lan <= 2; lan++)
        {
            var br = $"br{lan}";
            var (code, output) = NsShell.Run("ip", "-n", Switch, "link", "add", br, "type", "bridge");
            if (code != 0) throw new InvalidOperationException($"cannot create a bridge (kernel module 'bridge' missing?): {output.Trim()}");
            NsShell.Must("ip", "-n", Switch, "link", "set", br, "up");
            foreach (var n in NodeNames)
            {
                var port = PortOf(n, lan);
                (code, output) = NsShell.Run("ip", "-n", Switch, "link", "add", port, "type", "veth", "peer", "name", $"lan{lan}", "netns", Ns(n));
                if (code != 0) throw new InvalidOperationException($"cannot create a veth pair (kernel module 'veth' missing?): {output.Trim()}");
                NsShell.Must("ip", "-n", Switch, "link", "set", port, "master", br);
                NsShell.Must("ip", "-n", Switch, "link", "set", port, "up");
                NsShell.Must("ip", "-n", Ns(n), "addr", "add", AddressOf(n, lan) + "/24", "dev", $"lan{lan}");
                NsShell.Must("ip", "-n", Ns(n), "link", "set", $"lan{lan}", "up");
            }
        }
        // The switch doubles as a client on lan1 (to ping the floating address from outside both nodes).
        NsShell.Must("ip", "-n", Switch, "addr", "add", "198.18.1.254/24", "dev", "br1");
        foreach (var n in NodeNames)
            for (var lan = 1; lan <= 2; lan++)
                if (!Ping(Ns(n), AddressOf(n == "n1" ? "n2" : "n1", lan), TimeSpan.FromSeconds(5)))
                    throw new InvalidOperationException($"the topology does not work: {n} cannot ping its peer on lan{lan}");
    }

    /// <summary>Takes a node's switch port on an interconnect down (cut) or up (heal).</summary>
    public void SetPath(string node, int lan, bool up)
    {
        NsShell.Must("ip", "-n", Switch, "link", "set", PortOf(node, lan), up ? "up" : "down");
        _out.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} path lan{lan} of {node} {(up ? "healed" : "cut")}");
    }

    public static bool Ping(string ns, string address, TimeSpan within)
    {
        var sw = Stopwatch.StartNew();
        do
        {
            if (NsShell.Run("ip", "netns", "exec", ns, "ping", "-n", "-q", "-c", "1", "-W", "1", address).Code == 0) return true;
        } while (sw.Elapsed < within);
        return false;
    }

    /// <summary>The IPv4 addresses (CIDR) on an interface in a namespace.</summary>
    public static List<string> Addresses(string ns, string dev)
        => NsShell.Must("ip", "-n", ns, "-o", "-4", "addr", "show", "dev", dev)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(f => f[Array.IndexOf(f, "inet") + 1])
            .ToList();

    // ------------------------------------------------------------------ config and processes

    /// <summary>The cluster part every namespace cluster shares: a fresh key and token file in dir, two interconnects
    /// (lan1, lan2), the given heartbeat timing and ports, TLS API, OS actions that do nothing.</summary>
    internal static ClusterConfig BaseConfig(string dir, string name, string token, int intervalMs, int timeoutMs, int heartbeatPort, int apiPort)
    {
        var keyFile = Path.Combine(dir, "cluster.key");
        var tokenFile = Path.Combine(dir, "api.token");
        File.WriteAllBytes(keyFile, RandomNumberGenerator.GetBytes(32));
        File.WriteAllText(tokenFile, token);
        var config = new ClusterConfig();
        config.Cluster.Name = name;
        config.Cluster.Interconnects.Add(new InterconnectConfig { Name = "lan1" });
        config.Cluster.Interconnects.Add(new InterconnectConfig { Name = "lan2" });
        config.Cluster.Heartbeat = new HeartbeatSettings { IntervalMs = intervalMs, TimeoutMs = timeoutMs, Port = heartbeatPort };
        config.Cluster.Security = new SecuritySettings { KeyFile = keyFile, ApiTokenFile = tokenFile, ApiTls = true, ApiPort = apiPort };
        config.Cluster.ShutdownCommand = "/bin/true";
        config.Cluster.RebootCommand = "/bin/true";
        return config;
    }

    void WriteConfig(Action<GroupConfig> configureGroup)
    {
        var config = BaseConfig(Dir, "nsha", Token, HeartbeatIntervalMs, HeartbeatTimeoutMs, HeartbeatPort, ApiPort);
        for (var i = 0; i < NodeNames.Length; i++)
        {
            var n = NodeNames[i];
            config.Nodes.Add(new NodeConfig { Name = n, Priority = i, Addresses = { ["lan1"] = AddressOf(n, 1), ["lan2"] = AddressOf(n, 2) } });
        }
        var group = new GroupConfig { Name = "g1", Startup = GroupPolicies.Auto, Failback = GroupPolicies.Manual, Servers = NodeNames.ToList() };
        configureGroup(group);
        config.Groups.Add(group);
        _configureCluster?.Invoke(config);
        File.WriteAllText(ConfigFile, ConfigYamlWriter.Write(config));
        foreach (var n in NodeNames)
        {
            Directory.CreateDirectory(StateDir(n));
            // The node would make its certificate at first start; making it now gives the fingerprint to pin up front.
            _fingerprints[n] = ApiCertificate.GetOrCreateFingerprint(StateDir(n));
        }
    }

    /// <summary>dotnet (the host running this test) and expresshad.dll (copied next to the test assembly).</summary>
    internal static (string Dotnet, string Dll) LocateService()
    {
        var dll = Path.Combine(Path.GetDirectoryName(typeof(ExpressHa.Service.Runtime.NodeAgent).Assembly.Location)!, "expresshad.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"expresshad.dll is not at {dll}");
        var candidates = new List<string?>
        {
            Environment.GetEnvironmentVariable("DOTNET_HOST_PATH"),
            Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath : null,
            NsShell.Which("dotnet"),
            Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", "dotnet")),
        };
        var dotnet = candidates.FirstOrDefault(c => c != null && File.Exists(c))
            ?? throw new InvalidOperationException("cannot find the dotnet host (set DOTNET_HOST_PATH)");
        return (dotnet, dll);
    }

    public void Start(string node)
    {
        var (dotnet, dll) = LocateService();
        var psi = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "netns", "exec", Ns(node), dotnet, dll, "run", "--config", ConfigFile, "--node", node, "--state-dir", StateDir(node) })
            psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var log = _logs.TryGetValue(node, out var l) ? l : _logs[node] = new StreamWriter(LogFile(node), append: true) { AutoFlush = true };
        var p = Process.Start(psi)!; // ip netns exec execs the command: this pid is the service itself
        p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (log) log.WriteLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (log) log.WriteLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _processes[node] = p;
        if (!_forwarders.ContainsKey(node))
            _forwarders[node] = new NamespaceForwarder(Ns(node), new IPEndPoint(IPAddress.Parse(AddressOf(node, 1)), ApiPort));
    }

    /// <summary>Runs `expresshad witness` in the switch namespace on 198.18.1.254 (reachable from every node over lan1).</summary>
    public void StartWitness(int port)
    {
        var (dotnet, dll) = LocateService();
        var psi = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "netns", "exec", Switch, dotnet, dll, "witness", "--listen", $"198.18.1.254:{port}", "--state-dir", Path.Combine(Dir, "witness") })
            psi.ArgumentList.Add(a);
        var log = new StreamWriter(LogFile("witness"), append: true) { AutoFlush = true };
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (log) log.WriteLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (log) log.WriteLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _processes["witness"] = p;
    }

    public void StartAll()
    {
        foreach (var n in NodeNames) Start(n);
    }

    public void Kill(string node)
    {
        if (!_processes.TryGetValue(node, out var p)) return;
        try { if (!p.HasExited) p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        p.WaitForExit(5000);
    }

    /// <summary>A client for a node's management API, TLS with the node's certificate pinned.</summary>
    public HaApiClient Client(string node)
        => new(new Uri($"https://127.0.0.1:{_forwarders[node].Port}/"), Token, _fingerprints[node], TimeSpan.FromSeconds(3));

    /// <summary>Polls a node's status until <paramref name="done"/> holds; fails with the last status seen.</summary>
    public async Task<ClusterStatus> WaitStatus(string node, Func<ClusterStatus, bool> done, TimeSpan within, string what)
    {
        using var client = Client(node);
        return await Eventually.ValueAsync(() => client.GetStatusAsync(), done, within, $"{what} on {node}", Describe, pollMs: 100);
    }

    public async Task<List<AlertEntry>> Alerts(string node, DateTimeOffset since)
    {
        using var client = Client(node);
        return await client.GetAlertsAsync(since: since);
    }

    /// <summary>Polls a node's alert log until an alert matches.</summary>
    public async Task<AlertEntry> WaitAlert(string node, DateTimeOffset since, Func<AlertEntry, bool> match, TimeSpan within, string what)
    {
        var alerts = await Eventually.ValueAsync(() => Alerts(node, since), last => last.Any(match), within, $"{what} (an alert on {node})",
            last => $"alerts since {since:HH:mm:ss.fff}:\n  " + string.Join("\n  ", last.Select(Describe)), pollMs: 100);
        return alerts.First(match);
    }

    public static string Describe(AlertEntry a) => $"{a.Time} {a.Node} {a.Level} {a.Module}[{a.EventId}] {a.Message}";

    public static string Describe(ClusterStatus s)
    {
        var b = new StringBuilder($"as {s.ReportingNode} sees it: ");
        foreach (var n in s.Nodes) b.Append($"node {n.Name} {n.State} [{string.Join(", ", n.Paths.Select(p => $"{p.Interconnect} {p.State}"))}]; ");
        foreach (var g in s.Groups) b.Append($"group {g.Name} {g.State} on {g.Owner ?? "-"} gen {g.Generation} [{string.Join(", ", g.Resources.Select(r => $"{r.Name} {r.State}"))}]");
        return b.ToString();
    }

    /// <summary>Runs a test body; on failure writes both nodes' logs to the test output, then rethrows.</summary>
    public async Task Run(Func<Task> body)
    {
        try
        {
            await body();
        }
        catch
        {
            DumpLogs();
            throw;
        }
    }

    void DumpLogs()
    {
        foreach (var n in NodeNames)
        {
            _out.WriteLine($"===== log of {n} ({LogFile(n)}) =====");
            try
            {
                string text;
                lock (_logs.TryGetValue(n, out var w) ? w : new object()) text = File.Exists(LogFile(n)) ? File.ReadAllText(LogFile(n)) : "(no log)";
                _out.WriteLine(text);
            }
            catch (Exception e) { _out.WriteLine($"(cannot read: {e.Message})"); }
        }
    }

    public void Dispose()
    {
        foreach (var n in _processes.Keys.ToList()) Kill(n);
        foreach (var f in _forwarders.Values) f?.Dispose();
        foreach (var w in _logs.Values) lock (w) w.Dispose();
        foreach (var ns in _namespaces.AsEnumerable().Reverse()) NsShell.Run("ip", "netns", "del", ns);
        try { Directory.Delete(Dir, recursive: true); } catch (Exception) { }
    }
}

/// <summary>Runs commands for the namespace tests (no shell: arguments are passed as they are).</summary>
static class NsShell
{
    public static (int Code, string Output) Run(params string[] argv) => ExpressHa.Netns.BridgedHosts.Run(argv);

    public static string Must(params string[] argv) => ExpressHa.Netns.BridgedHosts.Must(argv);

    public static string? Which(string name)
        => (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin").Split(':')
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
}
