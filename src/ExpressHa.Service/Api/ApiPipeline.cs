using ExpressHa.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace ExpressHa.Service.Api;

/// <summary>The middleware in front of every route, outermost first: errors become JSON answers (never a crash or a
/// stack trace), the web UI's files and sign-in are served without a credential, then the caller is identified and
/// routed, and the matched route's credential rule applied.</summary>
static class ApiPipeline
{
    public static void Use(WebApplication app, ApiAuthorization auth, WebUi.WebUiSessions sessions, ILogger log)
    {
        // Outermost: nothing escapes as a crash or a stack trace.
        app.Use(async (ctx, next) =>
        {
            try
            {
                await next(ctx);
            }
            catch (BadHttpRequestException ex)
            {
                if (ctx.Response.HasStarted) throw;
                var tooLarge = ex.StatusCode == StatusCodes.Status413PayloadTooLarge;
                await ApiResponses.WriteError(ctx, tooLarge ? 413 : 400, tooLarge ? ErrorCodes.PayloadTooLarge : ErrorCodes.BadRequest,
                    tooLarge ? "the request body is too large" : "malformed request: " + ex.Message);
            }
            catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
            {
                // the client went away
            }
            catch (Exception ex)
            {
                log.LogError(ex, "{Method} {Path} failed", ctx.Request.Method, ctx.Request.Path);
                if (ctx.Response.HasStarted) throw;
                ctx.Response.Clear();
                await ApiResponses.WriteError(ctx, 500, ErrorCodes.InternalError, "the node could not handle the request; see its log");
            }
        });

        // The web UI's page and files, and its sign-in, are the only things served without a credential.
        app.Use(async (ctx, next) =>
        {
            ctx.Response.Headers.XContentTypeOptions = "nosniff";
            ctx.Response.Headers.XFrameOptions = "DENY";
            if (await WebUi.WebUiAssets.TryServeAsync(ctx)) return;
            if (WebUi.WebUiSessions.IsSignIn(ctx.Request)) { await sessions.SignInAsync(ctx); return; }
            if (WebUi.WebUiSessions.IsWhoAmI(ctx.Request)) { await sessions.WhoAmIAsync(ctx); return; }
            await next(ctx);
        });

        // Then the credential, before routing: an unauthenticated caller learns nothing, not even which routes exist.
        // A bearer token when the request has an Authorization header, else the web UI's session cookie; a session's
        // changing calls must also prove they come from the page (SameOrigin).
        app.Use(async (ctx, next) =>
        {
            ApiCaller caller;
            string? session = null;
            if (ctx.Request.Headers.Authorization.Count > 0) caller = auth.Identify(ctx.Request.Headers.Authorization);
            else (caller, session) = sessions.FromCookie(ctx.Request);
            if (caller == ApiCaller.None)
            {
                ctx.Response.Headers.WWWAuthenticate = "Bearer";
                await ApiResponses.WriteError(ctx, 401, ErrorCodes.Unauthorized, "authentication required");
                return;
            }
            if (session != null && !HttpMethods.IsGet(ctx.Request.Method) && !HttpMethods.IsHead(ctx.Request.Method)
                && WebUi.SameOrigin.Refusal(ctx.Request.Headers[WebUi.SameOrigin.HeaderName].FirstOrDefault(), headerRequired: true,
                    ctx.Request.Headers.Origin.FirstOrDefault(), ctx.Request.Headers["Sec-Fetch-Site"].FirstOrDefault(), WebUi.WebUiSessions.Self(ctx.Request)) is { } crossSite)
            {
                await ApiResponses.WriteError(ctx, 403, ErrorCodes.CrossSiteRequest, crossSite);
                return;
            }
            ctx.Items[typeof(ApiCaller)] = caller;
            ctx.Items[WebUi.WebUiSessions.CookieName] = session;
            await next(ctx);
        });

        app.UseRouting();

        // Which credential a route takes is decided on the matched endpoint, not on the raw path, so no spelling of a
        // path (case, doubled slashes, escapes) reaches a node-to-node handler with the operator's token.
        app.Use(async (ctx, next) =>
        {
            var pattern = (ctx.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
            var refusal = ApiAuthorization.Refusal((ApiCaller)ctx.Items[typeof(ApiCaller)]!, ctx.Request.Method, pattern);
            if (refusal != null)
            {
                await ApiResponses.WriteError(ctx, 403, refusal.Code, refusal.Message);
                return;
            }
            await next(ctx);
        });
    }
}
