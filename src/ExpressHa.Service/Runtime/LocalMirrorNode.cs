using ExpressHa.Api;
using ExpressHa.Service.Alerts;
using ExpressHa.Service.Api;
using ExpressHa.Service.Mirror;
using ExpressHa.Service.Resources;

namespace ExpressHa.Service.Runtime;

/// <summary>This node's own mirror copies: the engines in the registry, commands run here, copy and restore jobs in
/// this node's job table. The internal mirror routes land here.</summary>
public sealed class LocalMirrorNode(string self, IMirrorRegistry registry, JobTable jobs, IAlertSink alerts, CancellationToken stopping) : IMirrorNode
{
    /// <summary>Runs a shell command with a timeout, passing each output line on; replaceable in tests.</summary>
    public Func<string, TimeSpan, Action<string>, CancellationToken, Task<OperationResult>> RunCommand { get; init; } = RunShellAsync;

    public Task<IReadOnlyList<MirrorStatus>> GetMirrorsAsync(CancellationToken ct)
        => Task.FromResult<IReadOnlyList<MirrorStatus>>(registry.All.Select(StatusOf).ToList());

    MirrorStatus StatusOf(IMirrorEngine e)
    {
        MirrorStatus s;
        try
        {
            s = e.GetStatus();
        }
        catch (Exception ex)
        {
            s = new MirrorStatus { Name = e.Name, Disk = MirrorDiskStates.Failed, LastError = ex.Message };
        }
        if (string.IsNullOrEmpty(s.Node)) s.Node = self;
        return s;
    }

    public Task<OperationResult> SuspendAsync(string mirror, CancellationToken ct)
        => OnEngine(mirror, (e, c) => e.SuspendAsync(c), $"Replication of mirror '{mirror}' is suspended on {self}; writes are recorded for a differential resync.", ct);

    public Task<OperationResult> ResumeAsync(string mirror, CancellationToken ct)
        => OnEngine(mirror, (e, c) => e.ResumeAsync(c), $"Replication of mirror '{mirror}' resumed on {self}; the recorded difference resyncs.", ct);

    public Task<OperationResult> RepairAsync(string mirror, string source, CancellationToken ct)
        => OnEngine(mirror, (e, c) => e.RepairAsync(source, c), $"Mirror '{mirror}' on {self}: the copy on {source} wins.", ct);

    public Task<OperationResult> OutdateAsync(string mirror, CancellationToken ct)
        => OnEngine(mirror, (e, c) => e.OutdateAsync(c), $"The copy of mirror '{mirror}' on {self} is marked outdated.", ct);

    async Task<OperationResult> OnEngine(string mirror, Func<IMirrorEngine, CancellationToken, Task> op, string done, CancellationToken ct)
    {
        var engine = registry.Find(mirror);
        if (engine == null) return NotHere(mirror);
        try
        {
            await op(engine, ct);
            return OperationResult.Success(done);
        }
        catch (MirrorException ex)
        {
            return OperationResult.Failure(ex.Code, ex.Message);
        }
    }

    OperationResult NotHere(string mirror)
        => OperationResult.Failure(ErrorCodes.MirrorNotFound, $"Mirror '{mirror}' does not run on {self}.");

    public async Task<OperationResult> RunCommandAsync(string mirror, string command, int timeoutSeconds, CancellationToken ct)
    {
        alerts.Log("mirror", $"{mirror}: running '{command}' on {self}");
        var r = await RunCommand(command, TimeSpan.FromSeconds(timeoutSeconds), line => alerts.Log("mirror", $"{mirror}: {line}"), ct);
        alerts.Log("mirror", $"{mirror}: '{command}' {(r.Ok ? "succeeded" : "failed: " + r.Message)}");
        return r;
    }

    static async Task<OperationResult> RunShellAsync(string command, TimeSpan timeout, Action<string> onLine, CancellationToken ct)
    {
        CommandResult r;
        try
        {
            r = await CommandRunner.RunAsync(new CommandSpec(new[] { "/bin/sh", "-c", command }) { Timeout = timeout, MergeStderr = true, OnLine = onLine }, ct);
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or DirectoryNotFoundException)
        {
            return OperationResult.Failure(ErrorCodes.MirrorCommandFailed, $"'{command}' could not start: {ex.Message}");
        }
        if (r.TimedOut) return OperationResult.Failure(ErrorCodes.MirrorCommandFailed, $"'{command}' did not finish within {timeout.TotalSeconds:0} s and was killed");
        if (r.ExitCode != 0)
            return OperationResult.Failure(ErrorCodes.MirrorCommandFailed, $"'{command}' exited with {r.ExitCode}" + (r.LastLine != null ? $" ({r.LastLine})" : ""));
        return OperationResult.Success($"'{command}' succeeded");
    }

    public Task<JobStart> StartCopyOutAsync(string mirror, string path, CancellationToken ct)
        => StartJob(JobKinds.CopyOut, mirror, path, (e, p, c) => e.CopyOutAsync(path, p, c),
            $"Copied the copy of mirror '{mirror}' on {self} to {path}.");

    public Task<JobStart> StartRestoreAsync(string mirror, string path, CancellationToken ct)
        => StartJob(JobKinds.Restore, mirror, path, (e, p, c) => e.RestoreAsync(path, p, c),
            $"Restored the copy of mirror '{mirror}' on {self} from {path}; it is now the newest copy and the peer resyncs fully.");

    Task<JobStart> StartJob(string kind, string mirror, string path, Func<IMirrorEngine, IProgress<long>, CancellationToken, Task> op, string done)
    {
        var engine = registry.Find(mirror);
        if (engine == null) return Task.FromResult(JobStart.Refused(NotHere(mirror)));
        var job = jobs.Start(kind, mirror, self, async (job, ct) =>
        {
            job.Step($"{kind} of mirror '{mirror}' on {self}: {path}");
            try
            {
                await op(engine, new JobProgress(job), ct);
                job.Succeed(done);
            }
            catch (Exception ex) when (ex is MirrorException or IOException or UnauthorizedAccessException)
            {
                job.Fail(ex.Message);
            }
        }, stopping, StatusOf(engine).SizeBytes);
        return Task.FromResult(JobStart.Started(job.Snapshot()));
    }

    public Task<JobStatus?> GetJobAsync(string id, CancellationToken ct) => Task.FromResult(jobs.Get(id));
}
