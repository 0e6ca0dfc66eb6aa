using System.Runtime.InteropServices;
using ExpressHa.Service.Alerts;
using ExpressHa.Service.Runtime;
using ExpressHa.Service.Security;

namespace ExpressHa.Service.Commands;

/// <summary>`run --config FILE --node NAME --state-dir DIR [--watchdog-device PATH]`: the resident service (the device
/// overrides cluster.watchdog.device on this node). SIGTERM/SIGINT stop it cleanly:
/// its groups stop in reverse dependency order and nothing fails over.</summary>
public static class RunCommand
{
    public static int Run(CliOptions options, TextWriter stdout, TextWriter stderr)
    {
        var configFile = options.Get("config");
        var node = options.Get("node");
        var stateDir = options.Get("state-dir");
        if (configFile == null || node == null || stateDir == null)
        {
            stderr.WriteLine("expresshad run: --config FILE, --node NAME and --state-dir DIR are required");
            return 2;
        }
        try
        {
            return RunAsync(configFile, node, stateDir, options.Get("watchdog-device"), stdout).GetAwaiter().GetResult();
        }
        catch (InvalidOperationException ex)
        {
            stderr.WriteLine($"expresshad run: {ex.Message}");
            return 1;
        }
    }

    static async Task<int> RunAsync(string configFile, string node, string stateDir, string? watchdogDevice, TextWriter stdout)
    {
        if (!File.Exists(configFile)) throw new InvalidOperationException($"config file '{configFile}' does not exist");
        var store = new ConfigStore(stateDir);
        var loaded = store.Load(configFile);
        var config = store.Current;
        var key = ClusterKey.Load(config.Cluster.Security.KeyFile);
        var tokens = ApiTokens.Load(config.Cluster.Security);
        var token = tokens.Operator;

        // Under systemd the journal keeps stdout; elsewhere the service keeps its own log file for support bundles.
        using var serviceLog = Support.ServiceLog.StdoutIsJournal() ? null : new Support.ServiceLogFile(stdout, stateDir);
        using var alerts = new AlertLog(node, stateDir, serviceLog ?? stdout);
        alerts.Log("pm", loaded);
        // The node's parts, built once (SNS, when cluster.notifications.sns is set, publishes alerts in the background).
        await using var parts = NodeComposition.Build(new AgentOptions { Node = node, StateDir = stateDir, Config = store, Alerts = alerts, Key = key, ApiToken = token, WatchdogDevice = watchdogDevice });
        await using var agent = new NodeAgent(parts);

        using var shutdown = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; shutdown.Cancel(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; shutdown.Cancel(); });

        await using var api = await ApiHost.StartAsync(agent, store, node, stateDir, tokens, Security.ClusterCredential.Derive(key), alerts, shutdown.Token);
        await agent.RunAsync(shutdown.Token);
        return 0;
    }
}
