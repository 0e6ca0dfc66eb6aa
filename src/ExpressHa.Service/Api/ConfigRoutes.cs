using ExpressHa.Api;
using ExpressHa.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using static ExpressHa.Service.Api.ApiHandlers;
using static ExpressHa.Service.Api.ApiResponses;

namespace ExpressHa.Service.Api;

/// <summary>The config push (POST /v1/config, with its dry run) and the node-to-node routes behind it: the two phases
/// (prepare, finish), the running config a node that missed a push catches up from, and the actions a coordinator's
/// plan asks of a node.</summary>
static class ConfigRoutes
{
    public static void Map(IEndpointRouteBuilder app, ApiHandlers h)
    {
        ApiResponses.Map(app, ApiRoutes.ConfigPush, (HttpContext c) => PushConfig(c, h));
        ApiResponses.Map(app, ApiRoutes.InternalPrepare, (HttpContext c) => Prepare(c, h));
        ApiResponses.Map(app, ApiRoutes.InternalFinish, (HttpContext c) => Finish(c, h));
        ApiResponses.Map(app, ApiRoutes.InternalActions, (HttpContext c) => Actions(c, h));
        ApiResponses.Map(app, ApiRoutes.InternalConfig, (HttpContext c) => RunningConfig(c, h));
    }

    static async Task PushConfig(HttpContext c, ApiHandlers h)
    {
        var (body, error) = await ReadBody<ConfigPushBody>(c, allowEmpty: false);
        if (error != null) { await WriteError(c, 400, ErrorCodes.BadRequest, error); return; }
        if (!body!.DryRun && c.Items[typeof(ApiCaller)] is ApiCaller.ReadOnly)
        {
            await WriteError(c, 403, ApiAuthorization.ReadOnlyRefusal.Code, ApiAuthorization.ReadOnlyRefusal.Message);
            return;
        }
        var result = await h.Control.PushConfigAsync(body!.Yaml, body.DryRun, h.Ct) ?? throw new InvalidOperationException("PushConfigAsync returned null");
        await WriteJson(c, result.DryRun || result.Applied ? 200 : 409, result);
    }

    static async Task Prepare(HttpContext c, ApiHandlers h)
    {
        var (body, error) = await ReadBody<ConfigPrepareBody>(c, allowEmpty: false);
        if (error != null) { await WriteError(c, 400, ErrorCodes.BadRequest, error); return; }
        var refusal = await h.Control.PrepareConfigAsync(body!.Yaml, body.Generation, h.Ct);
        await WriteJson(c, refusal == null ? 200 : 409, new ConfigPrepareAnswer(refusal == null, refusal));
    }

    static async Task Finish(HttpContext c, ApiHandlers h)
    {
        var (body, error) = await ReadBody<ConfigFinishBody>(c, allowEmpty: false);
        if (error != null) { await WriteError(c, 400, ErrorCodes.BadRequest, error); return; }
        await h.Answer(c, await h.Control.FinishConfigAsync(body!.Generation, body.Commit, h.Ct));
    }

    static Task RunningConfig(HttpContext c, ApiHandlers h)
        => h.Control is IRunningConfigSource source
            ? WriteJson(c, 200, source.GetRunningConfig())
            : WriteError(c, 404, ErrorCodes.NotFound, "this node does not hand out its running config");

    static async Task Actions(HttpContext c, ApiHandlers h)
    {
        var (body, error) = await ReadBody<List<PlanAction>>(c, allowEmpty: false);
        if (error == null && body!.Any(a => a == null)) error = "the action list holds a null";
        if (error != null) { await WriteError(c, 400, ErrorCodes.BadRequest, error); return; }
        await h.Answer(c, await h.Control.RunActionsAsync(body!, h.Ct));
    }
}
