using ExpressHa.Api;
using ExpressHa.Client;
using ExpressHa.Service.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace ExpressHa.Service.Api;

/// <summary>The operations routes: GET /v1/config (the running config and its generation), GET /v1/cluster/alerts
/// (every node's alerts merged by time), GET /v1/groups/{name}/history (starts, moves and failovers with their
/// timelines), GET /v1/support/bundle?node=&amp;since= (one node's support bundle, a zip streamed, relayed from a peer
/// when another node is named), and node to node GET /v1/internal/ownership and /v1/internal/support/bundle. They sit
/// behind the same token check as every route.</summary>
public static class OperationsRoutes
{
    public static void Map(WebApplication app, IClusterControl control, CancellationToken stopping)
    {
        ApiResponses.Map(app, ApiRoutes.ConfigGet, (HttpContext c) => RunningConfig(c, control));
        ApiResponses.Map(app, ApiRoutes.ClusterAlerts, (HttpContext c) => With(c, control, async s =>
        {
            var query = AlertQueryReader.Read(c.Request.Query, out var error);
            if (query == null) { await ApiResponses.WriteError(c, 400, ErrorCodes.BadRequest, error!); return; }
            await ApiResponses.WriteJson(c, 200, await s.GetClusterAlertsAsync(query, c.RequestAborted));
        }));
        ApiResponses.Map(app, ApiRoutes.GroupHistory, (HttpContext c, string name) => With(c, control, async s =>
        {
            if (AlertQueryReader.Check(c.Request.Query, []) is { } error) { await ApiResponses.WriteError(c, 400, ErrorCodes.BadRequest, error); return; }
            var report = await s.GetGroupHistoryAsync(name, c.RequestAborted);
            if (report == null) await ApiResponses.WriteError(c, 404, ErrorCodes.GroupNotFound, $"Group '{name}' does not exist in the running config.");
            else await ApiResponses.WriteJson(c, 200, report);
        }));
        ApiResponses.Map(app, ApiRoutes.InternalOwnership, (HttpContext c) => With(c, control, async s =>
        {
            if (AlertQueryReader.Check(c.Request.Query, ["group"]) is { } error) { await ApiResponses.WriteError(c, 400, ErrorCodes.BadRequest, error); return; }
            await ApiResponses.WriteJson(c, 200, s.LocalOwnership(c.Request.Query["group"]));
        }));
        ApiResponses.Map(app, ApiRoutes.SupportBundle, (HttpContext c) => With(c, control, s => Bundle(c, s, relay: true, stopping)));
        ApiResponses.Map(app, ApiRoutes.InternalSupportBundle, (HttpContext c) => With(c, control, s => Bundle(c, s, relay: false, stopping)));
    }

    static Task With(HttpContext c, IClusterControl control, Func<SupportOperations, Task> serve)
        => control is ISupportControl s ? serve(s.Support) : ApiResponses.WriteError(c, 404, ErrorCodes.NotFound, "this node does not serve the operations routes");

    static Task RunningConfig(HttpContext c, IClusterControl control)
    {
        if (AlertQueryReader.Check(c.Request.Query, []) is { } error) return ApiResponses.WriteError(c, 400, ErrorCodes.BadRequest, error);
        if (control is not IRunningConfigSource source) return ApiResponses.WriteError(c, 404, ErrorCodes.NotFound, "this node does not hand out its running config");
        var running = source.GetRunningConfig();
        var status = control.GetStatus();
        return ApiResponses.WriteJson(c, 200, new RunningClusterConfig { ClusterName = status.ClusterName, Node = status.ReportingNode, Generation = running.Generation, Yaml = running.Yaml });
    }

    /// <summary>The bundle of this node, or (relay, ?node= another node) the named peer's, copied through as it arrives.</summary>
    static async Task Bundle(HttpContext c, SupportOperations s, bool relay, CancellationToken stopping)
    {
        var q = c.Request.Query;
        var error = AlertQueryReader.Check(q, relay ? ["node", "since"] : ["since"]);
        var since = AlertQueryReader.ReadTime(q, "since", out var timeError);
        error ??= timeError;
        string? node = relay ? q["node"].ToString() : null;
        if (error == null && relay && string.IsNullOrWhiteSpace(node)) error = "node is required: the name of the node whose bundle to send";
        if (error != null) { await ApiResponses.WriteError(c, 400, ErrorCodes.BadRequest, error); return; }
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(c.RequestAborted, stopping);
        if (!relay || node == s.Self)
        {
            StartZip(c, s.Self);
            // ZipArchive writes synchronously; the bundle runs on a pool thread and streams straight into the response.
            var body = c.Features.Get<IHttpBodyControlFeature>();
            if (body != null) body.AllowSynchronousIO = true;
            await s.WriteLocalBundleAsync(c.Response.Body, since, linked.Token);
            return;
        }
        HttpResponseMessage peer;
        try
        {
            peer = await s.OpenPeerBundleAsync(node!, since, linked.Token);
        }
        catch (HaApiException e) when (e.StatusCode is 0 or >= 500)
        {
            await ApiResponses.WriteError(c, 502, ErrorCodes.NodeUnreachable, $"Node {node} did not answer: {e.Message}");
            return;
        }
        catch (HaApiException e)
        {
            await ApiResponses.WriteError(c, e.StatusCode, e.Code, e.Message);
            return;
        }
        using (peer)
        {
            StartZip(c, node!);
            await using var from = await peer.Content.ReadAsStreamAsync(linked.Token);
            await from.CopyToAsync(c.Response.Body, linked.Token);
        }
    }

    static void StartZip(HttpContext c, string node)
    {
        c.Response.StatusCode = 200;
        c.Response.ContentType = "application/zip";
        c.Response.Headers.ContentDisposition = $"attachment; filename=\"{node}-support.zip\"";
    }
}
