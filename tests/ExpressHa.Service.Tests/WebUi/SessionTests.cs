using ExpressHa.Api;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ExpressHa.Service.Api;
using ExpressHa.Service.Tests.Api;
using ExpressHa.Service.WebUi;

namespace ExpressHa.Service.Tests.WebUi;

/// <summary>Web UI sign-in: the token is posted once and becomes a server-side session in an HttpOnly, SameSite=Strict
/// cookie; a session's changing calls need the same-origin proof.</summary>
public class SessionTests
{
    static HttpClient Browser(ApiTestServer s) => new(new HttpClientHandler { UseCookies = false }) { BaseAddress = s.Api.BaseAddress, Timeout = TimeSpan.FromSeconds(20) };

    static async Task<(HttpResponseMessage Response, string? Cookie)> SignIn(ApiTestServer s, string token, string? origin = null)
    {
        using var c = Browser(s);
        using var req = new HttpRequestMessage(HttpMethod.Post, "v1/session") { Content = new StringContent(JsonSerializer.Serialize(new { token }), Encoding.UTF8, "application/json") };
        if (origin != null) req.Headers.Add("Origin", origin);
        var resp = await c.SendAsync(req);
        var setCookie = resp.Headers.TryGetValues("Set-Cookie", out var v) ? v.Single() : null;
        return (resp, setCookie);
    }

    static string Origin(ApiTestServer s) => s.Api.BaseAddress.GetLeftPart(UriPartial.Authority);

    static async Task<HttpResponseMessage> WithCookie(ApiTestServer s, string cookie, HttpMethod method, string path, bool proof = true, string? origin = null)
    {
        using var c = Browser(s);
        var req = new HttpRequestMessage(method, path);
        req.Headers.Add("Cookie", cookie.Split(';')[0]);
        if (method != HttpMethod.Get) req.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        if (proof) req.Headers.Add(SameOrigin.HeaderName, SameOrigin.HeaderValue);
        if (origin != null) req.Headers.Add("Origin", origin);
        return await c.SendAsync(req);
    }

