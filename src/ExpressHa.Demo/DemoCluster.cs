using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using ExpressHa.Config;
using ExpressHa.Yaml;

namespace ExpressHa.Demo;

/// <summary>A cluster of expresshad processes on loopback (127.0.0.11, .12, ...), each with its own state directory:
/// what the demo and the benchmark start.</summary>
public sealed class DemoCluster : IDisposable
{
    readonly Dictionary<string, Process> _processes = new(StringComparer.Ordinal);

    public DemoCluster(string dir, int nodes, int heartbeatIntervalMs, int heartbeatTimeoutMs)
        : this(dir, nodes, heartbeatIntervalMs, heartbeatTimeoutMs, configure: null) { }

    /// <param name="configure">Changes the generated config (add resources, monitors, groups) before it is written.</param>
    /// <param name="addressPrefix">The first three octets of the nodes' loopback addresses ("127.0.0." by default), so
    /// clusters that run at the same time can use separate ranges.</param>
    /// <param name="firstHost">The last octet of the first node's address (11 by default: server1 is 127.0.0.11).</param>
    public DemoCluster(string dir, int nodes, int heartbeatIntervalMs, int heartbeatTimeoutMs, Action<ClusterConfig>? configure,
        string addressPrefix = "127.0.0.", int firstHost = 11)
    {
        Dir = dir;
        _configure = configure;
        _interval = heartbeatIntervalMs;
        _timeout = heartbeatTimeoutMs;
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(KeyFile, RandomNumberGenerator.GetBytes(32));
        File.WriteAllText(TokenFile, Token);
        HeartbeatPort = FreePort(SocketType.Dgram, ProtocolType.Udp);
        ApiPort = FreePort(SocketType.Stream, ProtocolType.Tcp);
        AppPort = FreePort(SocketType.Stream, ProtocolType.Tcp);
        Nodes = Enumerable.Range(1, nodes).Select(i => ($"server{i}", $"{addressPrefix}{firstHost - 1 + i}")).ToList();
        File.WriteAllText(ConfigFile, ConfigYamlWriter.Write(BuildConfig()));
    }

    readonly Action<ClusterConfig>? _configure;
    readonly int _interval, _timeout;

