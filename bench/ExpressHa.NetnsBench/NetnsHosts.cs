using System.Diagnostics;
using ExpressHa.Config;
using ExpressHa.Netns;

namespace ExpressHa.NetnsBench;

/// <summary>How a benchmark cluster guards against split brain.</summary>
enum Resolution { None, Ping, Witness }

/// <summary>One measured configuration.</summary>
sealed record Scenario(string Name, string Title, int IntervalMs, int TimeoutMs, Resolution Resolution, bool Fence, int WatchdogMs, int CheckTimeoutMs = 500);

/// <summary><see cref="BridgedHosts"/> (ehfo-nb-h1/h2, 198.19.10.1 and .2; ehfo-nb-ax 198.19.10.250 is the ping target
/// and the witness) set up for one scenario. Powering a crashed host on drops the floating address (a reboot forgets
/// it), brings the port up and starts the service. When a watchdog stand-in fires for a host the benchmark had not
/// crashed, the host is crashed the same way and the reset counts as unexpected.</summary>
sealed class NetnsHosts : IDisposable
{
    public static readonly string[] Hosts = BridgedHosts.Hosts;
    readonly BridgedHosts _hosts;
    readonly HashSet<string> _crashed = new(StringComparer.Ordinal);
    readonly object _gate = new();
    Process? _witness;

    public NetnsHosts(string dir, Scenario scenario)
    {
        _hosts = new BridgedHosts("ehfo-nb", "198.19.10", dir);
        Scenario = scenario;
    }

    public string Dir => _hosts.Dir;
    public Scenario Scenario { get; }
    public static string Other(string host) => BridgedHosts.Other(host);
    /// <summary>Watchdog resets of a host the benchmark had not crashed (a survivor that reset itself).</summary>
    public List<string> UnexpectedResets { get; } = new();

    public void Build()
    {
        _hosts.Build();
        var s = Scenario;
        var c = _hosts.NewConfig("nbench", s.IntervalMs, s.TimeoutMs, arpCount: 1);
        var fence = Path.Combine(Dir, "fence.sh");
        File.WriteAllText(fence, "#!/bin/sh\necho \"$(date +%s%3N) fenced $1\" >> '" + Path.Combine(Dir, "fence.log") + "'\nexit 0\n");
        File.SetUnixFileMode(fence, (UnixFileMode)0b111_101_101);
        if (s.Resolution == Resolution.Ping)
            c.Cluster.PartitionResolution.Ping = new PingResolution { Targets = { _hosts.Aux }, IntervalMs = Math.Min(200, s.CheckTimeoutMs / 2), TimeoutMs = s.CheckTimeoutMs };
        if (s.Resolution == Resolution.Witness)
            c.Cluster.PartitionResolution.Http = new HttpResolution { Url = $"http://{_hosts.Aux}:29180", TimeoutMs = s.CheckTimeoutMs, Heartbeat = true };
        if (s.Fence)
            c.Cluster.Fencing = new FencingSettings { Levels = { new FencingLevel { Type = FencingTypes.Script, Command = fence } } };
        if (s.WatchdogMs > 0)
            c.Cluster.Watchdog = new WatchdogSettings { TimeoutMs = s.WatchdogMs, Device = Path.Combine(Dir, "watchdog.standin") };
        _hosts.WriteConfig(c);
        if (s.WatchdogMs > 0) _hosts.WatchWatchdogs(s.WatchdogMs, OnWatchdogReset);
    }

    void OnWatchdogReset(string host, string reason)
    {
        bool expected;
        lock (_gate) expected = _crashed.Contains(host);
        _hosts.Log(host, $"BENCH watchdog reset of {host}: {reason}");
        if (!expected)
        {
            lock (_gate) UnexpectedResets.Add($"{host}: {reason}");
            Crash(host);
        }
    }

    public void StartWitness()
    {
        if (Scenario.Resolution != Resolution.Witness) return;
        var (dotnet, dll) = BridgedHosts.Service();
        _witness = BridgedHosts.StartIn(_hosts.AuxNs, new[] { dotnet, dll, "witness", "--listen", $"{_hosts.Aux}:29180", "--state-dir", Path.Combine(Dir, "witness") }, log: null);
    }

    public void Start(string host) => _hosts.Start(host, watchdog: Scenario.WatchdogMs > 0);

    /// <summary>The machine crash: every process of the host killed and its link down, at once. Returns the Unix ms it began.</summary>
    public long Crash(string host)
    {
        lock (_gate) _crashed.Add(host);
        return _hosts.Crash(host);
    }

    /// <summary>The crashed host boots: no floating address any more, link up, a fresh service (and watchdog file).</summary>
    public void PowerOn(string host)
    {
        File.Delete(_hosts.WatchdogFile(host));
        _hosts.RemoveVip(host);
        _hosts.PortUp(host);
        lock (_gate) _crashed.Remove(host);
        Start(host);
    }

    public IReadOnlyList<(long AtMs, string Host, bool Start)> Activity() => _hosts.Activity();

    /// <summary>Complete lines so far (the split leaves an empty last element after the final newline).</summary>
    public int LogLines(string host) => File.Exists(_hosts.LogFile(host)) ? ReadShared(_hosts.LogFile(host)).Length - 1 : 0;

    public bool LogHas(string host, int fromLine, string text) => File.Exists(_hosts.LogFile(host)) && ReadShared(_hosts.LogFile(host)).Skip(fromLine).Any(l => l.Contains(text));

    static string[] ReadShared(string path)
    {
        using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var r = new StreamReader(s);
        return r.ReadToEnd().Split('\n');
    }

    public void Dispose()
    {
        lock (_gate) foreach (var h in Hosts) _crashed.Add(h);
        if (_witness is { HasExited: false }) { try { _witness.Kill(true); } catch (InvalidOperationException) { } }
        _hosts.Dispose();
    }
}
