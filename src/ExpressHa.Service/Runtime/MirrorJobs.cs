using ExpressHa.Api;
using ExpressHa.Config;
using ExpressHa.Service.Alerts;
using ExpressHa.Service.Api;
using ExpressHa.Service.Mirror;
using ExpressHa.Policy;

namespace ExpressHa.Service.Runtime;

/// <summary>Backup and restore jobs of <see cref="MirrorOperations"/>. A backup follows the snapshot pattern: quiesce
/// the application on the primary's node, suspend replication (the standby freezes at a rest point), let the
/// application go on, copy the frozen standby, resume (the difference resyncs). Whatever fails, replication is resumed
/// if this job suspended it.</summary>
public sealed class MirrorJobs(MirrorOperations ops, string self, Func<ClusterConfig> config, Func<ClusterState> state, IAlertSink alerts,
    JobTable jobs, CancellationToken stopping)
{
    string ClusterName => config().Cluster.Name;
    TimeSpan PollInterval => ops.PollInterval;
    IMirrorNode Node(string node) => ops.NodeOf(node);
    Task<MirrorReport> GetAllAsync(CancellationToken ct) => ops.GetAllAsync(ct);
    OperationResult? Unknown(string mirror, MirrorReport? report = null) => ops.Unknown(mirror, report);
    static string MissingNote(MirrorReport report) => MirrorOperations.MissingNote(report);

    public async Task<JobStart> StartBackupAsync(string mirror, BackupRequest request, CancellationToken ct)
    {
        var report = await GetAllAsync(ct);
        if (Unknown(mirror, report) is { } unknown) return JobStart.Refused(unknown);
        if (request.Node != null && config().FindNode(request.Node) == null)
            return JobStart.Refused(ErrorCodes.NodeNotFound, $"Node '{request.Node}' does not exist in cluster '{ClusterName}'.");
        var copies = report.Mirrors.Where(m => m.Name == mirror).ToList();
        var primary = copies.FirstOrDefault(m => m.Role == MirrorRoles.Primary);
        if (primary == null)
            return JobStart.Refused(ErrorCodes.MirrorNoPrimary,
                $"No node is primary of mirror '{mirror}'{MissingNote(report)}: a backup suspends replication on the primary, so the mirror's group must be online.");
        if (request.Node == primary.Node)
            return JobStart.Refused(ErrorCodes.BackupNeedsStandby,
                $"{primary.Node} holds the primary copy of mirror '{mirror}', which the application writes; a backup copies a standby copy.");
        var standby = request.Node != null ? copies.FirstOrDefault(m => m.Node == request.Node) : copies.FirstOrDefault(m => m.Node != primary.Node);
        if (standby == null)
            return JobStart.Refused(ErrorCodes.MirrorCopyUnavailable,
                $"No standby copy of mirror '{mirror}'{(request.Node != null ? " on " + request.Node : "")} answered{MissingNote(report)}.");
        if (standby.Disk is MirrorDiskStates.Inconsistent or MirrorDiskStates.Failed)
            return JobStart.Refused(ErrorCodes.MirrorInconsistent,
                $"The copy of mirror '{mirror}' on {standby.Node} is {standby.Disk.ToLowerInvariant()} (sync {standby.SyncPercent:0.#}%); back it up once it is in sync.");

        var job = jobs.Start(JobKinds.Backup, mirror, standby.Node, (job, jct) => RunBackupAsync(job, mirror, primary.Node, standby.Node, request, jct),
            stopping, standby.SizeBytes);
        return JobStart.Started(job.Snapshot());
    }

    async Task RunBackupAsync(Job job, string mirror, string primary, string standby, BackupRequest request, CancellationToken ct)
    {
        string? failure = null;
        var suspended = false;
        if (request.PreCommand != null)
        {
            job.Step($"running the pre-command on {primary}");
            var r = await Safe(() => Node(primary).RunCommandAsync(mirror, request.PreCommand, request.CommandTimeoutSeconds, ct));
            if (!r.Ok)
            {
                Finish(job, mirror, $"The pre-command failed on {primary}: {r.Message}. Replication was not suspended.");
                return;
            }
        }

        job.Step($"suspending replication on {primary}");
        var s = await Safe(() => Node(primary).SuspendAsync(mirror, ct));
        if (s.Ok) suspended = true;
        else failure = $"Suspending replication on {primary} failed: {s.Message}.";

        // Runs even when the suspend failed: the pre-command quiesced the application, which must come back either way.
        if (request.PostCommand != null)
        {
            job.Step($"running the post-command on {primary}");
            var r = await Safe(() => Node(primary).RunCommandAsync(mirror, request.PostCommand, request.CommandTimeoutSeconds, ct));
            if (!r.Ok) failure ??= $"The post-command failed on {primary}: {r.Message}.";
        }

        if (failure == null)
        {
            job.Step($"copying the copy on {standby} to {request.Path}");
            failure = await FollowAsync(job, standby, () => Node(standby).StartCopyOutAsync(mirror, request.Path, ct), "Copying", ct);
        }

        if (suspended)
        {
            job.Step($"resuming replication on {primary}");
            var r = await ResumeWithRetryAsync(mirror, primary);
            if (!r.Ok)
                failure = (failure != null ? failure + " " : "") +
                    $"Resuming replication on {primary} failed: {r.Message}. Replication is still suspended: run Resume-HaMirror {mirror}.";
        }

        Finish(job, mirror, failure, failure == null
            ? $"Backed up the copy of mirror '{mirror}' on {standby} to {request.Path}; replication resumed and resyncs the difference."
            : null);
    }

    /// <summary>Not cancelled with the job: a service that stops mid-backup still resumes replication on its way out.</summary>
    async Task<OperationResult> ResumeWithRetryAsync(string mirror, string primary)
    {
        OperationResult r = OperationResult.Failure(ErrorCodes.PeerUnreachable, "not tried");
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (attempt > 0) await Task.Delay(PollInterval, CancellationToken.None);
            r = await Safe(() => Node(primary).ResumeAsync(mirror, CancellationToken.None));
            if (r.Ok) return r;
        }
        return r;
    }

    public async Task<JobStart> StartRestoreAsync(string mirror, RestoreRequest request, CancellationToken ct)
    {
        if (request.Node != null && config().FindNode(request.Node) == null)
            return JobStart.Refused(ErrorCodes.NodeNotFound, $"Node '{request.Node}' does not exist in cluster '{ClusterName}'.");
        var resource = config().FindResource(mirror, out var group);
        if (resource != null && resource.Type == "mirror" && group != null
            && state().Groups.TryGetValue(group.Name, out var gs) && gs.State != GroupState.Offline)
            return JobStart.Refused(ErrorCodes.GroupActive,
                $"Mirror '{mirror}' belongs to group '{group.Name}', which is {gs.State.ToString().ToLowerInvariant()}{(gs.Owner != null ? " on " + gs.Owner : "")}; " +
                $"a restore overwrites the data under it. Stop-HaGroup {group.Name} first.");

        var report = await GetAllAsync(ct);
        if (Unknown(mirror, report) is { } unknown) return JobStart.Refused(unknown);
        var copies = report.Mirrors.Where(m => m.Name == mirror).ToList();
        if (copies.FirstOrDefault(m => m.Role == MirrorRoles.Primary) is { } primary)
            return JobStart.Refused(ErrorCodes.GroupActive,
                $"The copy of mirror '{mirror}' on {primary.Node} is primary{(group != null ? $" (group '{group.Name}')" : "")}; Stop-HaGroup {group?.Name ?? "(its group)"} first.");
        var node = request.Node ?? (copies.Any(m => m.Node == self) ? self : null);
        if (node == null)
            return JobStart.Refused(ErrorCodes.MirrorNodeRequired, $"Mirror '{mirror}' has no copy on {self}, which took the request; name the node to restore.");
        var copy = copies.FirstOrDefault(m => m.Node == node);
        if (copy == null)
            return JobStart.Refused(ErrorCodes.MirrorCopyUnavailable, $"{node} does not report a copy of mirror '{mirror}'{MissingNote(report)}.");

        var job = jobs.Start(JobKinds.Restore, mirror, node, async (job, jct) =>
        {
            job.Step($"restoring the copy on {node} from {request.Path}");
            var failure = await FollowAsync(job, node, () => Node(node).StartRestoreAsync(mirror, request.Path, jct), "Restoring", jct);
            Finish(job, mirror, failure, failure == null
                ? $"Restored the copy of mirror '{mirror}' on {node} from {request.Path}; it is the newest copy and the other copy resyncs fully."
                : null);
        }, stopping, copy.SizeBytes);
        return JobStart.Started(job.Snapshot());
    }

    /// <summary>Starts a copy or restore on a node and follows it to its end, mirroring its progress into the job.
    /// Null on success, else the reason.</summary>
    async Task<string?> FollowAsync(Job job, string node, Func<Task<JobStart>> start, string what, CancellationToken ct)
    {
        JobStart started;
        try
        {
            started = await start();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return $"{what} on {node} could not start: {ex.Message}.";
        }
        if (started.Job == null) return $"{what} on {node} was refused: {started.Refusal?.Message}.";
        var id = started.Job.Id;
        var misses = 0;
        while (true)
        {
            try
            {
                await Task.Delay(PollInterval, ct);
            }
            catch (OperationCanceledException)
            {
                return $"The service on {self} is stopping; {what.ToLowerInvariant()} on {node} was not followed to its end.";
            }
            JobStatus? st;
            try
            {
                st = await Node(node).GetJobAsync(id, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                if (++misses >= 10) return $"Lost contact with {node} while {what.ToLowerInvariant()}: {ex.Message}.";
                continue;
            }
            if (st == null) return $"{node} no longer knows job {id} (did its service restart?).";
            misses = 0;
            job.Progress(st.BytesDone, st.BytesTotal);
            if (st.State == JobStates.Succeeded) return null;
            if (st.State == JobStates.Failed) return $"{what} on {node} failed: {st.Message}.";
        }
    }

    static async Task<OperationResult> Safe(Func<Task<OperationResult>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception ex)
        {
            return OperationResult.Failure(ErrorCodes.MirrorCommandFailed, ex.Message);
        }
    }

    void Finish(Job job, string mirror, string? failure, string? success = null)
    {
        var kind = job.Snapshot().Kind;
        if (failure != null)
        {
            alerts.Raise(kind == JobKinds.Backup ? AlertEvents.Mirror.BackupFailed : AlertEvents.Mirror.RestoreFailed, $"{kind} of mirror '{mirror}' has failed.({failure})");
            job.Fail(failure);
        }
        else
        {
            alerts.Raise(kind == JobKinds.Backup ? AlertEvents.Mirror.BackupDone : AlertEvents.Mirror.RestoreDone, success!);
            job.Succeed(success!);
        }
    }
}
