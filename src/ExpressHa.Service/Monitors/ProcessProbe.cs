namespace ExpressHa.Service.Monitors;

/// <summary>process: by <c>processName</c>, some /proc/PID/comm equals the name (comm holds at most 15
/// characters, so longer names compare on their first 15) and the process is not a zombie; by <c>pidFile</c>,
/// the file holds a pid whose process exists and is not a zombie.</summary>
public sealed class ProcessProbe : IMonitorProbe
{
    const int CommLength = 15;
    readonly string _proc;

    /// <param name="procRoot">The proc file system (default /proc).</param>
    public ProcessProbe(string procRoot = "/proc") { _proc = procRoot; }

    public string Type => "process";

    public Task<ProbeResult> ProbeAsync(MonitorContext context, CancellationToken cancellationToken)
    {
        var m = context.Monitor;
        if (m.GetParameter("pidFile", context.Node.Name) is { } pidFile)
            return Task.FromResult(ByPidFile(pidFile));
        if (m.GetParameter("processName") is string name && name.Length > 0)
            return Task.FromResult(ByName(name, cancellationToken));
        return Task.FromResult(ProbeCodes.Fail(ProbeCodes.Failed, "neither processName nor pidFile is configured"));
    }

    ProbeResult ByPidFile(string pidFile)
    {
        string text;
        try { text = File.ReadAllText(pidFile).Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { return ProbeCodes.Fail(ProbeCodes.Failed, $"cannot read pid file {pidFile}: {e.Message}"); }
        var first = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        if (!int.TryParse(first, out var pid) || pid <= 0)
            return ProbeCodes.Fail(ProbeCodes.Failed, $"pid file {pidFile} holds no pid");
        var state = State(pid);
        return state switch
        {
            null => ProbeCodes.Fail(ProbeCodes.Failed, $"process {pid} from {pidFile} does not exist"),
            'Z' or 'X' => ProbeCodes.Fail(ProbeCodes.Failed, $"process {pid} from {pidFile} is a zombie"),
            _ => ProbeResult.Ok($"process {pid} runs"),
        };
    }

    ProbeResult ByName(string name, CancellationToken cancellationToken)
    {
        var want = name.Length > CommLength ? name[..CommLength] : name;
        IEnumerable<string> dirs;
        try { dirs = Directory.EnumerateDirectories(_proc); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { return ProbeCodes.Fail(ProbeCodes.Failed, $"cannot read {_proc}: {e.Message}"); }

        var pids = new List<int>();
        foreach (var dir in dirs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            string comm;
            try { comm = File.ReadAllText(Path.Combine(dir, "comm")).TrimEnd('\n'); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; } // exited meanwhile
            if (comm != want) continue;
            if (State(pid) is null or 'Z' or 'X') continue;
            pids.Add(pid);
        }
        return pids.Count > 0
            ? ProbeResult.Ok($"{name} runs (pid {string.Join(", ", pids.Take(5))})")
            : ProbeCodes.Fail(ProbeCodes.Failed, $"no process named {name} runs");
    }

    /// <summary>The state letter from /proc/PID/stat (R, S, D, Z, ...), or null when the process does not exist.</summary>
    char? State(int pid)
    {
        try
        {
            var stat = File.ReadAllText(Path.Combine(_proc, pid.ToString(), "stat"));
            // "pid (comm) S ...": comm may contain spaces and parentheses; the state follows the last ')'.
            int close = stat.LastIndexOf(')');
            if (close < 0 || close + 2 >= stat.Length) return '?';
            return stat[close + 2];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
