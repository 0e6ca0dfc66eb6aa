using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using ExpressHa.Config;
using ExpressHa.Service.Watchdog;
using ExpressHa.Yaml;

namespace ExpressHa.Netns;

/// <summary>Two hosts, h1 and h2, in network namespaces PREFIX-h1 and PREFIX-h2 on one bridge (in PREFIX-sw) at SUBNET.1
/// and SUBNET.2, and an auxiliary namespace PREFIX-ax at SUBNET.250 (a ping target or a witness). The config from
/// <see cref="NewConfig"/> holds one group g1: the floating address SUBNET.100 and an exec resource "mark" after it whose
/// start and stop append "MS NODE start|stop" (Unix ms) to activity.log. A crash takes the host's bridge port down and
/// kills every process of its namespace at once. The namespace tests (WatchdogHosts) and bench/ExpressHa.NetnsBench
/// (NetnsHosts) both compile this file.</summary>
public sealed class BridgedHosts : IDisposable
{
    public static readonly string[] Hosts = { "h1", "h2" };
    readonly string _prefix, _subnet;
    readonly List<string> _namespaces = new();
    readonly List<StandInWatcher> _watchers = new();
    readonly Dictionary<string, Process> _processes = new(StringComparer.Ordinal);
    readonly Dictionary<string, StreamWriter> _logs = new(StringComparer.Ordinal);
    readonly object _gate = new();

    /// <param name="prefix">The namespaces' name prefix (its own per concurrent user).</param>
    /// <param name="subnet">The first three octets of the hosts' /24, e.g. "198.19.12".</param>
    public BridgedHosts(string prefix, string subnet, string dir)
    {
        _prefix = prefix;
        _subnet = subnet;
        Dir = dir;
        Directory.CreateDirectory(dir);
        File.WriteAllText(ActivityLog, "");
    }

    public string Dir { get; }
    public string ActivityLog => Path.Combine(Dir, "activity.log");
    public string ConfigFile => Path.Combine(Dir, "cluster.yaml");
    public string Ns(string host) => $"{_prefix}-{host}";
    public string AuxNs => Ns("ax");
    string Switch => Ns("sw");
    public string AddressOf(string host) => host == "h1" ? $"{_subnet}.1" : $"{_subnet}.2";
    public string Aux => $"{_subnet}.250";
    public string Vip => $"{_subnet}.100";
    public static string Other(string host) => host == "h1" ? "h2" : "h1";
    public string StateDir(string host) => Path.Combine(Dir, host);
    public string LogFile(string host) => Path.Combine(Dir, host + ".log");
    public string WatchdogFile(string host) => Path.Combine(Dir, host + ".watchdog");

    /// <summary>The namespaces (leftovers of the same names removed first), the bridge and a veth per host and for the
    /// auxiliary namespace; returns once h1 pings h2.</summary>
    public void Build()
    {
        var all = new[] { Switch, AuxNs }.Concat(Hosts.Select(Ns)).ToList();
        foreach (var ns in all) Run("ip", "netns", "del", ns);
        foreach (var ns in all)
        {
            Must("ip", "netns", "add", ns);
            _namespaces.Add(ns);
            Must("ip", "-n", ns, "link", "set", "lo", "up");
        }
        Must("ip", "-n", Switch, "link", "add", "br0", "type", "bridge");
        Must("ip", "-n", Switch, "link", "set", "br0", "up");
        foreach (var (ns, port, address) in Hosts.Select(h => (Ns(h), h, AddressOf(h))).Append((AuxNs, "ax", Aux)))
        {
            Must("ip", "-n", Switch, "link", "add", port, "type", "veth", "peer", "name", "lan1", "netns", ns);
            Must("ip", "-n", Switch, "link", "set", port, "master", "br0");
            Must("ip", "-n", Switch, "link", "set", port, "up");
            Must("ip", "-n", ns, "addr", "add", address + "/24", "dev", "lan1");
            Must("ip", "-n", ns, "link", "set", "lan1", "up");
        }
        var sw = Stopwatch.StartNew();
        while (Run("ip", "netns", "exec", Ns("h1"), "ping", "-c", "1", "-W", "1", AddressOf("h2")).Code != 0)
            if (sw.Elapsed > TimeSpan.FromSeconds(10)) throw new InvalidOperationException("h1 cannot ping h2 on the bridge");
    }

