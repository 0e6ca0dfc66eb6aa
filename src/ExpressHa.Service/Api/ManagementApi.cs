using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using ExpressHa.Api;
using ExpressHa.Client;
using ExpressHa.Policy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ExpressHa.Service.Api;

/// <summary>The management API of one node (Kestrel, minimal APIs). It authenticates, parses and routes; every
/// decision is the node's (<see cref="IClusterControl"/>). All answers are JSON (camelCase); errors are
/// {"code","message","ok":false} with 400 (malformed request), 401 (no or wrong credential), 403 (the
/// other credential: an API token on a node-to-node route or the cluster credential on an operator route; the read-only
/// token or session asking for a change, ExpressHa.ReadOnly; a web UI session's change without the same-origin proof,
/// ExpressHa.CrossSiteRequest), 404 (unknown route or a
/// *NotFound code from the node), 409 (any other refusal) or 500 (an exception: generic message, details only in the log).</summary>
public sealed partial class ManagementApi : IAsyncDisposable
{
    readonly WebApplication _app;

    ManagementApi(WebApplication app, Uri baseAddress, int port, string? fingerprint)
    {
        _app = app;
        BaseAddress = baseAddress;
        Port = port;
        CertificateFingerprint = fingerprint;
    }

    public WebApplication App => _app;
    /// <summary>https://ADDRESS:PORT/ (or http:// when TLS is off); the wildcard addresses are reported as loopback.</summary>
    public Uri BaseAddress { get; }
    public int Port { get; }
    /// <summary>SHA-256 of the certificate (64 upper-case hex digits), null when TLS is off.</summary>
    public string? CertificateFingerprint { get; }

