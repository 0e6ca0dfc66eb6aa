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
            => SendAsync<MirrorReport>(HttpMethod.Get, ApiRoutes.Mirrors, null, ct);

        public Task<OperationResult> SuspendMirrorAsync(string mirror, CancellationToken ct = default)
            => SendAsync<OperationResult>(HttpMethod.Post, ApiRoutes.Mirror(mirror, "suspend"), new Dictionary<string, object?>(), ct);

        public Task<OperationResult> ResumeMirrorAsync(string mirror, CancellationToken ct = default)
            => SendAsync<OperationResult>(HttpMethod.Post, ApiRoutes.Mirror(mirror, "resume"), new Dictionary<string, object?>(), ct);

        /// <summary>The copy on <paramref name="source"/> wins; every other copy is overwritten.</summary>
        public Task<OperationResult> RepairMirrorAsync(string mirror, string source, CancellationToken ct = default)
            => SendAsync<OperationResult>(HttpMethod.Post, ApiRoutes.Mirror(mirror, "repair"), new Dictionary<string, object?> { ["source"] = source }, ct);

        /// <summary>Starts a backup job; poll it with <see cref="GetJobAsync"/>.</summary>
        public Task<JobStatus> StartBackupAsync(string mirror, BackupRequest request, CancellationToken ct = default)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            var body = new Dictionary<string, object?> { ["path"] = request.Path, ["commandTimeoutSeconds"] = request.CommandTimeoutSeconds };
            if (request.PreCommand != null) body["preCommand"] = request.PreCommand;
            if (request.PostCommand != null) body["postCommand"] = request.PostCommand;
            if (request.Node != null) body["node"] = request.Node;
            return SendAsync<JobStatus>(HttpMethod.Post, ApiRoutes.Mirror(mirror, "backup"), body, ct);
        }

        /// <summary>Starts a restore job; refused while the mirror's group is online anywhere.</summary>
        public Task<JobStatus> StartRestoreAsync(string mirror, RestoreRequest request, CancellationToken ct = default)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            var body = new Dictionary<string, object?> { ["path"] = request.Path };
            if (request.Node != null) body["node"] = request.Node;
            return SendAsync<JobStatus>(HttpMethod.Post, ApiRoutes.Mirror(mirror, "restore"), body, ct);
        }

        public Task<JobStatus> GetJobAsync(string id, CancellationToken ct = default)
            => SendAsync<JobStatus>(HttpMethod.Get, ApiRoutes.Job(id), null, ct);
    }

    public static partial class ApiRoutes
    {
        public const string Mirrors = "v1/mirrors";
        public const string InternalMirrors = "v1/internal/mirrors";

        public static string Mirror(string name, string verb) => "v1/mirrors/" + Uri.EscapeDataString(name) + "/" + verb;
        public static string InternalMirror(string name, string verb) => "v1/internal/mirrors/" + Uri.EscapeDataString(name) + "/" + verb;
        public static string Job(string id) => "v1/jobs/" + Uri.EscapeDataString(id);
    }
}
