using System.Collections.Concurrent;
using System.Diagnostics;
using ExpressHa.Config;
using ExpressHa.Service.Alerts;
using ExpressHa.Service.Resources;

namespace ExpressHa.Service.Tests.Resources;

/// <summary>An alert sink that remembers everything.</summary>
public sealed class RecordingAlerts : IAlertSink
{
    public ConcurrentQueue<(string Level, string Module, int EventId, string Message)> Alerts { get; } = new();
    public ConcurrentQueue<(string Module, string Message)> Logs { get; } = new();

    public void Alert(string level, string module, int eventId, string message) => Alerts.Enqueue((level, module, eventId, message));
    public void Log(string module, string message) => Logs.Enqueue((module, message));

    public IEnumerable<string> LogLines(string module) => Logs.Where(l => l.Module == module).Select(l => l.Message);

}

public static class TestConfigs
{
    public const string NodeName = "n1";

    public static ResourceContext Resource(string name, string type, ParameterBag parameters, RecordingAlerts alerts, string? stateDir = null)
    {
        var resource = new ResourceConfig { Name = name, Type = type, Parameters = parameters };
        var group = new GroupConfig { Name = "g1", Servers = { NodeName }, Resources = { resource } };
        var node = new NodeConfig { Name = NodeName };
        var config = new ClusterConfig { Cluster = { Name = "c1" }, Nodes = { node }, Groups = { group } };
        return new ResourceContext
        {
            Config = config, Group = group, Resource = resource, Node = node,
            StateDir = stateDir ?? Path.GetTempPath(), Alerts = alerts,
        };
    }

    public static ParameterBag Bag(params (string Key, object Value)[] values)
    {
        var bag = new ParameterBag();
        foreach (var (k, v) in values) bag[k] = v;
        return bag;
    }
}

public static class Sh
{
    /// <summary>Runs a command line synchronously; returns exit code and combined output.</summary>
    public static (int Code, string Output) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(30_000)) { p.Kill(true); throw new TimeoutException(file + " " + string.Join(' ', args)); }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    public static string Must(string file, params string[] args)
    {
        var (code, output) = Run(file, args);
        if (code != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {code}: {output}");
        return output;
    }

    /// <summary>True while the process exists and is not a zombie.</summary>
    public static bool Alive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[stat.LastIndexOf(')') + 2];
            return state is not ('Z' or 'X');
        }
        catch (IOException) { return false; }
    }


    public static void KillQuietly(int pid)
    {
        try { Process.GetProcessById(pid).Kill(); } catch { }
    }
}

/// <summary>Network namespaces for one test class: names ehtest-RANDOM-x, addresses only in 198.18.0.0/15,
/// deleted on Dispose. Throws when ip netns is not usable; the tests' [NeedsFact(Need.Namespaces)] skips them first without root.</summary>
public sealed class NetNs : IDisposable
{
    readonly List<string> _created = new();
    public string Id { get; } = Guid.NewGuid().ToString("N")[..8];

    public string Create(string suffix)
    {
        var name = $"ehtest-{Id}-{suffix}";
        if (CommandRunner.FindExecutable("ip") == null)
            throw new InvalidOperationException("these tests need the ip command from iproute2 (apt-get install iproute2)");
        var (code, output) = Sh.Run("ip", "netns", "add", name);
        if (code != 0)
            throw new InvalidOperationException($"these tests need network namespaces as root: 'ip netns add {name}' failed: {output.Trim()}");
        _created.Add(name);
        Sh.Must("ip", "-n", name, "link", "set", "lo", "up");
        return name;
    }

    public static string[] Exec(string ns) => new[] { "ip", "netns", "exec", ns };

    public void Dispose()
    {
        foreach (var ns in _created) Sh.Run("ip", "netns", "del", ns);
    }
}
