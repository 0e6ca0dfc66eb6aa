using System.Security.Cryptography;
using System.Text.Json;
using ExpressHa.Api;
using ExpressHa.Config;
using ExpressHa.Netns;
using Xunit.Abstractions;

namespace ExpressHa.Service.Tests.Netns;

/// <summary><see cref="BridgedHosts"/> (ehfo-ID-h1/h2, 198.19.12.1/.2; ping target ehfo-ID-ax 198.19.12.250) with ping
/// partition resolution, no fencing, and a watchdog stand-in per host that this fixture watches: when a host's stand-in
/// is not fed for the timeout the host is "reset" (every process of its namespace killed, its floating address gone,
/// its link down), and the time is recorded.</summary>
public sealed class WatchdogHosts : IDisposable
{
    public const int IntervalMs = 200, TimeoutMs = 1000, WatchdogMs = 1000, PingTimeoutMs = 500;
    public static readonly string[] Hosts = BridgedHosts.Hosts;
    readonly ITestOutputHelper _output;
    readonly BridgedHosts _hosts;
    readonly object _gate = new();

    public WatchdogHosts(ITestOutputHelper output)
    {
        _output = output;
        Id = Convert.ToHexString(RandomNumberGenerator.GetBytes(2)).ToLowerInvariant();
        _hosts = new BridgedHosts($"ehfo-{Id}", "198.19.12", Path.Combine(Path.GetTempPath(), $"ehfo-wd-{Id}"));
        try
        {
            _hosts.Build();
            var c = _hosts.NewConfig("wd", IntervalMs, TimeoutMs, arpCount: 0);
            c.Cluster.PartitionResolution.Ping = new PingResolution { Targets = { _hosts.Aux }, IntervalMs = 200, TimeoutMs = PingTimeoutMs };
            c.Cluster.Watchdog = new WatchdogSettings { TimeoutMs = WatchdogMs, Device = Path.Combine(_hosts.Dir, "watchdog.standin") };
            _hosts.WriteConfig(c);
            _hosts.WatchWatchdogs(WatchdogMs, Reset);
        }
        catch { Dispose(); throw; }
    }

    public string Id { get; }
    public string Ns(string host) => _hosts.Ns(host);
    public string AddressOf(string host) => _hosts.AddressOf(host);
    /// <summary>Unix ms of each watchdog reset the fixture played, per host.</summary>
    public Dictionary<string, long> Resets { get; } = new(StringComparer.Ordinal);

    void Reset(string host, string reason)
    {
        var at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        // Recorded as the watchdog fires, not once every process is gone: killing takes a while on a loaded machine.
        lock (_gate) Resets[host] = at;
        _hosts.Crash(host);
        _hosts.RemoveVip(host);
        try { _output.WriteLine($"{host}: watchdog reset at {at} ({reason})"); } catch (InvalidOperationException) { }
    }

    public void Start(string host) => _hosts.Start(host, watchdog: true);

    public int Pid(string host) => _hosts.Pid(host);

    /// <summary>Drops, in <paramref name="host"/>, every IPv4 packet from <paramref name="from"/>: a one-way loss (what
    /// <paramref name="host"/> sends still arrives).</summary>
    public void DropFrom(string host, string from)
    {
        var nft = NsShell.Which("nft") ?? "/usr/sbin/nft";
        NsShell.Must("ip", "netns", "exec", Ns(host), nft, "add", "table", "inet", "ehfo");
        NsShell.Must("ip", "netns", "exec", Ns(host), nft, "add", "chain", "inet", "ehfo", "in", "{ type filter hook input priority -10 ; policy accept ; }");
        NsShell.Must("ip", "netns", "exec", Ns(host), nft, "add", "rule", "inet", "ehfo", "in", "ip", "saddr", AddressOf(from), "drop");
    }

    public IReadOnlyList<(long AtMs, string Host, bool Start)> Activity() => _hosts.Activity();

    public List<AlertEntry> Alerts(string host)
    {
        var path = Path.Combine(_hosts.StateDir(host), "alerts.jsonl");
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
        lines.AddRange(File.ReadAllLines(_hosts.ActivityLog).Select(l => "  " + l));
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
        _hosts.Dispose();
        try { Directory.Delete(_hosts.Dir, recursive: true); } catch (IOException) { }
    }
}
