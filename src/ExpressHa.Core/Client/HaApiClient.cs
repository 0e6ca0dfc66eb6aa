using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using ExpressHa.Api;

namespace ExpressHa.Client
{
    /// <summary>The management API as the cmdlets (and any .NET caller) see it: one typed method per route. HTTPS
    /// endpoints are trusted only through a pinned SHA-256 certificate fingerprint; plain HTTP only to loopback.
    /// Failures throw <see cref="HaApiException"/>.</summary>
    public sealed class HaApiClient : IDisposable
    {
        readonly HaApiConnection _c;

        /// <param name="endpoint">https://host:port/ (or http://127.0.0.1:port/ on loopback).</param>
        /// <param name="token">The cluster's API token.</param>
        /// <param name="certificateFingerprint">SHA-256 of the server certificate (hex, ':' allowed); required for HTTPS.</param>
        public HaApiClient(Uri endpoint, string token, string? certificateFingerprint, TimeSpan? timeout = null)
            => _c = new HaApiConnection(endpoint, token, certificateFingerprint, timeout);

        public Uri Endpoint => _c.Endpoint;
        public string? CertificateFingerprint => _c.CertificateFingerprint;
        internal HaApiConnection Connection => _c;

        // ------------------------------------------------------------------ routes

        public Task<ClusterStatus> GetStatusAsync(CancellationToken ct = default)
            => _c.CallAsync<ClusterStatus>(ApiRoutes.Status, null, ct);

        public Task<List<AlertEntry>> GetAlertsAsync(string? minLevel = null, string? module = null, DateTimeOffset? since = null, int? last = null,
            CancellationToken ct = default)
            => _c.CallAsync<List<AlertEntry>>(ApiRoutes.Alerts, null, ct, query: HaApiClientOperations.AlertQueryString(minLevel, module, since, last));

        public Task<OperationResult> StartGroupAsync(string group, string? node = null, CancellationToken ct = default)
            => _c.CallAsync<OperationResult>(ApiRoutes.GroupStart, new Dictionary<string, object?> { ["node"] = node }, ct, group);

        public Task<OperationResult> StopGroupAsync(string group, CancellationToken ct = default)
            => _c.CallAsync<OperationResult>(ApiRoutes.GroupStop, new Dictionary<string, object?>(), ct, group);

        public Task<OperationResult> MoveGroupAsync(string group, string? node = null, CancellationToken ct = default)
            => _c.CallAsync<OperationResult>(ApiRoutes.GroupMove, new Dictionary<string, object?> { ["node"] = node }, ct, group);

        public Task<OperationResult> SuspendNodeAsync(string node, CancellationToken ct = default)
            => _c.CallAsync<OperationResult>(ApiRoutes.NodeSuspend, new Dictionary<string, object?>(), ct, node);

        public Task<OperationResult> ResumeNodeAsync(string node, CancellationToken ct = default)
            => _c.CallAsync<OperationResult>(ApiRoutes.NodeResume, new Dictionary<string, object?>(), ct, node);

        public Task<OperationResult> SuspendMonitorAsync(string monitor, CancellationToken ct = default)
            => _c.CallAsync<OperationResult>(ApiRoutes.MonitorSuspend, new Dictionary<string, object?>(), ct, monitor);

        public Task<OperationResult> ResumeMonitorAsync(string monitor, CancellationToken ct = default)
            => _c.CallAsync<OperationResult>(ApiRoutes.MonitorResume, new Dictionary<string, object?>(), ct, monitor);

        /// <summary>Makes the monitor report an error on the node (default: where its group runs) until cleared.</summary>
        public Task<OperationResult> FailMonitorAsync(string monitor, string? node = null, CancellationToken ct = default)
            => _c.CallAsync<OperationResult>(ApiRoutes.MonitorFail, new Dictionary<string, object?> { ["node"] = node }, ct, monitor);

        /// <summary>Ends a pseudo-failure on the node (default: every online node).</summary>
        public Task<OperationResult> ClearMonitorAsync(string monitor, string? node = null, CancellationToken ct = default)
            => _c.CallAsync<OperationResult>(ApiRoutes.MonitorClear, new Dictionary<string, object?> { ["node"] = node }, ct, monitor);

