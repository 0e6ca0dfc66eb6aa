using System.Text.Json;
using ExpressHa.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ExpressHa.Service.Api;

/// <summary>How the API maps a route of the contract and writes its answers: JSON (camelCase), errors as
/// {"code","message","ok":false}.</summary>
public static class ApiResponses
{
    /// <summary>Maps one route of the contract (<see cref="ApiRoutes"/>), its method and pattern as the contract says.</summary>
    internal static RouteHandlerBuilder Map(IEndpointRouteBuilder app, ApiRoute route, Delegate handler)
        => app.MapMethods(route.Pattern, [route.Method], handler);

    public static Task WriteError(HttpContext ctx, int status, string code, string message)
        => WriteJson(ctx, status, new ApiError(code, message));

    public static Task WriteJson<T>(HttpContext ctx, int status, T value)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json; charset=utf-8";
        return JsonSerializer.SerializeAsync(ctx.Response.Body, value, ApiJson.Options, ctx.RequestAborted);
    }
}
