using System.Net;
using System.Security.Cryptography.X509Certificates;
using ExpressHa.Api;
using ExpressHa.Client;
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
public sealed class ManagementApi : IAsyncDisposable
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
        var handlers = new ApiHandlers(control, log, app.Lifetime.ApplicationStopping);
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

    /// <summary>The middleware, then the route groups: each maps its routes of the contract (<see cref="ApiRoutes"/>).</summary>
    static void Configure(WebApplication app, ApiAuthorization auth, WebUi.WebUiSessions sessions, ILogger log, ApiHandlers h)
    {
        ApiPipeline.Use(app, auth, sessions, log);
        ClusterRoutes.Map(app, h);
        ConfigRoutes.Map(app, h);
        MirrorRoutes.Map(app, h);
        OperationsRoutes.Map(app, h.Control, app.Lifetime.ApplicationStopping);
        ApiResponses.Map(app, ApiRoutes.SessionSignOut, sessions.SignOutAsync);
        ApiResponses.Map(app, ApiRoutes.Events, (HttpContext c) => WebUi.EventStream.ServeAsync(c, h.Control, sessions.Store,
            c.Items[WebUi.WebUiSessions.CookieName] as string, app.Lifetime.ApplicationStopping));
        app.MapFallback((HttpContext c) => ApiResponses.WriteError(c, 404, ErrorCodes.NotFound, "no such route; the API's routes start with /v1/"));
    }
}
