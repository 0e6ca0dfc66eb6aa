using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using ExpressHa.Config;
using ExpressHa.Service.Watchdog;
using ExpressHa.Yaml;

namespace ExpressHa.NetnsBench;

/// <summary>How a benchmark cluster guards against split brain.</summary>
enum Resolution { None, Ping, Witness }

/// <summary>One measured configuration.</summary>
sealed record Scenario(string Name, string Title, int IntervalMs, int TimeoutMs, Resolution Resolution, bool Fence, int WatchdogMs, int CheckTimeoutMs = 500);

/// <summary>Two hosts (ehfo-h1, ehfo-h2) in network namespaces on one bridge (in ehfo-sw), 198.19.10.1 and .2, plus an
/// auxiliary namespace (ehfo-ax, 198.19.10.250: ping target and witness). One group: a floating address
/// 198.19.10.100 and an exec resource "mark" after it whose start appends "MS NODE start" (Unix ms) to activity.log.
/// A machine crash kills every process of the host's namespace and takes its bridge port down at once; powering it on
/// drops the floating address (a reboot forgets it), brings the port up and starts the service. A watchdog stand-in per
/// host is watched; when it fires the host is crashed the same way.</summary>
sealed class NetnsHosts : IDisposable
{
    public const string Vip = "198.19.10.100";
    public const string Aux = "198.19.10.250";
    public static readonly string[] Hosts = { "h1", "h2" };
    const string Prefix = "ehfo-nb";
    readonly Dictionary<string, Process> _processes = new(StringComparer.Ordinal);
    readonly Dictionary<string, StreamWriter> _logs = new(StringComparer.Ordinal);
    readonly List<StandInWatcher> _watchers = new();
    readonly HashSet<string> _crashed = new(StringComparer.Ordinal);
    readonly object _gate = new();
    Process? _witness;
    bool _built;

    public NetnsHosts(string dir, Scenario scenario)
    {
        Dir = dir;
        Scenario = scenario;
        Directory.CreateDirectory(dir);
        File.WriteAllText(ActivityLog, "");
    }

    public string Dir { get; }
    public Scenario Scenario { get; }
    public string ActivityLog => Path.Combine(Dir, "activity.log");
    public string ConfigFile => Path.Combine(Dir, "cluster.yaml");
    public static string Ns(string host) => $"{Prefix}-{host}";
    static string Switch => $"{Prefix}-sw";
    static string AuxNs => $"{Prefix}-ax";
    public static string AddressOf(string host) => host == "h1" ? "198.19.10.1" : "198.19.10.2";
    public static string Other(string host) => host == "h1" ? "h2" : "h1";
    public string LogFile(string host) => Path.Combine(Dir, host + ".log");
    public string WatchdogFile(string host) => Path.Combine(Dir, host + ".watchdog");
    /// <summary>Watchdog resets of a host the benchmark had not crashed (a survivor that reset itself).</summary>
    public List<string> UnexpectedResets { get; } = new();

    public void Build()
    {
        foreach (var ns in new[] { Switch, AuxNs }.Concat(Hosts.Select(Ns))) Sh.Run("ip", "netns", "del", ns);
        _built = true;
        foreach (var ns in new[] { Switch, AuxNs }.Concat(Hosts.Select(Ns)))
        {
            Sh.Must("ip", "netns", "add", ns);
            Sh.Must("ip", "-n", ns, "link", "set", "lo", "up");
        }
        Sh.Must("ip", "-n", Switch, "link", "add", "br0", "type", "bridge");
        Sh.Must("ip", "-n", Switch, "link", "set", "br0", "up");
        foreach (var (ns, port, address) in Hosts.Select(h => (Ns(h), h, AddressOf(h))).Append((AuxNs, "ax", Aux)))
        {
            Sh.Must("ip", "-n", Switch, "link", "add", port, "type", "veth", "peer", "name", "lan1", "netns", ns);
            Sh.Must("ip", "-n", Switch, "link", "set", port, "master", "br0");
            Sh.Must("ip", "-n", Switch, "link", "set", port, "up");
            Sh.Must("ip", "-n", ns, "addr", "add", address + "/24", "dev", "lan1");
            Sh.Must("ip", "-n", ns, "link", "set", "lan1", "up");
        }
        var sw = Stopwatch.StartNew();
        while (Sh.Run("ip", "netns", "exec", Ns("h1"), "ping", "-c", "1", "-W", "1", AddressOf("h2")).Code != 0)
            if (sw.Elapsed > TimeSpan.FromSeconds(10)) throw new InvalidOperationException("h1 cannot ping h2 on the bridge");
        WriteConfig();
    }