    /// <summary>Checks the options, loads or creates the certificate, and starts listening.</summary>
    /// <exception cref="ApiConfigurationException">plain HTTP on a non-loopback address, no token, a bad address.</exception>
    public static async Task<ManagementApi> StartAsync(ApiOptions options, IClusterControl control, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(control);
        if (string.IsNullOrEmpty(options.Token)) throw new ApiConfigurationException("the API needs a token (cluster.security.apiTokenFile); refusing to serve without one");
        var address = ParseAddress(options.BindAddress);
        if (!options.Tls && !IPAddress.IsLoopback(address))
            throw new ApiConfigurationException(
                $"plain HTTP is allowed only on a loopback address, not on {options.BindAddress}: turn TLS on (cluster.security.apiTls: true) or bind to 127.0.0.1");
        if (options.Port is < 0 or > 65535) throw new ApiConfigurationException($"API port {options.Port} is out of range");

        X509Certificate2? cert = options.Tls ? ApiCertificate.LoadOrCreate(options.StateDir) : null;
        var fingerprint = cert != null ? Client.CertificateFingerprint.Compute(cert) : null;

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "expresshad", Args = [] });
        builder.Logging.ClearProviders();
        if (options.LoggerFactory != null) builder.Services.AddSingleton(options.LoggerFactory);
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = options.MaxBodyBytes;
            k.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            k.Listen(address, options.Port, l =>
            {
                if (cert != null) l.UseHttps(cert);
            });
        });
        var app = builder.Build();
        var log = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("ExpressHa.Api");
        var handlers = new Handlers(control, log, app.Lifetime.ApplicationStopping);
        var auth = new ApiAuthorization(options.Token, options.ClusterCredential, options.ReadOnlyToken);
        var sessions = new WebUi.WebUiSessions(new WebUi.SessionStore(options.SessionIdleTimeout, options.SessionLifetime), auth, secureCookie: cert != null,
            () => { var s = control.GetStatus(); return (s.ReportingNode, s.ClusterName); });
        Configure(app, auth, sessions, log, handlers);

        await app.StartAsync(ct).ConfigureAwait(false);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(bound).Port;
        var host = address.Equals(IPAddress.Any) ? "127.0.0.1" : address.Equals(IPAddress.IPv6Any) ? "[::1]"
            : address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "[" + address + "]" : address.ToString();
        var baseAddress = new Uri($"{(cert != null ? "https" : "http")}://{host}:{port}/");
        log.LogInformation("management API listening on {Address} (certificate SHA-256 {Fingerprint})", baseAddress, fingerprint ?? "none, plain HTTP");
        return new ManagementApi(app, baseAddress, port, fingerprint);
    }

    public Task StopAsync(CancellationToken ct = default) => _app.StopAsync(ct);

    /// <summary>Every mapped route as (HTTP method, pattern), e.g. ("POST", "/v1/internal/actions").</summary>
    public IReadOnlyList<(string Method, string Pattern)> Routes()
        => ((IEndpointRouteBuilder)_app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(m => (m, e.RoutePattern.RawText ?? "")))
            .ToList();

    public async ValueTask DisposeAsync()
    {
        try { await _app.StopAsync().ConfigureAwait(false); } catch (OperationCanceledException) { }
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    static IPAddress ParseAddress(string text)
    {
        if (string.Equals(text, "localhost", StringComparison.OrdinalIgnoreCase)) return IPAddress.Loopback;
        if (string.IsNullOrWhiteSpace(text) || !IPAddress.TryParse(text.Trim('[', ']'), out var a))
            throw new ApiConfigurationException($"'{text}' is not an IP address to bind the API to");
        return a;
    }

    // ------------------------------------------------------------------ pipeline

    static void Configure(WebApplication app, ApiAuthorization auth, WebUi.WebUiSessions sessions, ILogger log, Handlers h)
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
                await WriteError(ctx, tooLarge ? 413 : 400, tooLarge ? ErrorCodes.PayloadTooLarge : ErrorCodes.BadRequest,
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
                await WriteError(ctx, 500, ErrorCodes.InternalError, "the node could not handle the request; see its log");
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
                await WriteError(ctx, 401, ErrorCodes.Unauthorized, "authentication required");
                return;
            }
            if (session != null && !HttpMethods.IsGet(ctx.Request.Method) && !HttpMethods.IsHead(ctx.Request.Method)
                && WebUi.SameOrigin.Refusal(ctx.Request.Headers[WebUi.SameOrigin.HeaderName].FirstOrDefault(), headerRequired: true,
                    ctx.Request.Headers.Origin.FirstOrDefault(), ctx.Request.Headers["Sec-Fetch-Site"].FirstOrDefault(), WebUi.WebUiSessions.Self(ctx.Request)) is { } crossSite)
            {
                await WriteError(ctx, 403, ErrorCodes.CrossSiteRequest, crossSite);
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
                await WriteError(ctx, 403, refusal.Code, refusal.Message);
                return;
            }
            await next(ctx);
        });

        Map(app, ApiRoutes.Status, h.Status);
        Map(app, ApiRoutes.Alerts, h.Alerts);
        Map(app, ApiRoutes.GroupStart, (HttpContext c, string name) => h.GroupTarget(c, name, h.Control.StartGroupAsync));
        Map(app, ApiRoutes.GroupStop, (HttpContext c, string name) => h.Operation(c, ct => h.Control.StopGroupAsync(name, ct)));
        Map(app, ApiRoutes.GroupMove, (HttpContext c, string name) => h.GroupTarget(c, name, h.Control.MoveGroupAsync));
        Map(app, ApiRoutes.NodeSuspend, (HttpContext c, string name) => h.Operation(c, ct => h.Control.SuspendNodeAsync(name, ct)));
        Map(app, ApiRoutes.NodeResume, (HttpContext c, string name) => h.Operation(c, ct => h.Control.ResumeNodeAsync(name, ct)));
        Map(app, ApiRoutes.MonitorSuspend, (HttpContext c, string name) => h.Operation(c, ct => h.Control.SuspendMonitorAsync(name, ct)));
        Map(app, ApiRoutes.MonitorResume, (HttpContext c, string name) => h.Operation(c, ct => h.Control.ResumeMonitorAsync(name, ct)));
        Map(app, ApiRoutes.MonitorFail, (HttpContext c, string name) => h.GroupTarget(c, name, (m, n, ct) => h.Control.PseudoFailMonitorAsync(m, n, true, ct)));
        Map(app, ApiRoutes.MonitorClear, (HttpContext c, string name) => h.GroupTarget(c, name, (m, n, ct) => h.Control.PseudoFailMonitorAsync(m, n, false, ct)));
        Map(app, ApiRoutes.NodeStop, (HttpContext c, string name) => h.Operation(c, ct => h.Control.StopNodeAsync(name, ct)));
        Map(app, ApiRoutes.NodeStart, (HttpContext c, string name) => h.Operation(c, ct => h.Control.StartNodeAsync(name, ct)));
        Map(app, ApiRoutes.NodeKill, (HttpContext c, string name) => h.Operation(c, ct => h.Control.KillNodeAsync(name, ct)));
        Map(app, ApiRoutes.ClusterStart, (HttpContext c) => h.Operation(c, h.Control.StartClusterAsync));
        Map(app, ApiRoutes.ClusterStop, (HttpContext c) => h.Operation(c, h.Control.StopClusterAsync));
        Map(app, ApiRoutes.ConfigPush, h.PushConfig);
        Map(app, ApiRoutes.InternalPrepare, h.Prepare);
        Map(app, ApiRoutes.InternalFinish, h.Finish);
        Map(app, ApiRoutes.InternalActions, h.Actions);
        Map(app, ApiRoutes.InternalConfig, h.RunningConfig);
        MapMirrors(app, h);
        Map(app, ApiRoutes.SessionSignOut, sessions.SignOutAsync);
        Map(app, ApiRoutes.Events, (HttpContext c) => WebUi.EventStream.ServeAsync(c, h.Control, sessions.Store, c.Items[WebUi.WebUiSessions.CookieName] as string, app.Lifetime.ApplicationStopping));
        OperationsRoutes.Map(app, h.Control, app.Lifetime.ApplicationStopping);
        app.MapFallback((HttpContext c) => WriteError(c, 404, ErrorCodes.NotFound, "no such route; the API's routes start with /v1/"));
    }

    /// <summary>Maps one route of the contract (<see cref="ApiRoutes"/>), its method and pattern as the contract says.</summary>
    internal static RouteHandlerBuilder Map(IEndpointRouteBuilder app, ApiRoute route, Delegate handler)
        => app.MapMethods(route.Pattern, [route.Method], handler);

    internal static Task WriteError(HttpContext ctx, int status, string code, string message)
        => WriteJson(ctx, status, new ApiError(code, message));

    internal static Task WriteJson<T>(HttpContext ctx, int status, T value)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json; charset=utf-8";
        return JsonSerializer.SerializeAsync(ctx.Response.Body, value, ApiJson.Options, ctx.RequestAborted);
    }

    // ------------------------------------------------------------------ handlers

    sealed partial class Handlers(IClusterControl control, ILogger log, CancellationToken stopping)
    {
        public IClusterControl Control { get; } = control;

        // Operations run on the server's lifetime, not the request's: a client that hangs up must not cut a
        // group start or a config commit in half.
        CancellationToken Ct => stopping;

        public Task Status(HttpContext c) => WriteJson(c, 200, Control.GetStatus());

        public async Task Alerts(HttpContext c)
        {
            var query = AlertQueryReader.Read(c.Request.Query, out var error);
            if (query == null) { await WriteError(c, 400, ErrorCodes.BadRequest, error!); return; }
            await WriteJson(c, 200, Control.GetAlerts(query));
        }

        public async Task GroupTarget(HttpContext c, string name, Func<string, string?, CancellationToken, Task<OperationResult>> op)
        {
            var (body, error) = await ReadBody<GroupTargetBody>(c, allowEmpty: true);
            if (error != null) { await WriteError(c, 400, ErrorCodes.BadRequest, error); return; }
            var node = body?.Node;
            if (node != null && node.Length == 0) { await WriteError(c, 400, ErrorCodes.BadRequest, "node is empty; leave it out to let the group's policy choose"); return; }
            await Answer(c, await op(name, node, Ct));
        }

        public async Task Operation(HttpContext c, Func<CancellationToken, Task<OperationResult>> op)
        {
            var (_, error) = await ReadBody<EmptyBody>(c, allowEmpty: true);
            if (error != null) { await WriteError(c, 400, ErrorCodes.BadRequest, error); return; }
            await Answer(c, await op(Ct));
        }

        public async Task PushConfig(HttpContext c)
        {
            var (body, error) = await ReadBody<ConfigPushBody>(c, allowEmpty: false);
            if (error != null) { await WriteError(c, 400, ErrorCodes.BadRequest, error); return; }
            if (!body!.DryRun && c.Items[typeof(ApiCaller)] is ApiCaller.ReadOnly)
            {
                await WriteError(c, 403, ApiAuthorization.ReadOnlyRefusal.Code, ApiAuthorization.ReadOnlyRefusal.Message);
                return;
            }
            var result = await Control.PushConfigAsync(body!.Yaml, body.DryRun, Ct) ?? throw new InvalidOperationException("PushConfigAsync returned null");
            await WriteJson(c, result.DryRun || result.Applied ? 200 : 409, result);
        }

        public async Task Prepare(HttpContext c)
        {
            var (body, error) = await ReadBody<ConfigPrepareBody>(c, allowEmpty: false);
            if (error != null) { await WriteError(c, 400, ErrorCodes.BadRequest, error); return; }
            var refusal = await Control.PrepareConfigAsync(body!.Yaml, body.Generation, Ct);
            await WriteJson(c, refusal == null ? 200 : 409, new ConfigPrepareAnswer(refusal == null, refusal));
        }

        public async Task Finish(HttpContext c)
        {
            var (body, error) = await ReadBody<ConfigFinishBody>(c, allowEmpty: false);
            if (error != null) { await WriteError(c, 400, ErrorCodes.BadRequest, error); return; }
            await Answer(c, await Control.FinishConfigAsync(body!.Generation, body.Commit, Ct));
        }

        public Task RunningConfig(HttpContext c)
            => Control is IRunningConfigSource source
                ? WriteJson(c, 200, source.GetRunningConfig())
                : WriteError(c, 404, ErrorCodes.NotFound, "this node does not hand out its running config");

        public async Task Actions(HttpContext c)
        {
            var (body, error) = await ReadBody<List<PlanAction>>(c, allowEmpty: false);
            if (error == null && body!.Any(a => a == null)) error = "the action list holds a null";
            if (error != null) { await WriteError(c, 400, ErrorCodes.BadRequest, error); return; }
            await Answer(c, await Control.RunActionsAsync(body!, Ct));
        }

        Task Answer(HttpContext c, OperationResult? r)
        {
            if (r == null) throw new InvalidOperationException("the node returned no result");
            if (r.Ok) return WriteJson(c, 200, r);
            var status = r.Code != null && r.Code.EndsWith("NotFound", StringComparison.Ordinal) ? 404 : 409;
            log.LogInformation("{Method} {Path} refused: {Code} {Message}", c.Request.Method, c.Request.Path, r.Code, r.Message);
            return WriteJson(c, status, r);
        }

        /// <summary>Reads and parses the body; any problem is a reason for a 400, never an exception.</summary>
        static async Task<(T? Value, string? Error)> ReadBody<T>(HttpContext c, bool allowEmpty) where T : class
        {
            string text;
            using (var reader = new StreamReader(c.Request.Body, new UTF8Encoding(false, throwOnInvalidBytes: true)))
            {
                try
                {
                    text = await reader.ReadToEndAsync(c.RequestAborted);
                }
                catch (DecoderFallbackException)
                {
                    return (null, "the body is not valid UTF-8");
                }
            }
            if (string.IsNullOrWhiteSpace(text))
                return allowEmpty ? (null, null) : (null, "the request needs a JSON body");
            try
            {
                var value = JsonSerializer.Deserialize<T>(text, ApiJson.Strict);
                if (value == null) return allowEmpty ? (null, null) : (null, "the body is JSON null; an object was expected");
                return (value, null);
            }
            catch (JsonException ex)
            {
                return (null, "malformed JSON: " + ex.Message);
            }
            catch (NotSupportedException ex)
            {
                return (null, "malformed JSON: " + (typeof(T) == typeof(List<PlanAction>)
                    ? $"every action needs a known \"{PlanActionKinds.Discriminator}\" ({string.Join(", ", PlanActionKinds.All.Select(k => k.Kind))})"
                    : ex.Message));
            }
            catch (ArgumentException ex)
            {
                return (null, "malformed JSON: " + ex.Message);
            }
        }
    }

    /// <summary>The body of routes that take no arguments: empty, {} or nothing else.</summary>
    sealed record EmptyBody;
}