        public Task<OperationResult> StopNodeAsync(string node, CancellationToken ct = default)
            => _c.CallAsync<OperationResult>(ApiRoutes.NodeStop, new Dictionary<string, object?>(), ct, node);

        public Task<OperationResult> StartNodeAsync(string node, CancellationToken ct = default)
            => _c.CallAsync<OperationResult>(ApiRoutes.NodeStart, new Dictionary<string, object?>(), ct, node);

        /// <summary>Kills the node's service process, as a crash would.</summary>
        public Task<OperationResult> KillNodeAsync(string node, CancellationToken ct = default)
            => _c.CallAsync<OperationResult>(ApiRoutes.NodeKill, new Dictionary<string, object?>(), ct, node);

        public Task<OperationResult> StartClusterAsync(CancellationToken ct = default)
            => _c.CallAsync<OperationResult>(ApiRoutes.ClusterStart, new Dictionary<string, object?>(), ct);

        public Task<OperationResult> StopClusterAsync(CancellationToken ct = default)
            => _c.CallAsync<OperationResult>(ApiRoutes.ClusterStop, new Dictionary<string, object?>(), ct);

        /// <summary>Pushes a config (or only computes the difference with <paramref name="dryRun"/>). A push that was
        /// refused or invalid comes back as a result with Errors or Refusals (HTTP 409), not as an exception.</summary>
        public async Task<ConfigPushResult> PushConfigAsync(string yaml, bool dryRun, CancellationToken ct = default)
        {
            try
            {
                return await _c.CallAsync<ConfigPushResult>(ApiRoutes.ConfigPush,
                    new Dictionary<string, object?> { ["yaml"] = yaml, ["dryRun"] = dryRun }, ct).ConfigureAwait(false);
            }
            catch (HaApiException ex) when (ex.PushResult != null)
            {
                return ex.PushResult;
            }
        }

        // ------------------------------------------------------------------ mirrors: status of every copy,
        // suspend/resume/repair, and backup/restore jobs

        public Task<MirrorReport> GetMirrorsAsync(CancellationToken ct = default)
            => _c.CallAsync<MirrorReport>(ApiRoutes.Mirrors, null, ct);

        public Task<OperationResult> SuspendMirrorAsync(string mirror, CancellationToken ct = default)
            => _c.CallAsync<OperationResult>(ApiRoutes.MirrorSuspend, new Dictionary<string, object?>(), ct, mirror);

        public Task<OperationResult> ResumeMirrorAsync(string mirror, CancellationToken ct = default)
            => _c.CallAsync<OperationResult>(ApiRoutes.MirrorResume, new Dictionary<string, object?>(), ct, mirror);

        /// <summary>The copy on <paramref name="source"/> wins; every other copy is overwritten.</summary>
        public Task<OperationResult> RepairMirrorAsync(string mirror, string source, CancellationToken ct = default)
            => _c.CallAsync<OperationResult>(ApiRoutes.MirrorRepair, new Dictionary<string, object?> { ["source"] = source }, ct, mirror);

        /// <summary>Starts a backup job; poll it with <see cref="GetJobAsync"/>.</summary>
        public Task<JobStatus> StartBackupAsync(string mirror, BackupRequest request, CancellationToken ct = default)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            var body = new Dictionary<string, object?> { ["path"] = request.Path, ["commandTimeoutSeconds"] = request.CommandTimeoutSeconds };
            if (request.PreCommand != null) body["preCommand"] = request.PreCommand;
            if (request.PostCommand != null) body["postCommand"] = request.PostCommand;
            if (request.Node != null) body["node"] = request.Node;
            return _c.CallAsync<JobStatus>(ApiRoutes.MirrorBackup, body, ct, mirror);
        }

        /// <summary>Starts a restore job; refused while the mirror's group is online anywhere.</summary>
        public Task<JobStatus> StartRestoreAsync(string mirror, RestoreRequest request, CancellationToken ct = default)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            var body = new Dictionary<string, object?> { ["path"] = request.Path };
            if (request.Node != null) body["node"] = request.Node;
            return _c.CallAsync<JobStatus>(ApiRoutes.MirrorRestore, body, ct, mirror);
        }

        public Task<JobStatus> GetJobAsync(string id, CancellationToken ct = default)
            => _c.CallAsync<JobStatus>(ApiRoutes.Job, null, ct, id);

        public void Dispose() => _c.Dispose();
    }
}