    public string Dir { get; }
    public string Token { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
    public string KeyFile => Path.Combine(Dir, "cluster.key");
    public string TokenFile => Path.Combine(Dir, "api.token");
    public string ConfigFile => Path.Combine(Dir, "cluster.yaml");
    public int HeartbeatPort { get; }
    public int ApiPort { get; }
    public int AppPort { get; }
    public List<(string Name, string Address)> Nodes { get; }

    public string AddressOf(string node) => Nodes.First(n => n.Name == node).Address;
    public string StateDir(string node) => Path.Combine(Dir, node);
    public string LogFile(string node) => Path.Combine(Dir, node + ".log");
    public Uri ApiOf(string node) => new($"http://{AddressOf(node)}:{ApiPort}/");

    /// <summary>The command that runs expresshad: this process's apphost when it is expresshad, else dotnet with
    /// expresshad.dll from beside the loaded service assembly (the demo program, a test host).</summary>
    public static (string File, string Prefix) Self()
    {
        var process = Environment.ProcessPath!;
        var dll = typeof(ExpressHa.Service.Cli).Assembly.Location;
        var name = Path.GetFileNameWithoutExtension(process);
        if (name == "expresshad") return (process, "");
        if (name == "dotnet") return (process, $"\"{dll}\" ");
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (string.IsNullOrEmpty(host) || !File.Exists(host))
        {
            var root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
            host = root != null && File.Exists(Path.Combine(root, "dotnet")) ? Path.Combine(root, "dotnet") : "dotnet";
        }
        return (host, $"\"{dll}\" ");
    }

    /// <summary>A shell command that runs the demo application (an HTTP server answering with the node's name) on the
    /// node's address and <see cref="AppPort"/>, writing its pid to $EXPRESSHA_STATE_DIR/app.pid.</summary>
    public string AppCommand
    {
        get
        {
            var (file, prefix) = Self();
            return $"'{file}' {prefix.Replace("\"", "'")}demo-app --listen $EXPRESSHA_NODE_ADDRESS:{AppPort} --pid-file $EXPRESSHA_STATE_DIR/app.pid";
        }
    }

    /// <summary>The exec start line of the demo application: starts it in the background and waits for its pid file.</summary>
    public string AppStartScript => $"rm -f $EXPRESSHA_STATE_DIR/app.pid; {AppCommand} >/dev/null 2>&1 & for i in $(seq 250); do [ -s $EXPRESSHA_STATE_DIR/app.pid ] && exit 0; sleep 0.02; done; exit 1";

    /// <summary>The exec stop line of the demo application.</summary>
    public const string AppStopScript = "[ -s $EXPRESSHA_STATE_DIR/app.pid ] && kill $(cat $EXPRESSHA_STATE_DIR/app.pid); rm -f $EXPRESSHA_STATE_DIR/app.pid";

    /// <summary>The cluster's config as a model: the demo config (group web with exec resource app on every node, in node
    /// order), changed by the constructor's configure action. A fresh copy on every call, e.g. to push a changed one.</summary>
    public ClusterConfig BuildConfig()
    {
        var interval = _interval;
        var timeout = _timeout;
        var config = new ClusterConfig();
        config.Cluster.Name = "demo";
        config.Cluster.Interconnects.Add(new InterconnectConfig { Name = "lan1" });
        config.Cluster.Heartbeat = new HeartbeatSettings { IntervalMs = interval, TimeoutMs = timeout, Port = HeartbeatPort };
        config.Cluster.Security = new SecuritySettings { KeyFile = KeyFile, ApiTokenFile = TokenFile, ApiTls = false, ApiPort = ApiPort };
        config.Cluster.ShutdownCommand = "/bin/true";
        config.Cluster.RebootCommand = "/bin/true";
        for (var i = 0; i < Nodes.Count; i++)
            config.Nodes.Add(new NodeConfig { Name = Nodes[i].Name, Priority = i, Addresses = { ["lan1"] = Nodes[i].Address } });
        var group = new GroupConfig { Name = "web", Startup = GroupPolicies.Auto, Failback = GroupPolicies.Manual, Servers = Nodes.Select(n => n.Name).ToList() };
        var resource = new ResourceConfig { Name = "app", Type = "exec" };
        resource.Parameters["start"] = AppStartScript;
        resource.Parameters["stop"] = AppStopScript;
        resource.Parameters["startTimeoutSeconds"] = 30L;
        resource.Parameters["stopTimeoutSeconds"] = 30L;
        group.Resources.Add(resource);
        config.Groups.Add(group);
        _configure?.Invoke(config);
        return config;
    }

    /// <summary>When set, each node runs with its own watchdog stand-in file (<see cref="WatchdogFile"/>) as its watchdog
    /// device; the config must enable cluster.watchdog.</summary>
    public bool StandInWatchdogs { get; set; }
    public string WatchdogFile(string node) => Path.Combine(Dir, node + ".watchdog");

    /// <summary>Extra environment variables of the node processes (AWS credentials for the AWS demo).</summary>
    public Dictionary<string, string> NodeEnvironment { get; } = new(StringComparer.Ordinal);

    public void Start(string node)
    {
        var (file, prefix) = Self();
        var psi = new ProcessStartInfo(file)
        {
            Arguments = $"{prefix}run --config \"{ConfigFile}\" --node {node} --state-dir \"{StateDir(node)}\"" +
                (StandInWatchdogs ? $" --watchdog-device \"{WatchdogFile(node)}\"" : ""),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (k, v) in NodeEnvironment) psi.Environment[k] = v;
        var p = Process.Start(psi)!;
        var log = new StreamWriter(LogFile(node), append: true) { AutoFlush = true };
        p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (log) log.WriteLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (log) log.WriteLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _processes[node] = p;
    }

    /// <summary>A machine crash as far as the cluster can tell: SIGKILL of the node's service and of the application it started.</summary>
    public void Crash(string node)
    {
        if (_processes.TryGetValue(node, out var p) && !p.HasExited) p.Kill(entireProcessTree: true);
        var pidFile = Path.Combine(StateDir(node), "app.pid");
        if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid))
        {
            try { Process.GetProcessById(pid).Kill(); } catch (ArgumentException) { } catch (InvalidOperationException) { }
        }
        p?.WaitForExit(5000);
    }

    /// <summary>SIGTERM: the service stops its groups in reverse order and exits.</summary>
    public bool Stop(string node, TimeSpan wait)
    {
        if (!_processes.TryGetValue(node, out var p) || p.HasExited) return true;
        NativeSignals.Terminate(p.Id);
        return p.WaitForExit((int)wait.TotalMilliseconds);
    }

    public bool IsRunning(string node) => _processes.TryGetValue(node, out var p) && !p.HasExited;

    /// <summary>The node's service process as last started (null before <see cref="Start"/>), e.g. for SIGSTOP.</summary>
    public Process? ProcessOf(string node) => _processes.TryGetValue(node, out var p) ? p : null;

    /// <summary>The node's exit code once it exited, else null.</summary>
    public int? ExitCode(string node) => _processes.TryGetValue(node, out var p) && p.HasExited ? p.ExitCode : null;

    static int FreePort(SocketType type, ProtocolType protocol)
    {
        using var s = new Socket(AddressFamily.InterNetwork, type, protocol);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    /// <summary>Kills every node's service and application (also those of nodes stopped or never started).</summary>
    public void Dispose()
    {
        foreach (var (node, _) in Nodes) Crash(node);
    }
}
