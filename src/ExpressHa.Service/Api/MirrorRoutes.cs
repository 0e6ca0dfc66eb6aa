using ExpressHa.Api;
using ExpressHa.Client;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using static ExpressHa.Service.Api.ApiHandlers;
using static ExpressHa.Service.Api.ApiResponses;

namespace ExpressHa.Service.Api;

/// <summary>The mirror routes: GET /v1/mirrors, POST /v1/mirrors/{name}/suspend|resume|repair|backup|restore,
/// GET /v1/jobs/{id}, and node to node /v1/internal/mirrors[/{name}/suspend|resume|repair|outdate|command|copyout|restore].
/// A started job is 202 with its JobStatus.</summary>
static class MirrorRoutes
{
    public static void Map(IEndpointRouteBuilder app, ApiHandlers h)
    {
        ApiResponses.Map(app, ApiRoutes.Mirrors, async (HttpContext c) => await WriteJson(c, 200, await h.Control.GetMirrorsAsync(c.RequestAborted)));
        ApiResponses.Map(app, ApiRoutes.MirrorSuspend, (HttpContext c, string name) => h.Operation(c, ct => h.Control.SuspendMirrorAsync(name, ct)));
        ApiResponses.Map(app, ApiRoutes.MirrorResume, (HttpContext c, string name) => h.Operation(c, ct => h.Control.ResumeMirrorAsync(name, ct)));
        ApiResponses.Map(app, ApiRoutes.MirrorRepair, (HttpContext c, string name) => Repair(c, h, (source, ct) => h.Control.RepairMirrorAsync(name, source, ct)));
        ApiResponses.Map(app, ApiRoutes.MirrorBackup, (HttpContext c, string name) => Backup(c, h, name));
        ApiResponses.Map(app, ApiRoutes.MirrorRestore, (HttpContext c, string name) => Restore(c, h, name));
        ApiResponses.Map(app, ApiRoutes.Job, (HttpContext c, string id) => h.Control.GetJob(id) is { } job
            ? WriteJson(c, 200, job)
            : WriteError(c, 404, ErrorCodes.JobNotFound, $"This node has no job '{id}' (jobs live on the node that started them, and not across a restart)."));

        ApiResponses.Map(app, ApiRoutes.InternalMirrors, async (HttpContext c) => await WriteJson(c, 200, await h.Control.LocalMirrors.GetMirrorsAsync(c.RequestAborted)));
        ApiResponses.Map(app, ApiRoutes.InternalMirrorSuspend, (HttpContext c, string name) => h.Operation(c, ct => h.Control.LocalMirrors.SuspendAsync(name, ct)));
        ApiResponses.Map(app, ApiRoutes.InternalMirrorResume, (HttpContext c, string name) => h.Operation(c, ct => h.Control.LocalMirrors.ResumeAsync(name, ct)));
        ApiResponses.Map(app, ApiRoutes.InternalMirrorOutdate, (HttpContext c, string name) => h.Operation(c, ct => h.Control.LocalMirrors.OutdateAsync(name, ct)));
        ApiResponses.Map(app, ApiRoutes.InternalMirrorRepair, (HttpContext c, string name) => Repair(c, h, (source, ct) => h.Control.LocalMirrors.RepairAsync(name, source, ct)));
        ApiResponses.Map(app, ApiRoutes.InternalMirrorCommand, (HttpContext c, string name) => Command(c, h, name));
        ApiResponses.Map(app, ApiRoutes.InternalMirrorCopyOut, (HttpContext c, string name) => PathJob(c, h, (path, ct) => h.Control.LocalMirrors.StartCopyOutAsync(name, path, ct)));
        ApiResponses.Map(app, ApiRoutes.InternalMirrorRestore, (HttpContext c, string name) => PathJob(c, h, (path, ct) => h.Control.LocalMirrors.StartRestoreAsync(name, path, ct)));
    }

    static async Task Repair(HttpContext c, ApiHandlers h, Func<string, CancellationToken, Task<OperationResult>> op)
    {
        var (body, error) = await ReadBody<MirrorRepairBody>(c, allowEmpty: false);
        if (error == null && string.IsNullOrWhiteSpace(body!.Source)) error = "source is empty; name the node whose copy wins";
        if (error != null) { await WriteError(c, 400, ErrorCodes.BadRequest, error); return; }
        await h.Answer(c, await op(body!.Source, h.Ct));
    }

    static async Task Backup(HttpContext c, ApiHandlers h, string name)
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
        await h.AnswerJob(c, await h.Control.StartMirrorBackupAsync(name, request, h.Ct));
    }

    static async Task Restore(HttpContext c, ApiHandlers h, string name)
    {
        var (body, error) = await ReadBody<MirrorRestoreBody>(c, allowEmpty: false);
        error ??= CheckPath(body!.Path) ?? CheckOptional("node", body.Node);
        if (error != null) { await WriteError(c, 400, ErrorCodes.BadRequest, error); return; }
        await h.AnswerJob(c, await h.Control.StartMirrorRestoreAsync(name, new RestoreRequest { Path = body!.Path, Node = body.Node }, h.Ct));
    }

    static async Task Command(HttpContext c, ApiHandlers h, string name)
    {
        var (body, error) = await ReadBody<MirrorCommandBody>(c, allowEmpty: false);
        error ??= (string.IsNullOrWhiteSpace(body!.Command) ? "command is empty" : null) ?? CheckTimeout("timeoutSeconds", body.TimeoutSeconds);
        if (error != null) { await WriteError(c, 400, ErrorCodes.BadRequest, error); return; }
        await h.Answer(c, await h.Control.LocalMirrors.RunCommandAsync(name, body!.Command, body.TimeoutSeconds, h.Ct));
    }

    static async Task PathJob(HttpContext c, ApiHandlers h, Func<string, CancellationToken, Task<JobStart>> op)
    {
        var (body, error) = await ReadBody<MirrorPathBody>(c, allowEmpty: false);
        error ??= CheckPath(body!.Path);
        if (error != null) { await WriteError(c, 400, ErrorCodes.BadRequest, error); return; }
        await h.AnswerJob(c, await op(body!.Path, h.Ct));
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
