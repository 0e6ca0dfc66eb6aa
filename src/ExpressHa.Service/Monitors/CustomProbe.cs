using ExpressHa.Service.Resources;

namespace ExpressHa.Service.Monitors;

/// <summary>custom: runs the script with /bin/sh -c in its own process group; exit 0 is healthy. The script sees
/// the monitor's <c>environment</c> map and EXPRESSHA_MONITOR, EXPRESSHA_NODE, EXPRESSHA_CLUSTER,
/// EXPRESSHA_TARGET (when the monitor has one). When the monitor's timeout cancels the token, the group is killed.
/// Output lines go to the log (module "custom", "monitor: line").</summary>
public sealed class CustomProbe : IMonitorProbe
{
    public const string LogModule = "custom";

    public string Type => "custom";

    public async Task<ProbeResult> ProbeAsync(MonitorContext context, CancellationToken cancellationToken)
    {
        var m = context.Monitor;
        if (m.GetParameter("script", context.Node.Name) is not { } script)
            return ProbeCodes.Fail(ProbeCodes.Failed, "no script configured");

        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["EXPRESSHA_MONITOR"] = m.Name,
            ["EXPRESSHA_NODE"] = context.Node.Name,
            ["EXPRESSHA_CLUSTER"] = context.Config.Cluster.Name,
        };
        if (m.Target != null) env["EXPRESSHA_TARGET"] = m.Target;
        if (m.GetParameter("environment") is IDictionary<string, string> extra)
            foreach (var (k, v) in extra) env[k] = v;

        var spec = CommandSpecFor(script, env, line => context.Alerts.Log(LogModule, m.Name + ": " + line));
        CommandResult r;
        try { r = await CommandRunner.RunAsync(spec, cancellationToken).ConfigureAwait(false); }
        catch (System.ComponentModel.Win32Exception e) { return ProbeCodes.Fail(ProbeCodes.Failed, "cannot run /bin/sh: " + e.Message); }

        if (r.ExitCode == 0) return ProbeResult.Ok(r.LastLine ?? "exit 0");
        return ProbeCodes.Fail(ProbeCodes.Failed, $"the script exited with {r.ExitCode}" + (r.LastLine is { Length: > 0 } l ? ": " + l : ""));
    }

    static CommandSpec CommandSpecFor(string script, Dictionary<string, string> env, Action<string> onLine)
        => new(new[] { "/bin/sh", "-c", script })
        {
            Environment = env,
            OnLine = onLine,
            KillGrace = TimeSpan.FromSeconds(1),
            MergeStderr = true,
        };
}
