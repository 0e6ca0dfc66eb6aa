using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using ExpressHa.Api;
using ExpressHa.Config;
using ExpressHa.Service.Watchdog;
using ExpressHa.Yaml;
using Xunit.Abstractions;

namespace ExpressHa.Service.Tests.Netns;

/// <summary>Two hosts in network namespaces on one bridge (ehfo-ID-h1/h2, 198.19.12.1/.2; the bridge in ehfo-ID-sw;
/// ping target ehfo-ID-ax 198.19.12.250), ping partition resolution, no fencing, and a watchdog stand-in per host that
/// this fixture watches: when a host's stand-in is not fed for the timeout the host is "reset" (every process of its
/// namespace killed, its floating address gone, its link down), and the time is recorded. One group: floating address
/// 198.19.12.100 and an exec resource "mark" whose start and stop append "MS NODE start|stop" to activity.log.</summary>
public sealed class WatchdogHosts : IDisposable
{
    public const int IntervalMs = 200, TimeoutMs = 1000, WatchdogMs = 1000, PingTimeoutMs = 500;
    public const string Vip = "198.19.12.100", Target = "198.19.12.250";
    public static readonly string[] Hosts = { "h1", "h2" };
    readonly ITestOutputHelper _output;
    readonly List<string> _namespaces = new();
    readonly List<StandInWatcher> _watchers = new();
    readonly Dictionary<string, Process> _processes = new(StringComparer.Ordinal);
    readonly Dictionary<string, StreamWriter> _logs = new(StringComparer.Ordinal);
    readonly object _gate = new();

    public WatchdogHosts(ITestOutputHelper output)
    {
        _output = output;
        Id = Convert.ToHexString(RandomNumberGenerator.GetBytes(2)).ToLowerInvariant();
        Dir = Path.Combine(Path.GetTempPath(), $"ehfo-wd-{Id}");
        Directory.CreateDirectory(Dir);
        File.WriteAllText(ActivityLog, "");
        try { Build(); WriteConfig(); }
        catch { Dispose(); throw; }
    }

    public string Id { get; }
    public string Dir { get; }
    public string ActivityLog => Path.Combine(Dir, "activity.log");
    public string Ns(string host) => $"ehfo-{Id}-{host}";
    string Switch => $"ehfo-{Id}-sw";
    public static string AddressOf(string host) => host == "h1" ? "198.19.12.1" : "198.19.12.2";
    public string StateDir(string host) => Path.Combine(Dir, host);
    string WatchdogFile(string host) => Path.Combine(Dir, host + ".watchdog");
    /// <summary>Unix ms of each watchdog reset the fixture played, per host.</summary>
    public Dictionary<string, long> Resets { get; } = new(StringComparer.Ordinal);

    void Build()
    {
        foreach (var ns in new[] { Switch, Ns("h1"), Ns("h2"), Ns("ax") })
        {
            NsShell.Must("ip", "netns", "add", ns);
            _namespaces.Add(ns);
            NsShell.Must("ip", "-n", ns, "link", "set", "lo", "up");
        }
        NsShell.Must("ip", "-n", Switch, "link", "add", "br0", "type", "bridge");
        NsShell.Must("ip", "-n", Switch, "link", "set", "br0", "up");
        foreach (var (host, address) in new[] { ("h1", AddressOf("h1")), ("h2", AddressOf("h2")), ("ax", Target) })
        {
            NsShell.Must("ip", "-n", Switch, "link", "add", host, "type", "veth", "peer", "name", "lan1", "netns", Ns(host));
            NsShell.Must("ip", "-n", Switch, "link", "set", host, "master", "br0");
            NsShell.Must("ip", "-n", Switch, "link", "set", host, "up");
            NsShell.Must("ip", "-n", Ns(host), "addr", "add", address + "/24", "dev", "lan1");
            NsShell.Must("ip", "-n", Ns(host), "link", "set", "lan1", "up");
        }
        if (!NetnsCluster.Ping(Ns("h1"), AddressOf("h2"), TimeSpan.FromSeconds(10))) throw new InvalidOperationException("h1 cannot ping h2");
    }

