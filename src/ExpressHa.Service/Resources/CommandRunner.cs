using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace ExpressHa.Service.Resources;

/// <summary>One external command to run: an argument vector (no shell unless the vector names one).</summary>
public sealed class CommandSpec
{
    public CommandSpec(IEnumerable<string> argv) { Argv = argv.ToArray(); if (Argv.Count == 0) throw new ArgumentException("empty command", nameof(argv)); }

    /// <summary>A shell line run with /bin/sh -c.</summary>
    public static CommandSpec Shell(string line) => new(new[] { "/bin/sh", "-c", line });

    public IReadOnlyList<string> Argv { get; }
    public string? WorkingDirectory { get; init; }
    /// <summary>Added to (or replacing) the service's own environment.</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }
    /// <summary>Infinite when null; the caller's token may still cancel.</summary>
    public TimeSpan? Timeout { get; init; }
    /// <summary>Called for every stdout/stderr line, also for lines a background child writes after the command returned.</summary>
    public Action<string>? OnLine { get; init; }
    /// <summary>Time between SIGTERM and SIGKILL of the process group when the command is stopped.</summary>
    public TimeSpan KillGrace { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>How long output is still read after the command exited, before it returns; a daemon the
    /// command left behind may hold the pipes open forever.</summary>
    public TimeSpan DrainBound { get; init; } = TimeSpan.FromMilliseconds(300);
    /// <summary>Send stderr into the stdout pipe, so lines keep the order they were written in (and the last line
    /// is really the last). The command is wrapped: /bin/sh -c 'exec 2>&amp;1; exec "$@"' sh ARGV...</summary>
    public bool MergeStderr { get; init; }
    /// <summary>Lines kept in <see cref="CommandResult.Lines"/> (the latest ones).</summary>
    public int KeepLines { get; init; } = 200;

    public override string ToString() => string.Join(' ', Argv);
}

/// <summary>What a command did. ExitCode is -1 when it was killed (timeout or cancellation).</summary>
public sealed record CommandResult(int ExitCode, bool TimedOut, IReadOnlyList<string> Lines)
{
    public bool Succeeded => ExitCode == 0 && !TimedOut;
    public string? LastLine => Lines.Count == 0 ? null : Lines[^1];
}

/// <summary>Runs commands in their own session and process group (setsid), so a timeout or a cancellation can
/// kill everything the command started: SIGTERM to the group, then SIGKILL after a grace period.
/// The call returns when the command itself exits (plus a short bounded drain of its output), never waiting for
/// background children that inherited its stdout; their lines are still read and passed to OnLine.</summary>
public static class CommandRunner
{
    const int SIGTERM = 15, SIGKILL = 9;

    [DllImport("libc", SetLastError = true, EntryPoint = "kill")]
    static extern int SysKill(int pid, int sig);

    /// <summary>Where setsid lives, or null (then the command runs in the service's process group and only the
    /// command itself is killed).</summary>
    static readonly string? SetsidPath = FindExecutable("setsid");

    /// <summary>The full path of an executable found on PATH, or null.</summary>
    public static string? FindExecutable(string name)
    {
        if (name.Contains('/')) return File.Exists(name) ? name : null;
        var path = System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(new[] { "/usr/sbin", "/sbin", "/usr/bin", "/bin" }))
        {
            var p = Path.Combine(dir, name);
            if (File.Exists(p)) return p;
        }
        return null;
    }

    /// <summary>Runs an OS action (the shutdown or reboot command) as a shell line and waits at most
    /// <paramref name="wait"/> for it; a command still running then is left to run (the OS may be going down around
    /// the service). Returns why it could not start, else null; its exit code is not judged.</summary>
    public static string? RunOsAction(string line, TimeSpan wait)
    {
        try
        {
            RunAsync(CommandSpec.Shell(line)).Wait(wait);
            return null;
        }
        catch (AggregateException ex)
        {
            return ex.InnerException?.Message ?? ex.Message;
        }
    }

