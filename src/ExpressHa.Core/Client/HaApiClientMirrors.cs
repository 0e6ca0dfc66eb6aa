using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using ExpressHa.Api;

namespace ExpressHa.Client
{
    /// <summary>The mirror routes: status of every copy, suspend/resume/repair, and backup/restore jobs.</summary>
    public sealed partial class HaApiClient
    {
        public Task<MirrorReport> GetMirrorsAsync(CancellationToken ct = default)
            => CallAsync<MirrorReport>(ApiRoutes.Mirrors, null, ct);

        public Task<OperationResult> SuspendMirrorAsync(string mirror, CancellationToken ct = default)
            => CallAsync<OperationResult>(ApiRoutes.MirrorSuspend, new Dictionary<string, object?>(), ct, mirror);

        public Task<OperationResult> ResumeMirrorAsync(string mirror, CancellationToken ct = default)
            => CallAsync<OperationResult>(ApiRoutes.MirrorResume, new Dictionary<string, object?>(), ct, mirror);

        /// <summary>The copy on <paramref name="source"/> wins; every other copy is overwritten.</summary>
        public Task<OperationResult> RepairMirrorAsync(string mirror, string source, CancellationToken ct = default)
            => CallAsync<OperationResult>(ApiRoutes.MirrorRepair, new Dictionary<string, object?> { ["source"] = source }, ct, mirror);

        /// <summary>Starts a backup job; poll it with <see cref="GetJobAsync"/>.</summary>
        public Task<JobStatus> StartBackupAsync(string mirror, BackupRequest request, CancellationToken ct = default)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            var body = new Dictionary<string, object?> { ["path"] = request.Path, ["commandTimeoutSeconds"] = request.CommandTimeoutSeconds };
            if (request.PreCommand != null) body["preCommand"] = request.PreCommand;
            if (request.PostCommand != null) body["postCommand"] = request.PostCommand;
            if (request.Node != null) body["node"] = request.Node;
            return CallAsync<JobStatus>(ApiRoutes.MirrorBackup, body, ct, mirror);
        }

        /// <summary>Starts a restore job; refused while the mirror's group is online anywhere.</summary>
        public Task<JobStatus> StartRestoreAsync(string mirror, RestoreRequest request, CancellationToken ct = default)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            var body = new Dictionary<string, object?> { ["path"] = request.Path };
            if (request.Node != null) body["node"] = request.Node;
            return CallAsync<JobStatus>(ApiRoutes.MirrorRestore, body, ct, mirror);
        }

        public Task<JobStatus> GetJobAsync(string id, CancellationToken ct = default)
            => CallAsync<JobStatus>(ApiRoutes.Job, null, ct, id);
    }
}