    /// <summary>A new key and token in <see cref="Dir"/> and the config described above; the caller adds partition
    /// resolution, fencing or a watchdog and passes it to <see cref="WriteConfig"/>.</summary>
    public ClusterConfig NewConfig(string name, int intervalMs, int timeoutMs, long arpCount)
    {
        File.WriteAllBytes(Path.Combine(Dir, "cluster.key"), RandomNumberGenerator.GetBytes(32));
        File.WriteAllText(Path.Combine(Dir, "api.token"), Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));
        var c = new ClusterConfig();
        c.Cluster.Name = name;
        c.Cluster.Interconnects.Add(new InterconnectConfig { Name = "lan1" });
        c.Cluster.Heartbeat = new HeartbeatSettings { IntervalMs = intervalMs, TimeoutMs = timeoutMs };
        c.Cluster.Security = new SecuritySettings { KeyFile = Path.Combine(Dir, "cluster.key"), ApiTokenFile = Path.Combine(Dir, "api.token") };
        c.Cluster.ShutdownCommand = "/bin/true";
        c.Cluster.RebootCommand = "/bin/true";
        for (var i = 0; i < Hosts.Length; i++)
            c.Nodes.Add(new NodeConfig { Name = Hosts[i], Priority = i, Addresses = { ["lan1"] = AddressOf(Hosts[i]) } });
        var g = new GroupConfig { Name = "g1", Startup = GroupPolicies.Auto, Failback = GroupPolicies.Manual, Servers = Hosts.ToList() };
        var vip = new ResourceConfig { Name = "vip", Type = "floatip" };
        vip.Parameters["ip"] = Vip;
        vip.Parameters["arpCount"] = arpCount;
        g.Resources.Add(vip);
        var mark = new ResourceConfig { Name = "mark", Type = "exec", DependsOn = { "vip" } };
        mark.Parameters["start"] = $"echo \"$(date +%s%3N) $EXPRESSHA_NODE start\" >> '{ActivityLog}'";
        mark.Parameters["stop"] = $"echo \"$(date +%s%3N) $EXPRESSHA_NODE stop\" >> '{ActivityLog}'";
        g.Resources.Add(mark);
        c.Groups.Add(g);
        return c;
    }

    /// <summary>Validates the config (an invalid one throws with the findings) and writes <see cref="ConfigFile"/>.</summary>
    public void WriteConfig(ClusterConfig c)
    {
        var errors = ExpressHa.Validation.ConfigValidator.Validate(c).Where(f => f.IsError).ToList();
        if (errors.Count > 0) throw new InvalidOperationException($"the config of {c.Cluster.Name} is invalid: {string.Join("; ", errors)}");
        File.WriteAllText(ConfigFile, ConfigYamlWriter.Write(c));
    }

    /// <summary>Watches a watchdog stand-in file per host; <paramref name="runOut"/> gets the host and the reason when
    /// one is not fed within <paramref name="timeoutMs"/>.</summary>
    public void WatchWatchdogs(int timeoutMs, Action<string, string> runOut)
    {
        foreach (var h in Hosts) _watchers.Add(new StandInWatcher(WatchdogFile(h), timeoutMs, reason => runOut(h, reason)));
    }

    /// <summary>Starts expresshad run on the host, its output appended to <see cref="LogFile"/>.</summary>
    public void Start(string host, bool watchdog)
    {
        var (dotnet, dll) = Service();
        var argv = new List<string> { dotnet, dll, "run", "--config", ConfigFile, "--node", host, "--state-dir", StateDir(host) };
        if (watchdog) argv.AddRange(new[] { "--watchdog-device", WatchdogFile(host) });
        var p = StartIn(Ns(host), argv, LogTo(host));
        lock (_gate) _processes[host] = p;
    }

    /// <summary>Starts a program in a namespace; its output goes to <paramref name="log"/> (or nowhere).</summary>
    public static Process StartIn(string ns, IEnumerable<string> argv, StreamWriter? log)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "netns", "exec", ns }.Concat(argv)) psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, e) => { if (e.Data != null && log != null) lock (log) log.WriteLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data != null && log != null) lock (log) log.WriteLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    StreamWriter LogTo(string host)
    {
        lock (_gate)
            return _logs.TryGetValue(host, out var l) ? l : _logs[host] = new StreamWriter(LogFile(host), append: true) { AutoFlush = true };
    }

    /// <summary>A line in the host's log, stamped, beside the service's own lines.</summary>
    public void Log(string host, string line)
    {
        var log = LogTo(host);
        lock (log) log.WriteLine($"{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} {line}");
    }

    public int Pid(string host) { lock (_gate) return _processes[host].Id; }

    /// <summary>The machine crash: the host's bridge port down and every process of its namespace killed. Returns the
    /// Unix ms it began.</summary>
    public long Crash(string host)
    {
        var at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Run("ip", "-n", Switch, "link", "set", host, "down");
        KillAll(Ns(host));
        Process? p;
        lock (_gate) _processes.TryGetValue(host, out p);
        try { p?.WaitForExit(5000); } catch (InvalidOperationException) { }
        return at;
    }

    /// <summary>What a reboot forgets: the floating address on the host.</summary>
    public void RemoveVip(string host) => Run("ip", "-n", Ns(host), "addr", "del", Vip + "/24", "dev", "lan1");

    public void PortUp(string host) => Must("ip", "-n", Switch, "link", "set", host, "up");

    static void KillAll(string ns)
    {
        for (var i = 0; i < 50; i++)
        {
            var pids = Run("ip", "netns", "pids", ns).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (pids.Length == 0) return;
            foreach (var pid in pids) Run("kill", "-9", pid.Trim());
            Thread.Sleep(20);
        }
    }

    public IReadOnlyList<(long AtMs, string Host, bool Start)> Activity()
        => File.ReadAllLines(ActivityLog).Select(l => l.Split(' ')).Where(f => f.Length == 3 && long.TryParse(f[0], out _))
            .Select(f => (long.Parse(f[0]), f[1], f[2] == "start")).ToList();

    /// <summary>The dotnet host and expresshad.dll beside this program.</summary>
    public static (string Dotnet, string Dll) Service()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "expresshad.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"expresshad.dll is not at {dll}");
        var dotnet = new[]
        {
            Environment.GetEnvironmentVariable("DOTNET_HOST_PATH"),
            Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath : null,
            (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "dotnet")).FirstOrDefault(File.Exists),
            Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", "dotnet")),
        }.FirstOrDefault(c => c != null && File.Exists(c)) ?? throw new InvalidOperationException("cannot find the dotnet host (set DOTNET_HOST_PATH)");
        return (dotnet, dll);
    }

    /// <summary>Runs a command (LC_ALL=C, at most 30 s); the exit code and the output.</summary>
    public static (int Code, string Output) Run(params string[] argv)
    {
        var psi = new ProcessStartInfo(argv[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in argv.Skip(1)) psi.ArgumentList.Add(a);
        psi.Environment["LC_ALL"] = "C";
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(30_000)) { p.Kill(true); return (-1, $"{string.Join(' ', argv)} timed out"); }
        return (p.ExitCode, stdout + stderr.Result);
    }

    public static string Must(params string[] argv)
    {
        var (code, output) = Run(argv);
        if (code != 0) throw new InvalidOperationException($"{string.Join(' ', argv)} failed with exit {code}: {output.Trim()}");
        return output;
    }

    /// <summary>Stops the watchers, crashes every host, kills what is left in every namespace and deletes them.</summary>
    public void Dispose()
    {
        foreach (var w in _watchers) w.DisposeAsync().AsTask().Wait();
        foreach (var h in Hosts.Where(h => _namespaces.Contains(Ns(h)))) Crash(h);
        foreach (var ns in _namespaces) KillAll(ns);
        foreach (var ns in Enumerable.Reverse(_namespaces)) Run("ip", "netns", "del", ns);
        lock (_gate) foreach (var w in _logs.Values) lock (w) w.Dispose();
    }
}
