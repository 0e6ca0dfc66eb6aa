using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using ExpressHa.Client;
using ExpressHa.Config;
using ExpressHa.Service.Api;
using ExpressHa.Yaml;

namespace ExpressHa.Service.Tests.Netns.Chaos;

/// <summary>The three cluster shapes the chaos harness runs.</summary>
public enum ChaosKind
{
    /// <summary>Two nodes, partition resolution by an HTTP witness (`expresshad witness`, also a heartbeat path).</summary>
    Witness,
    /// <summary>Two nodes, partition resolution by pinging a target namespace.</summary>
    Ping,
    /// <summary>Three nodes, partition resolution by majority.</summary>
    Majority,
}

/// <summary>N expresshad nodes, each in its own network namespace, plus an auxiliary namespace (witness or ping
/// target) and a client namespace, all on 198.18.0.0/15:
/// <code>
///   ehc-ID-nK   lan1 198.18.1.K ── nKl1 ─┐            public path (clients, floating address 198.18.1.100,
///                                        ├─ br1 ──┬─ ehc-ID-ax 198.18.1.250   witness / ping target)
///                                        │        └─ ehc-ID-cl 198.18.1.200   client
///               lan2 198.18.2.K ── nKl2 ─┴─ br2       interconnect only
///   (bridges live in ehc-ID-sw; heartbeats run on both paths)
/// </code>
/// Every node has script fencing (<c>fence.sh</c> in the work directory): it SIGKILLs every process in the target's
/// namespace and removes the floating address, i.e. it "powers the node off"; the harness powers it on again (starts
/// the service) when the faults are healed. Each fencing is appended to <c>fence.log</c>. The group g1 holds the
/// floating address and an exec resource "app" that starts a TCP responder answering the node's name on port
/// <see cref="AppPort"/>; its start and stop commands append to <c>activity.log</c> (O_APPEND, shared by all
/// namespaces). Times in every log are Unix milliseconds (UTC wall clock, the same clock for every namespace).</summary>
public sealed class ChaosTopology : IDisposable
{
    public const int HeartbeatIntervalMs = 200;
    public const int HeartbeatTimeoutMs = 1500;
    public const string Vip = "198.18.1.100";
    public const string AuxAddress = "198.18.1.250";
    public const string ClientAddress = "198.18.1.200";
    public const int AppPort = 29100;
    public const int WitnessPort = 29180;
    const int HeartbeatPort = 29002;
    const int ApiPort = 29003;
    public const int PingTimeoutMs = 1000;
    /// <summary>Fencing delay per node (seconds): n1 0, every other node 1 (breaks two-node fence races).</summary>
    public static int FenceDelaySeconds(string node) => node == "n1" ? 0 : 1;
    public const int FenceTimeoutSeconds = 10;
    /// <summary>Every node arms a watchdog stand-in (its own file, <see cref="WatchdogFile"/>); above the heartbeat
    /// interval plus the slowest resolution check (200 + 1000 ms), as the validator requires.</summary>
    public const int WatchdogTimeoutMs = 2000;

    readonly Action<string> _log;
    readonly List<string> _namespaces = new();
    readonly Dictionary<string, Process> _processes = new(StringComparer.Ordinal);
    readonly Dictionary<string, StreamWriter> _logs = new(StringComparer.Ordinal);
    readonly Dictionary<string, NamespaceForwarder> _forwarders = new(StringComparer.Ordinal);
    readonly Dictionary<string, string> _fingerprints = new(StringComparer.Ordinal);
    readonly object _gate = new();
    readonly List<ExpressHa.Service.Watchdog.StandInWatcher> _watchers = new();