    /// <summary>Runs the command. Throws OperationCanceledException when the token is cancelled (after killing the
    /// group); a timeout is not an exception but <see cref="CommandResult.TimedOut"/>. Throws
    /// <see cref="System.ComponentModel.Win32Exception"/> when the program cannot be started and
    /// <see cref="DirectoryNotFoundException"/> for a missing working directory.</summary>
    public static async Task<CommandResult> RunAsync(CommandSpec spec, CancellationToken cancellationToken = default)
    {
        if (spec.WorkingDirectory != null && !Directory.Exists(spec.WorkingDirectory))
            throw new DirectoryNotFoundException("working directory " + spec.WorkingDirectory + " does not exist");

        var psi = new ProcessStartInfo
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        IEnumerable<string> argv = spec.MergeStderr
            ? new[] { "/bin/sh", "-c", "exec 2>&1; exec \"$@\"", "sh" }.Concat(spec.Argv)
            : spec.Argv;
        if (SetsidPath != null)
        {
            psi.FileName = SetsidPath;
            psi.ArgumentList.Add("--wait");
            foreach (var a in argv) psi.ArgumentList.Add(a);
        }
        else
        {
            psi.FileName = argv.First();
            foreach (var a in argv.Skip(1)) psi.ArgumentList.Add(a);
        }
        if (spec.WorkingDirectory != null) psi.WorkingDirectory = spec.WorkingDirectory;
        if (spec.Environment != null)
            foreach (var (k, v) in spec.Environment) psi.Environment[k] = v;

        var lines = new LineBuffer(spec.KeepLines);
        // Not disposed here: a daemon the command started may keep writing to the pipes after we return, and its
        // output must still be read (a full pipe would block it, a closed one would kill it with SIGPIPE).
        var process = new Process { StartInfo = psi };
        process.Start();
        // The process is a child of a non-leader, so setsid does not fork: its pid is the new session and group id.
        int pgid = process.Id;
        try { process.StandardInput.Close(); } catch (IOException) { }

        var readers = new[]
        {
            Pump(process.StandardOutput, lines, spec.OnLine),
            Pump(process.StandardError, lines, spec.OnLine),
        };

        using var timeoutCts = new CancellationTokenSource();
        if (spec.Timeout is { } t && t != Timeout.InfiniteTimeSpan) timeoutCts.CancelAfter(t);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);

        bool killed = false;
        try
        {
            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            killed = true;
            await KillGroupAsync(process, pgid, SetsidPath != null, spec.KillGrace).ConfigureAwait(false);
        }

        // Bounded drain: lines already written arrive; pipes held open by daemons do not block us.
        var drain = Task.WhenAll(readers);
        await Task.WhenAny(drain, Task.Delay(spec.DrainBound)).ConfigureAwait(false);
        int exitCode = killed ? -1 : process.ExitCode;
        _ = drain.ContinueWith(_ => process.Dispose(), TaskScheduler.Default);

        if (killed)
        {
            if (cancellationToken.IsCancellationRequested && !timeoutCts.IsCancellationRequested)
                throw new OperationCanceledException(cancellationToken);
            return new CommandResult(-1, true, lines.Snapshot());
        }
        return new CommandResult(exitCode, false, lines.Snapshot());
    }

    /// <summary>SIGTERM to the group, wait up to the grace period for the leader, then SIGKILL to the group.</summary>
    static async Task KillGroupAsync(Process process, int pgid, bool ownGroup, TimeSpan grace)
    {
        Signal(pgid, ownGroup, SIGTERM);
        using (var graceCts = new CancellationTokenSource(grace))
        {
            try { await process.WaitForExitAsync(graceCts.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { }
        }
        // Kill the group even when the leader went: its children may have ignored SIGTERM.
        Signal(pgid, ownGroup, SIGKILL);
        using var finalCts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try { await process.WaitForExitAsync(finalCts.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
    }

    static void Signal(int pgid, bool ownGroup, int sig)
    {
        if (ownGroup) SysKill(-pgid, sig);
        else SysKill(pgid, sig);
    }

    static async Task Pump(StreamReader reader, LineBuffer lines, Action<string>? onLine)
    {
        try
        {
            string? line;
            while ((line = await reader.ReadLineAsync().ConfigureAwait(false)) != null)
            {
                lines.Add(line);
                try { onLine?.Invoke(line); } catch { /* a sink failure must not stop the pump */ }
            }
        }
        catch (ObjectDisposedException) { }
        catch (IOException) { }
    }

    sealed class LineBuffer(int keep)
    {
        readonly Queue<string> _q = new();
        public void Add(string line)
        {
            lock (_q)
            {
                _q.Enqueue(line);
                while (_q.Count > Math.Max(1, keep)) _q.Dequeue();
            }
        }
        public IReadOnlyList<string> Snapshot() { lock (_q) return _q.ToArray(); }
    }
}
