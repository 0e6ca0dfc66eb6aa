using ExpressHa.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using static ExpressHa.Service.Api.ApiResponses;

namespace ExpressHa.Service.Api;

/// <summary>The operator's routes on the cluster: status and alerts, and the operations on groups, nodes, monitors and
/// the cluster service. Each operation's answer is the node's <see cref="OperationResult"/>.</summary>
static class ClusterRoutes
{
    public static void Map(IEndpointRouteBuilder app, ApiHandlers h)
    {
        ApiResponses.Map(app, ApiRoutes.Status, (HttpContext c) => WriteJson(c, 200, h.Control.GetStatus()));
        ApiResponses.Map(app, ApiRoutes.Alerts, (HttpContext c) => Alerts(c, h));
        ApiResponses.Map(app, ApiRoutes.GroupStart, (HttpContext c, string name) => h.GroupTarget(c, name, h.Control.StartGroupAsync));
        ApiResponses.Map(app, ApiRoutes.GroupStop, (HttpContext c, string name) => h.Operation(c, ct => h.Control.StopGroupAsync(name, ct)));
        ApiResponses.Map(app, ApiRoutes.GroupMove, (HttpContext c, string name) => h.GroupTarget(c, name, h.Control.MoveGroupAsync));
        ApiResponses.Map(app, ApiRoutes.NodeSuspend, (HttpContext c, string name) => h.Operation(c, ct => h.Control.SuspendNodeAsync(name, ct)));
        ApiResponses.Map(app, ApiRoutes.NodeResume, (HttpContext c, string name) => h.Operation(c, ct => h.Control.ResumeNodeAsync(name, ct)));
        ApiResponses.Map(app, ApiRoutes.NodeStop, (HttpContext c, string name) => h.Operation(c, ct => h.Control.StopNodeAsync(name, ct)));
        ApiResponses.Map(app, ApiRoutes.NodeStart, (HttpContext c, string name) => h.Operation(c, ct => h.Control.StartNodeAsync(name, ct)));
        ApiResponses.Map(app, ApiRoutes.NodeKill, (HttpContext c, string name) => h.Operation(c, ct => h.Control.KillNodeAsync(name, ct)));
        ApiResponses.Map(app, ApiRoutes.MonitorSuspend, (HttpContext c, string name) => h.Operation(c, ct => h.Control.SuspendMonitorAsync(name, ct)));
        ApiResponses.Map(app, ApiRoutes.MonitorResume, (HttpContext c, string name) => h.Operation(c, ct => h.Control.ResumeMonitorAsync(name, ct)));
        ApiResponses.Map(app, ApiRoutes.MonitorFail, (HttpContext c, string name) => h.GroupTarget(c, name, (m, n, ct) => h.Control.PseudoFailMonitorAsync(m, n, true, ct)));
        ApiResponses.Map(app, ApiRoutes.MonitorClear, (HttpContext c, string name) => h.GroupTarget(c, name, (m, n, ct) => h.Control.PseudoFailMonitorAsync(m, n, false, ct)));
        ApiResponses.Map(app, ApiRoutes.ClusterStart, (HttpContext c) => h.Operation(c, h.Control.StartClusterAsync));
        ApiResponses.Map(app, ApiRoutes.ClusterStop, (HttpContext c) => h.Operation(c, h.Control.StopClusterAsync));
    }

    static async Task Alerts(HttpContext c, ApiHandlers h)
    {
        var query = AlertQueryReader.Read(c.Request.Query, out var error);
        if (query == null) { await WriteError(c, 400, ErrorCodes.BadRequest, error!); return; }
        await WriteJson(c, 200, h.Control.GetAlerts(query));
    }
}