    public ChaosTopology(ChaosKind kind, Action<string> log)
    {
        Kind = kind;
        _log = log;
        Nodes = kind == ChaosKind.Majority ? new[] { "n1", "n2", "n3" } : new[] { "n1", "n2" };
        Id = Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant();
        Dir = Path.Combine(Path.GetTempPath(), $"ehc-{Id}");
        Directory.CreateDirectory(Dir);
        try
        {
            CheckPrerequisites();
            BuildTopology();
            WriteScripts();
            WriteConfig();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public ChaosKind Kind { get; }
    public string[] Nodes { get; }
    public string Id { get; }
    public string Dir { get; }
    /// <summary>Keep the work directory (logs) after Dispose, e.g. when the run failed.</summary>
    public bool KeepDir { get; set; }
    public string Token { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
    public string Ns(string node) => $"ehc-{Id}-{node}";
    public string Switch => $"ehc-{Id}-sw";
    public string Aux => $"ehc-{Id}-ax";
    public string ClientNs => $"ehc-{Id}-cl";
    public string ConfigFile => Path.Combine(Dir, "cluster.yaml");
    public string StateDir(string node) => Path.Combine(Dir, node);
    public string LogFile(string node) => Path.Combine(Dir, node + ".log");
    public string ActivityLog => Path.Combine(Dir, "activity.log");
    public string FenceLog => Path.Combine(Dir, "fence.log");
    public string WatchdogFile(string node) => Path.Combine(Dir, node + ".watchdog");
    public string AddressOf(string node, int lan) => $"198.18.{lan}.{Array.IndexOf(Nodes, node) + 1}";
    public static string PortOf(string node, int lan) => $"{node}l{lan}";
    public static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>When each service process started (Code null) or exited (any cause: fault, fencing, self-stop), for the
    /// history. Lock the list to read it.</summary>
    public List<(string Node, long AtMs, int? Code)> Lifecycle { get; } = new();

    // ------------------------------------------------------------------ topology

    static void CheckPrerequisites()
    {
        if (!OperatingSystem.IsLinux()) throw new InvalidOperationException("the chaos tests need Linux");
        foreach (var tool in new[] { "ip", "ping", "perl" })
            if (NsShell.Which(tool) == null) throw new InvalidOperationException($"the chaos tests need {tool}; install it");
        if (geteuid() != 0) throw new InvalidOperationException("the chaos tests must run as root (namespaces, veth pairs, bridges)");
    }

    [DllImport("libc")]
    static extern uint geteuid();

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int sig);

    public const int SIGKILL = 9, SIGTERM = 15, SIGCONT = 18, SIGSTOP = 19;

    void AddNamespace(string name)
    {
        var (code, output) = NsShell.Run("ip", "netns", "add", name);
        if (code != 0) throw new InvalidOperationException($"cannot create network namespace {name}: {output.Trim()}");
        _namespaces.Add(name);
        NsShell.Must("ip", "-n", name, "link", "set", "lo", "up");
    }

    void Attach(string ns, string port, string dev, int lan, string address)
    {
        NsShell.Must("ip", "-n", Switch, "link", "add", port, "type", "veth", "peer", "name", dev, "netns", ns);
        NsShell.Must("ip", "-n", Switch, "link", "set", port, "master", $"br{lan}");
        NsShell.Must("ip", "-n", Switch, "link", "set", port, "up");
        NsShell.Must("ip", "-n", ns, "addr", "add", address + "/24", "dev", dev);
        NsShell.Must("ip", "-n", ns, "link", "set", dev, "up");
    }

    void BuildTopology()
    {
        AddNamespace(Switch);
        foreach (var n in Nodes) AddNamespace(Ns(n));
        AddNamespace(Aux);
        AddNamespace(ClientNs);
        for (var lan = 1; lan <= 2; lan++)
        {
            NsShell.Must("ip", "-n", Switch, "link", "add", $"br{lan}", "type", "bridge");
            NsShell.Must("ip", "-n", Switch, "link", "set", $"br{lan}", "up");
            foreach (var n in Nodes) Attach(Ns(n), PortOf(n, lan), $"lan{lan}", lan, AddressOf(n, lan));
        }
        Attach(Aux, "axl1", "lan1", 1, AuxAddress);
        Attach(ClientNs, "cll1", "lan1", 1, ClientAddress);
        foreach (var n in Nodes)
            for (var lan = 1; lan <= 2; lan++)
            {
                var peer = Nodes.First(x => x != n);
                if (!NetnsCluster.Ping(Ns(n), AddressOf(peer, lan), TimeSpan.FromSeconds(5)))
                    throw new InvalidOperationException($"the topology does not work: {n} cannot ping {peer} on lan{lan}");
            }
        if (!NetnsCluster.Ping(ClientNs, AuxAddress, TimeSpan.FromSeconds(5))) throw new InvalidOperationException("the client cannot ping the aux namespace");
    }

    public void SetPort(string node, int lan, bool up)
        => NsShell.Must("ip", "-n", Switch, "link", "set", PortOf(node, lan), up ? "up" : "down");

    /// <summary>Drops every IPv4 packet arriving on the node's lanN (one-way loss: what it sends still arrives). ARP
    /// passes (it is not in the inet family), like a lossy link that still resolves. False when nft cannot do it.</summary>
    public bool DropInbound(string node, int lan)
    {
        var table = $"chaos{lan}";
        var (code, _) = NsShell.Run("ip", "netns", "exec", Ns(node), "/usr/sbin/nft", "add", "table", "inet", table);
        if (code != 0) return false;
        if (NsShell.Run("ip", "netns", "exec", Ns(node), "/usr/sbin/nft", "add", "chain", "inet", table, "in",
                "{ type filter hook input priority -10 ; policy accept ; }").Code != 0) return false;
        return NsShell.Run("ip", "netns", "exec", Ns(node), "/usr/sbin/nft", "add", "rule", "inet", table, "in", "iifname", $"lan{lan}", "drop").Code == 0;
    }

    public void ClearDrops(string node)
    {
        for (var lan = 1; lan <= 2; lan++)
            NsShell.Run("ip", "netns", "exec", Ns(node), "/usr/sbin/nft", "delete", "table", "inet", $"chaos{lan}");
    }

    // ------------------------------------------------------------------ scripts and config

    void WriteScripts()
    {
        File.WriteAllText(ActivityLog, "");
        File.WriteAllText(FenceLog, "");
        // Fencing: "power off" the target: SIGKILL everything in its namespace (the service and the application it
        // left running), wait until it is gone, remove the floating address. Logged before and after.
        File.WriteAllText(Path.Combine(Dir, "fence.sh"), $$"""
            #!/bin/sh
            t="$1"
            ns="ehc-{{Id}}-$t"
            echo "$(date +%s%3N) fence-begin $t ${EXPRESSHA_FENCE_SELF:-?}" >> '{{FenceLog}}'
            for i in $(seq 100); do
              pids=$(ip netns pids "$ns" 2>/dev/null)
              [ -z "$pids" ] && break
              kill -9 $pids 2>/dev/null
              sleep 0.05
            done
            ip -n "$ns" addr del {{Vip}}/24 dev lan1 2>/dev/null
            echo "$(date +%s%3N) fenced $t ${EXPRESSHA_FENCE_SELF:-?}" >> '{{FenceLog}}'
            exit 0
            """.Replace("\r", ""));
    }

    /// <summary>The app's start command: stop a leftover responder first (logged as a stop), log the start, then run a
    /// perl TCP responder that answers the node's name.</summary>
    string AppStart => $$"""
        P="$EXPRESSHA_STATE_DIR/app.pid"
        if [ -s "$P" ] && kill -0 "$(cat "$P")" 2>/dev/null; then
          kill -9 "$(cat "$P")"; echo "$(date +%s%3N) stop $EXPRESSHA_NODE leftover" >> '{{ActivityLog}}'
        fi
        echo "$(date +%s%3N) start $EXPRESSHA_NODE" >> '{{ActivityLog}}'
        perl -MIO::Socket::INET -e '$s = IO::Socket::INET->new(LocalAddr => "0.0.0.0", LocalPort => {{AppPort}}, Listen => 64, ReuseAddr => 1) or die "listen: $!"; while (1) { my $c = $s->accept or next; print $c "$ARGV[0]\n"; close $c; }' "$EXPRESSHA_NODE" >/dev/null 2>&1 &
        echo $! > "$P"
        """.Replace("\r", "");

    /// <summary>The app's stop command: SIGKILL the responder, wait until it is gone (or a zombie), then log the stop.</summary>
    string AppStop => $$"""
        P="$EXPRESSHA_STATE_DIR/app.pid"
        if [ -s "$P" ]; then
          pid=$(cat "$P"); kill -9 "$pid" 2>/dev/null
          while [ -e /proc/$pid ] && ! grep -q '^State:.*Z' /proc/$pid/status 2>/dev/null; do sleep 0.02; done
        fi
        rm -f "$P"
        echo "$(date +%s%3N) stop $EXPRESSHA_NODE" >> '{{ActivityLog}}'
        """.Replace("\r", "");

    void WriteConfig()
    {
        var config = NetnsCluster.BaseConfig(Dir, "chaos", Token, HeartbeatIntervalMs, HeartbeatTimeoutMs, HeartbeatPort, ApiPort);
        var pr = config.Cluster.PartitionResolution;
        switch (Kind)
        {
            case ChaosKind.Witness: pr.Http = new HttpResolution { Url = $"http://{AuxAddress}:{WitnessPort}", TimeoutMs = 1000, Heartbeat = true }; break;
            case ChaosKind.Ping: pr.Ping = new PingResolution { Targets = { AuxAddress }, IntervalMs = 500, TimeoutMs = PingTimeoutMs }; break;
            case ChaosKind.Majority: pr.Majority = true; break;
        }
        config.Cluster.Fencing.Levels.Add(new FencingLevel { Type = FencingTypes.Script, Command = $"/bin/sh '{Path.Combine(Dir, "fence.sh")}'" });
        config.Cluster.Fencing.TimeoutSeconds = FenceTimeoutSeconds;
        config.Cluster.Watchdog = new WatchdogSettings { TimeoutMs = WatchdogTimeoutMs, Device = Path.Combine(Dir, "watchdog.standin") };
        config.Cluster.Fencing.Retries = 1;
        for (var i = 0; i < Nodes.Length; i++)
        {
            var n = Nodes[i];
            config.Cluster.Fencing.DelaySeconds[n] = FenceDelaySeconds(n);
            config.Nodes.Add(new NodeConfig { Name = n, Priority = i, Addresses = { ["lan1"] = AddressOf(n, 1), ["lan2"] = AddressOf(n, 2) } });
        }
        var group = new GroupConfig { Name = "g1", Startup = GroupPolicies.Auto, Failback = GroupPolicies.Manual, Servers = Nodes.ToList() };
        var vip = new ResourceConfig { Name = "vip", Type = "floatip" };
        vip.Parameters["ip"] = Vip;
        vip.Parameters["prefixLength"] = 24L;
        group.Resources.Add(vip);
        var app = new ResourceConfig { Name = "app", Type = "exec", DependsOn = { "vip" } };
        app.Parameters["start"] = AppStart;
        app.Parameters["stop"] = AppStop;
        app.Parameters["startTimeoutSeconds"] = 10L;
        app.Parameters["stopTimeoutSeconds"] = 10L;
        group.Resources.Add(app);
        config.Groups.Add(group);
        File.WriteAllText(ConfigFile, ConfigYamlWriter.Write(config));
        foreach (var n in Nodes)
        {
            Directory.CreateDirectory(StateDir(n));
            _fingerprints[n] = ApiCertificate.GetOrCreateFingerprint(StateDir(n));
            _watchers.Add(new ExpressHa.Service.Watchdog.StandInWatcher(WatchdogFile(n), WatchdogTimeoutMs, reason => WatchdogReset(n, reason)));
        }
    }

    /// <summary>The watchdog stand-in ran out: the machine resets, which the harness plays like a fencing (the same
    /// "power off" as fence.sh, logged in fence.log by "watchdog"); the node is powered on again like a fenced one.</summary>
    void WatchdogReset(string node, string reason)
    {
        _log($"{node}: watchdog reset ({reason})");
        File.AppendAllText(FenceLog, $"{NowMs()} fence-begin {node} watchdog\n");
        for (var i = 0; i < 100; i++)
        {
            var (_, pids) = NsShell.Run("ip", "netns", "pids", Ns(node));
            var list = pids.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(s => int.TryParse(s.Trim(), out var p) ? p : 0).Where(p => p > 0).ToList();
            if (list.Count == 0) break;
            foreach (var pid in list) kill(pid, SIGKILL);
            Thread.Sleep(50);
        }
        NsShell.Run("ip", "-n", Ns(node), "addr", "del", Vip + "/24", "dev", "lan1");
        File.AppendAllText(FenceLog, $"{NowMs()} fenced {node} watchdog\n");
    }

    // ------------------------------------------------------------------ processes

    static (string Dotnet, string Dll) LocateService() => NetnsCluster.LocateService();

    Process Launch(string key, string ns, params string[] args)
    {
        var (dotnet, dll) = LocateService();
        var psi = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "netns", "exec", ns, dotnet, dll }.Concat(args)) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        StreamWriter log;
        lock (_gate) log = _logs.TryGetValue(key, out var l) ? l : _logs[key] = new StreamWriter(LogFile(key), append: true) { AutoFlush = true };
        var p = Process.Start(psi)!; // ip netns exec execs the command: this pid is the service itself
        p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (log) log.WriteLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (log) log.WriteLine(e.Data); };
        p.EnableRaisingEvents = true;
        p.Exited += (_, _) =>
        {
            int code;
            try { code = p.ExitCode; } catch (InvalidOperationException) { code = -1; }
            lock (Lifecycle) Lifecycle.Add((key, NowMs(), code));
        };
        lock (Lifecycle) Lifecycle.Add((key, NowMs(), null));
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        lock (_gate) _processes[key] = p;
        return p;
    }

    public void Start(string node)
    {
        Launch(node, Ns(node), "run", "--config", ConfigFile, "--node", node, "--state-dir", StateDir(node), "--watchdog-device", WatchdogFile(node));
        lock (_gate)
            if (!_forwarders.ContainsKey(node))
                _forwarders[node] = new NamespaceForwarder(Ns(node), new IPEndPoint(IPAddress.Parse(AddressOf(node, 1)), ApiPort));
        _log($"{node} service started (pid {Pid(node)})");
    }

    public void StartWitness()
        => Launch("witness", Aux, "witness", "--listen", $"{AuxAddress}:{WitnessPort}", "--state-dir", Path.Combine(Dir, "witness"));

    public void StartAll()
    {
        if (Kind == ChaosKind.Witness) StartWitness();
        foreach (var n in Nodes) Start(n);
    }

    public int? Pid(string node)
    {
        lock (_gate) return _processes.TryGetValue(node, out var p) ? p.Id : null;
    }

    public bool IsRunning(string node)
    {
        Process? p;
        lock (_gate) _processes.TryGetValue(node, out p);
        try { return p != null && !p.HasExited; } catch (InvalidOperationException) { return false; }
    }

    public void Signal(string node, int signal)
    {
        if (Pid(node) is int pid && IsRunning(node)) kill(pid, signal);
    }

    /// <summary>Waits until the node's service has exited; false when it did not within the time.</summary>
    public bool WaitExit(string node, TimeSpan within)
    {
        Process? p;
        lock (_gate) _processes.TryGetValue(node, out p);
        return p == null || p.WaitForExit((int)within.TotalMilliseconds);
    }

    /// <summary>A client for a node's management API, TLS with the node's certificate pinned.</summary>
    public HaApiClient Client(string node)
        => new(new Uri($"https://127.0.0.1:{_forwarders[node].Port}/"), Token, _fingerprints[node], TimeSpan.FromSeconds(2));

    public void Dispose()
    {
        foreach (var w in _watchers) w.DisposeAsync().AsTask().Wait();
        List<Process> processes;
        lock (_gate) processes = _processes.Values.ToList();
        foreach (var p in processes)
        {
            try { if (!p.HasExited) { kill(p.Id, SIGCONT); p.Kill(entireProcessTree: true); } } catch (Exception) { }
            try { p.WaitForExit(5000); } catch (Exception) { }
        }
        // Whatever the services left running inside the namespaces (responders) goes too.
        foreach (var ns in _namespaces)
        {
            var (_, pids) = NsShell.Run("ip", "netns", "pids", ns);
            foreach (var s in pids.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                if (int.TryParse(s.Trim(), out var pid)) kill(pid, SIGKILL);
        }
        foreach (var f in _forwarders.Values) f.Dispose();
        lock (_gate)
            foreach (var w in _logs.Values) lock (w) w.Dispose();
        foreach (var ns in _namespaces.AsEnumerable().Reverse()) NsShell.Run("ip", "netns", "del", ns);
        if (!KeepDir) try { Directory.Delete(Dir, recursive: true); } catch (Exception) { }
    }
}