    void WriteConfig()
    {
        var s = Scenario;
        File.WriteAllBytes(Path.Combine(Dir, "cluster.key"), RandomNumberGenerator.GetBytes(32));
        File.WriteAllText(Path.Combine(Dir, "api.token"), Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));
        var fence = Path.Combine(Dir, "fence.sh");
        File.WriteAllText(fence, "#!/bin/sh\necho \"$(date +%s%3N) fenced $1\" >> '" + Path.Combine(Dir, "fence.log") + "'\nexit 0\n");
        File.SetUnixFileMode(fence, (UnixFileMode)0b111_101_101);
        var c = new ClusterConfig();
        c.Cluster.Name = "nbench";
        c.Cluster.Interconnects.Add(new InterconnectConfig { Name = "lan1" });
        c.Cluster.Heartbeat = new HeartbeatSettings { IntervalMs = s.IntervalMs, TimeoutMs = s.TimeoutMs };
        c.Cluster.Security = new SecuritySettings { KeyFile = Path.Combine(Dir, "cluster.key"), ApiTokenFile = Path.Combine(Dir, "api.token") };
        c.Cluster.ShutdownCommand = "/bin/true";
        c.Cluster.RebootCommand = "/bin/true";
        if (s.Resolution == Resolution.Ping)
            c.Cluster.PartitionResolution.Ping = new PingResolution { Targets = { Aux }, IntervalMs = Math.Min(200, s.CheckTimeoutMs / 2), TimeoutMs = s.CheckTimeoutMs };
        if (s.Resolution == Resolution.Witness)
            c.Cluster.PartitionResolution.Http = new HttpResolution { Url = $"http://{Aux}:29180", TimeoutMs = s.CheckTimeoutMs, Heartbeat = true };
        if (s.Fence)
            c.Cluster.Fencing = new FencingSettings { Levels = { new FencingLevel { Type = FencingTypes.Script, Command = fence } } };
        if (s.WatchdogMs > 0)
            c.Cluster.Watchdog = new WatchdogSettings { TimeoutMs = s.WatchdogMs, Device = Path.Combine(Dir, "watchdog.standin") };
        for (var i = 0; i < Hosts.Length; i++)
            c.Nodes.Add(new NodeConfig { Name = Hosts[i], Priority = i, Addresses = { ["lan1"] = AddressOf(Hosts[i]) } });
        var g = new GroupConfig { Name = "g1", Startup = GroupPolicies.Auto, Failback = GroupPolicies.Manual, Servers = Hosts.ToList() };
        var vip = new ResourceConfig { Name = "vip", Type = "floatip" };
        vip.Parameters["ip"] = Vip;
        vip.Parameters["arpCount"] = 1L;
        g.Resources.Add(vip);
        var mark = new ResourceConfig { Name = "mark", Type = "exec", DependsOn = { "vip" } };
        mark.Parameters["start"] = $"echo \"$(date +%s%3N) $EXPRESSHA_NODE start\" >> '{ActivityLog}'";
        mark.Parameters["stop"] = $"echo \"$(date +%s%3N) $EXPRESSHA_NODE stop\" >> '{ActivityLog}'";
        g.Resources.Add(mark);
        c.Groups.Add(g);
        var findings = ExpressHa.Validation.ConfigValidator.Validate(c).Where(f => f.IsError).ToList();
        if (findings.Count > 0) throw new InvalidOperationException($"scenario {s.Name}: the config is invalid: {string.Join("; ", findings)}");
        File.WriteAllText(ConfigFile, ConfigYamlWriter.Write(c));
        if (s.WatchdogMs > 0)
            foreach (var h in Hosts)
                _watchers.Add(new StandInWatcher(WatchdogFile(h), s.WatchdogMs, reason => OnWatchdogReset(h, reason)));
    }

    void OnWatchdogReset(string host, string reason)
    {
        bool expected;
        lock (_gate) expected = _crashed.Contains(host);
        Log(host, $"BENCH watchdog reset of {host}: {reason}");
        if (!expected)
        {
            lock (_gate) UnexpectedResets.Add($"{host}: {reason}");
            Crash(host);
        }
    }

    public void StartWitness()
    {
        if (Scenario.Resolution != Resolution.Witness) return;
        var (dotnet, dll) = Service();
        var psi = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "netns", "exec", AuxNs, dotnet, dll, "witness", "--listen", $"{Aux}:29180", "--state-dir", Path.Combine(Dir, "witness") }) psi.ArgumentList.Add(a);
        _witness = Process.Start(psi)!;
        _witness.OutputDataReceived += (_, _) => { };
        _witness.ErrorDataReceived += (_, _) => { };
        _witness.BeginOutputReadLine();
        _witness.BeginErrorReadLine();
    }

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
        }.FirstOrDefault(c => c != null && File.Exists(c)) ?? throw new InvalidOperationException("cannot find dotnet");
        return (dotnet, dll);
    }

    public void Start(string host)
    {
        var (dotnet, dll) = Service();
        var psi = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var argv = new List<string> { "netns", "exec", Ns(host), dotnet, dll, "run", "--config", ConfigFile, "--node", host, "--state-dir", Path.Combine(Dir, host) };
        if (Scenario.WatchdogMs > 0) argv.AddRange(new[] { "--watchdog-device", WatchdogFile(host) });
        foreach (var a in argv) psi.ArgumentList.Add(a);
        var log = _logs.TryGetValue(host, out var l) ? l : _logs[host] = new StreamWriter(LogFile(host), append: true) { AutoFlush = true };
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (log) log.WriteLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (log) log.WriteLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        lock (_gate) _processes[host] = p;
    }

    void Log(string host, string line)
    {
        if (_logs.TryGetValue(host, out var log)) lock (log) log.WriteLine($"{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} {line}");
    }

    /// <summary>The machine crash: every process of the host killed and its link down, at once. Returns the Unix ms it began.</summary>
    public long Crash(string host)
    {
        var at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        lock (_gate) _crashed.Add(host);
        Sh.Run("ip", "-n", Switch, "link", "set", host, "down");
        foreach (var pid in Sh.Run("ip", "netns", "pids", Ns(host)).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            Sh.Run("kill", "-9", pid.Trim());
        lock (_gate) if (_processes.TryGetValue(host, out var p)) { try { p.WaitForExit(5000); } catch (InvalidOperationException) { } }
        return at;
    }

    /// <summary>The crashed host boots: no floating address any more, link up, a fresh service (and watchdog file).</summary>
    public void PowerOn(string host)
    {
        File.Delete(WatchdogFile(host));
        Sh.Run("ip", "-n", Ns(host), "addr", "del", Vip + "/24", "dev", "lan1");
        Sh.Must("ip", "-n", Switch, "link", "set", host, "up");
        lock (_gate) _crashed.Remove(host);
        Start(host);
    }

    public IReadOnlyList<(long AtMs, string Host, bool Start)> Activity()
        => File.ReadAllLines(ActivityLog).Select(l => l.Split(' ')).Where(f => f.Length == 3 && long.TryParse(f[0], out _))
            .Select(f => (long.Parse(f[0]), f[1], f[2] == "start")).ToList();

    /// <summary>Complete lines so far (the split leaves an empty last element after the final newline).</summary>
    public int LogLines(string host) => File.Exists(LogFile(host)) ? ReadShared(LogFile(host)).Length - 1 : 0;

    public bool LogHas(string host, int fromLine, string text) => File.Exists(LogFile(host)) && ReadShared(LogFile(host)).Skip(fromLine).Any(l => l.Contains(text));

    static string[] ReadShared(string path)
    {
        using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var r = new StreamReader(s);
        return r.ReadToEnd().Split('\n');
    }

    public void Dispose()
    {
        foreach (var w in _watchers) w.DisposeAsync().AsTask().Wait();
        if (_built)
        {
            foreach (var h in Hosts) Crash(h);
            if (_witness is { HasExited: false }) { try { _witness.Kill(true); } catch (InvalidOperationException) { } }
            foreach (var ns in new[] { Switch, AuxNs }.Concat(Hosts.Select(Ns)))
            {
                foreach (var pid in Sh.Run("ip", "netns", "pids", ns).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)) Sh.Run("kill", "-9", pid.Trim());
                Sh.Run("ip", "netns", "del", ns);
            }
        }
        foreach (var w in _logs.Values) lock (w) w.Dispose();
    }
}