    void WriteConfig()
    {
        File.WriteAllBytes(Path.Combine(Dir, "cluster.key"), RandomNumberGenerator.GetBytes(32));
        File.WriteAllText(Path.Combine(Dir, "api.token"), Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));
        var c = new ClusterConfig();
        c.Cluster.Name = "wd";
        c.Cluster.Interconnects.Add(new InterconnectConfig { Name = "lan1" });
        c.Cluster.Heartbeat = new HeartbeatSettings { IntervalMs = IntervalMs, TimeoutMs = TimeoutMs };
        c.Cluster.Security = new SecuritySettings { KeyFile = Path.Combine(Dir, "cluster.key"), ApiTokenFile = Path.Combine(Dir, "api.token") };
        c.Cluster.ShutdownCommand = "/bin/true";
        c.Cluster.RebootCommand = "/bin/true";
        c.Cluster.PartitionResolution.Ping = new PingResolution { Targets = { Target }, IntervalMs = 200, TimeoutMs = PingTimeoutMs };
        c.Cluster.Watchdog = new WatchdogSettings { TimeoutMs = WatchdogMs, Device = Path.Combine(Dir, "watchdog.standin") };
        for (var i = 0; i < Hosts.Length; i++)
            c.Nodes.Add(new NodeConfig { Name = Hosts[i], Priority = i, Addresses = { ["lan1"] = AddressOf(Hosts[i]) } });
        var g = new GroupConfig { Name = "g1", Startup = GroupPolicies.Auto, Failback = GroupPolicies.Manual, Servers = Hosts.ToList() };
        var vip = new ResourceConfig { Name = "vip", Type = "floatip" };
        vip.Parameters["ip"] = Vip;
        vip.Parameters["arpCount"] = 0L;
        g.Resources.Add(vip);
        var mark = new ResourceConfig { Name = "mark", Type = "exec", DependsOn = { "vip" } };
        mark.Parameters["start"] = $"echo \"$(date +%s%3N) $EXPRESSHA_NODE start\" >> '{ActivityLog}'";
        mark.Parameters["stop"] = $"echo \"$(date +%s%3N) $EXPRESSHA_NODE stop\" >> '{ActivityLog}'";
        g.Resources.Add(mark);
        c.Groups.Add(g);
        var errors = ExpressHa.Validation.ConfigValidator.Validate(c).Where(f => f.IsError).ToList();
        if (errors.Count > 0) throw new InvalidOperationException("invalid test config: " + string.Join("; ", errors));
        File.WriteAllText(Path.Combine(Dir, "cluster.yaml"), ConfigYamlWriter.Write(c));
        foreach (var h in Hosts)
            _watchers.Add(new StandInWatcher(WatchdogFile(h), WatchdogMs, reason => Reset(h, reason)));
    }

    void Reset(string host, string reason)
    {
        var at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        // Recorded as the watchdog fires, not once every process is gone: killing takes a while on a loaded machine.
        lock (_gate) Resets[host] = at;
        NsShell.Run("ip", "-n", Switch, "link", "set", host, "down");
        for (var i = 0; i < 50; i++)
        {
            var pids = NsShell.Run("ip", "netns", "pids", Ns(host)).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (pids.Length == 0) break;
            foreach (var pid in pids) NsShell.Run("kill", "-9", pid.Trim());
            Thread.Sleep(20);
        }
        NsShell.Run("ip", "-n", Ns(host), "addr", "del", Vip + "/24", "dev", "lan1");
        Write($"{host}: watchdog reset at {at} ({reason})");
    }

    void Write(string line)
    {
        try { _output.WriteLine(line); } catch (InvalidOperationException) { }
    }

    public void Start(string host)
    {
        var (dotnet, dll) = NetnsCluster.LocateService();
        var psi = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "netns", "exec", Ns(host), dotnet, dll, "run", "--config", Path.Combine(Dir, "cluster.yaml"), "--node", host,
                     "--state-dir", StateDir(host), "--watchdog-device", WatchdogFile(host) })
            psi.ArgumentList.Add(a);
        var log = _logs[host] = new StreamWriter(Path.Combine(Dir, host + ".log"), append: true) { AutoFlush = true };
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (log) log.WriteLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (log) log.WriteLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        lock (_gate) _processes[host] = p;
    }

    public int Pid(string host) { lock (_gate) return _processes[host].Id; }

    /// <summary>Drops, in <paramref name="host"/>, every IPv4 packet from <paramref name="from"/>: a one-way loss (what
    /// <paramref name="host"/> sends still arrives).</summary>
    public void DropFrom(string host, string from)
    {
        var nft = NsShell.Which("nft") ?? "/usr/sbin/nft";
        NsShell.Must("ip", "netns", "exec", Ns(host), nft, "add", "table", "inet", "ehfo");
        NsShell.Must("ip", "netns", "exec", Ns(host), nft, "add", "chain", "inet", "ehfo", "in", "{ type filter hook input priority -10 ; policy accept ; }");
        NsShell.Must("ip", "netns", "exec", Ns(host), nft, "add", "rule", "inet", "ehfo", "in", "ip", "saddr", AddressOf(from), "drop");
    }

    public IReadOnlyList<(long AtMs, string Host, bool Start)> Activity()
        => File.ReadAllLines(ActivityLog).Select(l => l.Split(' ')).Where(f => f.Length == 3 && long.TryParse(f[0], out _))
            .Select(f => (long.Parse(f[0]), f[1], f[2] == "start")).ToList();

    public List<AlertEntry> Alerts(string host)
    {
        var path = Path.Combine(StateDir(host), "alerts.jsonl");
        if (!File.Exists(path)) return new List<AlertEntry>();
        using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var r = new StreamReader(s);
        return r.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => { try { return JsonSerializer.Deserialize<AlertEntry>(l, new JsonSerializerOptions(JsonSerializerDefaults.Web)); } catch (JsonException) { return null; } })
            .Where(a => a != null).Select(a => a!).ToList();
    }

    /// <summary>Everything seen, for a failure message: activity, resets and both alert logs.</summary>
    public string Describe()
    {
        var lines = new List<string> { "activity:" };
        lines.AddRange(File.ReadAllLines(ActivityLog).Select(l => "  " + l));
        lock (_gate) lines.AddRange(Resets.Select(r => $"reset {r.Key} at {r.Value}"));
        foreach (var h in Hosts)
        {
            lines.Add($"{h} alerts:");
            lines.AddRange(Alerts(h).Select(a => "  " + NetnsCluster.Describe(a)));
        }
        return string.Join("\n", lines);
    }

    public Task Until(Func<bool> done, TimeSpan within, string what) => Eventually.UntilAsync(done, within, what, Describe);

    public void Dispose()
    {
        foreach (var w in _watchers) w.DisposeAsync().AsTask().Wait();
        foreach (var ns in _namespaces)
            foreach (var pid in NsShell.Run("ip", "netns", "pids", ns).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                NsShell.Run("kill", "-9", pid.Trim());
        lock (_gate)
            foreach (var p in _processes.Values) { try { p.WaitForExit(5000); } catch (InvalidOperationException) { } }
        foreach (var w in _logs.Values) lock (w) w.Dispose();
        foreach (var ns in Enumerable.Reverse(_namespaces)) NsShell.Run("ip", "netns", "del", ns);
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}