    [Fact]
    public async Task The_token_becomes_an_HttpOnly_SameSite_Strict_session_that_opens_the_API()
    {
        await using var s = await ApiTestServer.StartAsync();
        var (resp, cookie) = await SignIn(s, ApiTestServer.Token, Origin(s));
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        Assert.Contains("\"role\":\"admin\"", await resp.Content.ReadAsStringAsync());
        Assert.NotNull(cookie);
        Assert.StartsWith(WebUiSessions.CookieName + "=", cookie);
        Assert.Contains("httponly", cookie!.ToLowerInvariant());
        Assert.Contains("samesite=strict", cookie.ToLowerInvariant());
        Assert.Contains("path=/", cookie.ToLowerInvariant());
        Assert.DoesNotContain(ApiTestServer.Token, cookie);

        Assert.Equal(HttpStatusCode.OK, (await WithCookie(s, cookie, HttpMethod.Get, "v1/status")).StatusCode);
        var who = await (await WithCookie(s, cookie, HttpMethod.Get, "v1/session")).Content.ReadAsStringAsync();
        Assert.Contains("\"role\":\"admin\"", who);
        Assert.Contains("\"node\":\"server1\"", who);
        var move = await WithCookie(s, cookie, HttpMethod.Post, "v1/groups/failover1/move", origin: Origin(s));
        Assert.Equal(HttpStatusCode.OK, move.StatusCode);
        Assert.Contains(s.Fake.Calls, call => call.StartsWith("move failover1", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.OK, (await WithCookie(s, cookie, HttpMethod.Delete, "v1/session")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await WithCookie(s, cookie, HttpMethod.Get, "v1/status")).StatusCode);
        Assert.Contains("\"role\":\"none\"", await (await WithCookie(s, cookie, HttpMethod.Get, "v1/session")).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Over_HTTPS_the_page_is_served_with_the_nodes_certificate_and_the_cookie_is_Secure()
    {
        await using var s = await ApiTestServer.StartAsync(tls: true);
        Assert.Equal("https", s.Api.BaseAddress.Scheme);
        using var c = s.Client(null); // accepts only the node's own certificate (pinned fingerprint)
        var page = await c.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<script type=\"module\" src=\"/ui/app.js\">", await page.Content.ReadAsStringAsync());
        var signIn = await c.PostAsync("v1/session", new StringContent(JsonSerializer.Serialize(new { token = ApiTestServer.Token }), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single().ToLowerInvariant();
        Assert.Contains("secure", cookie);
        Assert.Contains("httponly", cookie);
    }

    [Fact]
    public async Task A_session_change_without_the_same_origin_proof_is_refused()
    {
        await using var s = await ApiTestServer.StartAsync();
        var (_, cookie) = await SignIn(s, ApiTestServer.Token);
        var noHeader = await WithCookie(s, cookie!, HttpMethod.Post, "v1/groups/failover1/stop", proof: false);
        Assert.Equal(HttpStatusCode.Forbidden, noHeader.StatusCode);
        Assert.Contains(ErrorCodes.CrossSiteRequest, await noHeader.Content.ReadAsStringAsync());
        var otherSite = await WithCookie(s, cookie!, HttpMethod.Post, "v1/groups/failover1/stop", origin: "https://evil.example");
        Assert.Equal(HttpStatusCode.Forbidden, otherSite.StatusCode);
        Assert.Empty(s.Fake.Calls);
        // reads need no proof
        Assert.Equal(HttpStatusCode.OK, (await WithCookie(s, cookie!, HttpMethod.Get, "v1/status", proof: false)).StatusCode);
    }

    [Fact]
    public async Task Wrong_tokens_foreign_origins_and_the_node_credential_get_no_session()
    {
        await using var s = await ApiTestServer.StartAsync();
        foreach (var token in new[] { "wrong-token-0123456789abcdef", ApiTestServer.NodeCredential, "" })
        {
            var (resp, cookie) = await SignIn(s, token);
            Assert.Equal(HttpStatusCode.Unauthorized, resp.StatusCode);
            Assert.Null(cookie);
        }
        var (foreign, foreignCookie) = await SignIn(s, ApiTestServer.Token, "https://evil.example");
        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Null(foreignCookie);

        using var c = Browser(s);
        var bad = await c.PostAsync("v1/session", new StringContent("{\"token\":\"x\",\"extra\":1}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await WithCookie(s, "expressha_session=forged", HttpMethod.Get, "v1/status")).StatusCode);
    }

    [Fact]
    public async Task A_read_only_session_is_refused_changes_like_its_token()
    {
        await using var s = await ApiTestServer.StartAsync();
        var (resp, cookie) = await SignIn(s, ApiTestServer.ReadOnlyToken);
        Assert.Contains("\"role\":\"readOnly\"", await resp.Content.ReadAsStringAsync());
        var move = await WithCookie(s, cookie!, HttpMethod.Post, "v1/groups/failover1/move");
        Assert.Equal(HttpStatusCode.Forbidden, move.StatusCode);
        Assert.Contains(ErrorCodes.ReadOnly, await move.Content.ReadAsStringAsync());
        Assert.Empty(s.Fake.Calls);
    }

    sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void Sessions_end_when_idle_too_long_or_past_their_lifetime()
    {
        var time = new ManualTime();
        var store = new SessionStore(TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), time);
        var a = store.Create(ApiCaller.Operator);
        var b = store.Create(ApiCaller.ReadOnly);
        Assert.NotEqual(a, b);
        time.Now += TimeSpan.FromMinutes(20);
        Assert.Equal(ApiCaller.Operator, store.Use(a));
        time.Now += TimeSpan.FromMinutes(20);
        Assert.Equal(ApiCaller.Operator, store.Use(a)); // used 20 min ago
        Assert.Equal(ApiCaller.None, store.Use(b));     // idle 40 min
        for (var i = 0; i < 5; i++) { time.Now += TimeSpan.FromMinutes(25); store.Use(a); }
        Assert.Equal(ApiCaller.None, store.Use(a));     // past 2 h although never idle
        Assert.Throws<ArgumentException>(() => store.Create(ApiCaller.Node));
    }

    [Fact]
    public void The_session_table_is_bounded()
    {
        var store = new SessionStore(TimeSpan.FromMinutes(30), TimeSpan.FromHours(2));
        for (var i = 0; i < SessionStore.MaxSessions + 50; i++) store.Create(ApiCaller.ReadOnly);
        Assert.True(store.Count <= SessionStore.MaxSessions, $"{store.Count} sessions kept");
    }

    [Theory]
    [InlineData("webui", true, null, null, true)]
    [InlineData("webui", true, "http://127.0.0.1:5000", "same-origin", true)]
    [InlineData(null, true, null, null, false)]
    [InlineData("other", true, null, null, false)]
    [InlineData("webui", true, "http://127.0.0.1:5001", null, false)]
    [InlineData("webui", true, null, "cross-site", false)]
    [InlineData(null, false, "null", null, false)]
    [InlineData(null, false, null, "none", true)]
    public void Same_origin_rule_table(string? header, bool required, string? origin, string? fetchSite, bool allowed)
        => Assert.Equal(allowed, SameOrigin.Refusal(header, required, origin, fetchSite, "http://127.0.0.1:5000") == null);
}
