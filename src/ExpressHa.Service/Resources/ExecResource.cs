using ExpressHa.Config;

namespace ExpressHa.Service.Resources;

/// <summary>exec: start and stop shell lines (run with /bin/sh -c) in their own process group, bounded by
/// startTimeoutSeconds / stopTimeoutSeconds; on timeout the whole group gets SIGTERM then SIGKILL.
/// The commands see the service's environment, the resource's <c>environment</c> map, and
/// EXPRESSHA_PHASE (start|stop), EXPRESSHA_GROUP, EXPRESSHA_RESOURCE, EXPRESSHA_NODE, EXPRESSHA_CLUSTER,
/// EXPRESSHA_STATE_DIR. Every output line goes to the log (module "exec", "resource: line").
/// A start command may leave a daemon running: the start returns when the shell exits.</summary>
public sealed class ExecResource : IResourceDriver
{
    public const string LogModule = "exec";

    /// <param name="killGrace">Time between SIGTERM and SIGKILL when a command times out (default 2 s).</param>
    public ExecResource(TimeSpan? killGrace = null) { KillGrace = killGrace ?? TimeSpan.FromSeconds(2); }

    public string Type => "exec";
    public TimeSpan KillGrace { get; }

    public Task StartAsync(ResourceContext context, CancellationToken cancellationToken)
        => RunPhaseAsync(context, "start", cancellationToken);

    public Task StopAsync(ResourceContext context, CancellationToken cancellationToken)
        => RunPhaseAsync(context, "stop", cancellationToken);

    /// <summary>The optional <c>probe</c> command: exit 0 = active here, exit 1 = not; anything else (or no command,
    /// or a timeout after startTimeoutSeconds) = unknown.</summary>
    public async Task<ResourceProbe> ProbeAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        var r = context.Resource;
        var command = r.GetParameter("probe", context.Node.Name);
        if (command == null) return ResourceProbe.Unknown;
        var env = BaseEnvironment(context, "probe");
        if (r.GetParameter("environment") is IDictionary<string, string> extra)
            foreach (var (k, v) in extra) env[k] = v;
        try
        {
            var result = await CommandRunner.RunAsync(new CommandSpec(new[] { "/bin/sh", "-c", command })
            {
                WorkingDirectory = r.GetParameter("workingDirectory", context.Node.Name),
                Environment = env,
                Timeout = TimeSpan.FromSeconds(r.GetParameter("startTimeoutSeconds") is long l ? l : 1800),
                KillGrace = KillGrace,
                MergeStderr = true,
                OnLine = line => context.Alerts.Log(LogModule, r.Name + " (probe): " + line),
            }, cancellationToken).ConfigureAwait(false);
            return result.TimedOut ? ResourceProbe.Unknown : result.ExitCode switch { 0 => ResourceProbe.Active, 1 => ResourceProbe.Inactive, _ => ResourceProbe.Unknown };
        }
        catch (Exception e) when (e is DirectoryNotFoundException or System.ComponentModel.Win32Exception)
        {
            return ResourceProbe.Unknown;
        }
    }

    async Task RunPhaseAsync(ResourceContext context, string phase, CancellationToken cancellationToken)
    {
        var r = context.Resource;
        var command = r.GetParameter(phase, context.Node.Name);
        if (command == null)
        {
            if (phase == "stop") return; // nothing to stop
            throw new ResourceException(ResourceErrorCodes.BadParameter, "no start command");
        }
        var timeoutSeconds = r.GetParameter(phase + "TimeoutSeconds") is long l ? l : 1800;

        var env = BaseEnvironment(context, phase);
        if (r.GetParameter("environment") is IDictionary<string, string> extra)
            foreach (var (k, v) in extra) env[k] = v;

        var spec = new CommandSpec(new[] { "/bin/sh", "-c", command })
        {
            WorkingDirectory = r.GetParameter("workingDirectory", context.Node.Name),
            Environment = env,
            Timeout = TimeSpan.FromSeconds(timeoutSeconds),
            KillGrace = KillGrace,
            MergeStderr = true,
            OnLine = line => context.Alerts.Log(LogModule, r.Name + ": " + line),
        };

        CommandResult result;
        try
        {
            result = await CommandRunner.RunAsync(spec, cancellationToken).ConfigureAwait(false);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new ResourceException(ResourceErrorCodes.CannotRun, e.Message, e);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ResourceException(ResourceErrorCodes.CannotRun, "cannot run /bin/sh: " + e.Message, e);
        }

        if (result.TimedOut)
            throw new ResourceException(ResourceErrorCodes.Timeout,
                $"the {phase} command timed out after {timeoutSeconds} s and was killed" + Last(result));
        if (result.ExitCode != 0)
        {
            var e = new ResourceException(ResourceErrorCodes.CommandFailed, $"the {phase} command exited with {result.ExitCode}" + Last(result));
            e.Data["exitCode"] = result.ExitCode;
            throw e;
        }
    }

    static string Last(CommandResult r) => r.LastLine is { Length: > 0 } line ? ": " + line : "";

    /// <summary>The EXPRESSHA_* variables a command sees.</summary>
    public static Dictionary<string, string> BaseEnvironment(ResourceContext context, string phase) => new(StringComparer.Ordinal)
    {
        ["EXPRESSHA_PHASE"] = phase,
        ["EXPRESSHA_GROUP"] = context.Group.Name,
        ["EXPRESSHA_RESOURCE"] = context.Resource.Name,
        ["EXPRESSHA_NODE"] = context.Node.Name,
        ["EXPRESSHA_NODE_ADDRESS"] = context.Node.PrimaryAddress(context.Config.Cluster) ?? "",
        ["EXPRESSHA_CLUSTER"] = context.Config.Cluster.Name,
        ["EXPRESSHA_STATE_DIR"] = context.StateDir,
    };
}
