using ExpressHa.Api;
using ExpressHa.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ExpressHa.Service.Api;

/// <summary>The mirror routes: GET /v1/mirrors, POST /v1/mirrors/{name}/suspend|resume|repair|backup|restore,
/// GET /v1/jobs/{id}, and node to node /v1/internal/mirrors[/{name}/suspend|resume|repair|outdate|command|copyout|restore].
/// A started job is 202 with its JobStatus.</summary>
public sealed partial class ManagementApi
{
    static void MapMirrors(WebApplication app, Handlers h)
    {
        Map(app, ApiRoutes.Mirrors, async (HttpContext c) => await WriteJson(c, 200, await h.Control.GetMirrorsAsync(c.RequestAborted)));
        Map(app, ApiRoutes.MirrorSuspend, (HttpContext c, string name) => h.Operation(c, ct => h.Control.SuspendMirrorAsync(name, ct)));
        Map(app, ApiRoutes.MirrorResume, (HttpContext c, string name) => h.Operation(c, ct => h.Control.ResumeMirrorAsync(name, ct)));
        Map(app, ApiRoutes.MirrorRepair, (HttpContext c, string name) => h.Repair(c, (source, ct) => h.Control.RepairMirrorAsync(name, source, ct)));
        Map(app, ApiRoutes.MirrorBackup, (HttpContext c, string name) => h.Backup(c, name));
        Map(app, ApiRoutes.MirrorRestore, (HttpContext c, string name) => h.Restore(c, name));
        Map(app, ApiRoutes.Job, (HttpContext c, string id) => h.Control.GetJob(id) is { } job
            ? WriteJson(c, 200, job)
            : WriteError(c, 404, ErrorCodes.JobNotFound, $"This node has no job '{id}' (jobs live on the node that started them, and not across a restart)."));

        Map(app, ApiRoutes.InternalMirrors, async (HttpContext c) => await WriteJson(c, 200, await h.Control.LocalMirrors.GetMirrorsAsync(c.RequestAborted)));
        Map(app, ApiRoutes.InternalMirrorSuspend, (HttpContext c, string name) => h.Operation(c, ct => h.Control.LocalMirrors.SuspendAsync(name, ct)));
        Map(app, ApiRoutes.InternalMirrorResume, (HttpContext c, string name) => h.Operation(c, ct => h.Control.LocalMirrors.ResumeAsync(name, ct)));
        Map(app, ApiRoutes.InternalMirrorOutdate, (HttpContext c, string name) => h.Operation(c, ct => h.Control.LocalMirrors.OutdateAsync(name, ct)));
        Map(app, ApiRoutes.InternalMirrorRepair, (HttpContext c, string name) => h.Repair(c, (source, ct) => h.Control.LocalMirrors.RepairAsync(name, source, ct)));
        Map(app, ApiRoutes.InternalMirrorCommand, (HttpContext c, string name) => h.Command(c, name));
        Map(app, ApiRoutes.InternalMirrorCopyOut, (HttpContext c, string name) => h.PathJob(c, (path, ct) => h.Control.LocalMirrors.StartCopyOutAsync(name, path, ct)));
        Map(app, ApiRoutes.InternalMirrorRestore, (HttpContext c, string name) => h.PathJob(c, (path, ct) => h.Control.LocalMirrors.StartRestoreAsync(name, path, ct)));
    }

    sealed partial class Handlers
    {
        public async Task Repair(HttpContext c, Func<string, CancellationToken, Task<OperationResult>> op)
        {
            var (body, error) = await ReadBody<MirrorRepairBody>(c, allowEmpty: false);
            if (error == null && string.IsNullOrWhiteSpace(body!.Source)) error = "source is empty; name the node whose copy wins";
            if (error != null) { await WriteError(c, 400, ErrorCodes.BadRequest, error); return; }
            await Answer(c, await op(body!.Source, Ct));
        }

        public async Task Backup(HttpContext c, string name)
        {
            var (body, error) = await ReadBody<MirrorBackupBody>(c, allowEmpty: false);
            error ??= CheckPath(body!.Path)
                ?? CheckOptional("preCommand", body.PreCommand) ?? CheckOptional("postCommand", body.PostCommand) ?? CheckOptional("node", body.Node)
                ?? CheckTimeout("commandTimeoutSeconds", body.CommandTimeoutSeconds);
            if (error != null) { await WriteError(c, 400, ErrorCodes.BadRequest, error); return; }
            var request = new BackupRequest
            {
                Path = body!.Path, PreCommand = body.PreCommand, PostCommand = body.PostCommand, Node = body.Node, CommandTimeoutSeconds = body.CommandTimeoutSeconds,
            };
            await AnswerJob(c, await Control.StartMirrorBackupAsync(name, request, Ct));
        }

        public async Task Restore(HttpContext c, string name)
        {
            var (body, error) = await ReadBody<MirrorRestoreBody>(c, allowEmpty: false);
            error ??= CheckPath(body!.Path) ?? CheckOptional("node", body.Node);
            if (error != null) { await WriteError(c, 400, ErrorCodes.BadRequest, error); return; }
            await AnswerJob(c, await Control.StartMirrorRestoreAsync(name, new RestoreRequest { Path = body!.Path, Node = body.Node }, Ct));
        }

        public async Task Command(HttpContext c, string name)
        {
            var (body, error) = await ReadBody<MirrorCommandBody>(c, allowEmpty: false);
            error ??= (string.IsNullOrWhiteSpace(body!.Command) ? "command is empty" : null) ?? CheckTimeout("timeoutSeconds", body.TimeoutSeconds);
            if (error != null) { await WriteError(c, 400, ErrorCodes.BadRequest, error); return; }
            await Answer(c, await Control.LocalMirrors.RunCommandAsync(name, body!.Command, body.TimeoutSeconds, Ct));
        }

        public async Task PathJob(HttpContext c, Func<string, CancellationToken, Task<JobStart>> op)
        {
            var (body, error) = await ReadBody<MirrorPathBody>(c, allowEmpty: false);
            error ??= CheckPath(body!.Path);
            if (error != null) { await WriteError(c, 400, ErrorCodes.BadRequest, error); return; }
            await AnswerJob(c, await op(body!.Path, Ct));
        }

        Task AnswerJob(HttpContext c, JobStart? start)
        {
            if (start == null) throw new InvalidOperationException("the node returned no job");
            if (start.Job != null) return WriteJson(c, 202, start.Job);
            return Answer(c, start.Refusal ?? throw new InvalidOperationException("the node returned neither a job nor a refusal"));
        }

        static string? CheckPath(string path)
            => string.IsNullOrWhiteSpace(path) ? "path is empty"
                : !path.StartsWith('/') ? $"path '{path}' is not absolute; give the full path of the image file on the node"
                : path.Contains('\0') ? "path holds a NUL character" : null;

        static string? CheckOptional(string field, string? value)
            => value != null && string.IsNullOrWhiteSpace(value) ? $"{field} is empty; leave it out instead" : null;

        static string? CheckTimeout(string field, int seconds)
            => seconds is < 1 or > BackupDefaults.MaxCommandTimeoutSeconds ? $"{field} must be between 1 and {BackupDefaults.MaxCommandTimeoutSeconds}" : null;
    }
}
