using ExpressHa.Api;
using System.Text;
using System.Text.Json;
using ExpressHa.Service.Api;
using Microsoft.AspNetCore.Http;

namespace ExpressHa.Service.WebUi;

/// <summary>Sign-in and sign-out of the web UI. The page posts the token once (POST /v1/session {"token"}) and gets an
/// HttpOnly, SameSite=Strict cookie naming a server-side session (<see cref="SessionStore"/>); the token itself is
/// never stored in the browser nor sent in a URL. GET /v1/session says who is signed in (role "none" when nobody is,
/// so the page can ask before signing in); DELETE /v1/session ends it.</summary>
public sealed class WebUiSessions(SessionStore store, ApiAuthorization auth, bool secureCookie, Func<(string Node, string Cluster)> where)
{
    public const string CookieName = "expressha_session";
    /// <summary>The session route (GET who am I, POST sign in, DELETE sign out) as the contract names it.</summary>
    public static readonly string Route = ExpressHa.Api.ApiRoutes.SessionSignOut.Pattern;
    const int MaxSignInBody = 4096;
    /// <summary>A refused sign-in waits this long, so the page cannot be used to guess tokens quickly.</summary>
    public static readonly TimeSpan RefusalDelay = TimeSpan.FromMilliseconds(300);

    public SessionStore Store => store;

    public static bool IsSignIn(HttpRequest r)
        => HttpMethods.IsPost(r.Method) && IsRoute(r);

    public static bool IsWhoAmI(HttpRequest r)
        => HttpMethods.IsGet(r.Method) && IsRoute(r);

    static bool IsRoute(HttpRequest r) => string.Equals(r.Path.Value?.TrimEnd('/'), Route, StringComparison.OrdinalIgnoreCase);

    /// <summary>GET /v1/session: the role of the request's bearer token or session cookie and, when signed in, the
    /// node and cluster; role "none" and nothing else otherwise.</summary>
    public Task WhoAmIAsync(HttpContext c)
    {
        if (AlertQueryReader.Check(c.Request.Query, []) is { } error) return ApiResponses.WriteError(c, 400, ErrorCodes.BadRequest, error);
        var role = c.Request.Headers.Authorization.Count > 0 ? auth.Identify(c.Request.Headers.Authorization) : FromCookie(c.Request).Role;
        c.Response.Headers.CacheControl = "no-store";
        if (role is not (ApiCaller.Operator or ApiCaller.ReadOnly)) return ApiResponses.WriteJson(c, 200, new SessionInfo("none"));
        var (node, cluster) = where();
        return ApiResponses.WriteJson(c, 200, new SessionInfo(RoleName(role), node, cluster));
    }

    /// <summary>The role of the request's session cookie (None without one) and the session id.</summary>
    public (ApiCaller Role, string? Id) FromCookie(HttpRequest r)
    {
        var id = r.Cookies[CookieName];
        return (store.Use(id), id);
    }

    public static string Self(HttpRequest r) => r.Scheme + "://" + r.Host.Value;

    public async Task SignInAsync(HttpContext c)
    {
        var refusal = SameOrigin.Refusal(null, headerRequired: false, c.Request.Headers.Origin.FirstOrDefault(), c.Request.Headers["Sec-Fetch-Site"].FirstOrDefault(), Self(c.Request));
        if (refusal != null) { await ApiResponses.WriteError(c, 403, ErrorCodes.CrossSiteRequest, refusal); return; }
        string? token = null;
        string? error = null;
        if (c.Request.ContentLength > MaxSignInBody) error = "the sign-in body is too large";
        else
        {
            try
            {
                using var reader = new StreamReader(c.Request.Body, new UTF8Encoding(false, true));
                var text = await reader.ReadToEndAsync(c.RequestAborted);
                if (text.Length > MaxSignInBody) error = "the sign-in body is too large";
                else
                {
                    using var doc = JsonDocument.Parse(text);
                    if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("token", out var t) || t.ValueKind != JsonValueKind.String
                        || doc.RootElement.EnumerateObject().Count() != 1)
                        error = "the body must be {\"token\": \"...\"} and nothing else";
                    else token = t.GetString();
                }
            }
            catch (Exception e) when (e is JsonException or DecoderFallbackException) { error = "malformed JSON: " + e.Message; }
        }
        if (error != null) { await ApiResponses.WriteError(c, 400, ErrorCodes.BadRequest, error); return; }

        var role = auth.IdentifyToken(token?.Trim());
        if (role is not (ApiCaller.Operator or ApiCaller.ReadOnly))
        {
            await Task.Delay(RefusalDelay, c.RequestAborted);
            await ApiResponses.WriteError(c, 401, ErrorCodes.Unauthorized, "the token was not accepted: give the API token (cluster.security.apiTokenFile) or the read-only token (cluster.security.readOnlyTokenFile)");
            return;
        }
        var id = store.Create(role);
        c.Response.Cookies.Append(CookieName, id, new CookieOptions
        {
            HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = secureCookie, Path = "/", IsEssential = true,
        });
        c.Response.Headers.CacheControl = "no-store";
        await ApiResponses.WriteJson(c, 200, new SessionInfo(RoleName(role)));
    }

    public Task SignOutAsync(HttpContext c)
    {
        store.End(c.Request.Cookies[CookieName]);
        c.Response.Cookies.Delete(CookieName, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = secureCookie, Path = "/" });
        return ApiResponses.WriteJson(c, 200, new SessionInfo("none"));
    }

    public static string RoleName(ApiCaller role) => role switch
    {
        ApiCaller.Operator => "admin",
        ApiCaller.ReadOnly => "readOnly",
        ApiCaller.Node => "node",
        _ => "none",
    };
}

/// <summary>GET/POST/DELETE /v1/session: the caller's role (admin, readOnly or none) and, for GET, where it is.</summary>
public sealed record SessionInfo(string Role, string? Node = null, string? ClusterName = null);
