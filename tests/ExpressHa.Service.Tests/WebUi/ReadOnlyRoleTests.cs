using ExpressHa.Api;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ExpressHa.Service.Api;
using ExpressHa.Service.Tests.Api;

namespace ExpressHa.Service.Tests.WebUi;

/// <summary>The read-only token sees every operator read and changes nothing: the server refuses each changing route.</summary>
public class ReadOnlyRoleTests
{
    static string Concrete(string pattern) => pattern.TrimStart('/').Replace("{name}", "failover1").Replace("{id}", "1");

    static async Task<(int Status, string Code)> Send(ApiTestServer s, string token, string method, string path, string body = "{}")
    {
        using var c = s.Client(token, peerStyle: false);
        using var req = new HttpRequestMessage(new HttpMethod(method), path);
        if (method != "GET") req.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var resp = await c.SendAsync(req, HttpCompletionOption.ResponseHeadersRead);
        if (resp.Content.Headers.ContentType?.MediaType != "application/json") return ((int)resp.StatusCode, "");
        var text = await resp.Content.ReadAsStringAsync();
        var code = text.StartsWith('{') && JsonDocument.Parse(text).RootElement.TryGetProperty("code", out var p) ? p.GetString() ?? "" : "";
        return ((int)resp.StatusCode, code);
    }

    [Fact]
    public async Task Every_changing_operator_route_refuses_the_read_only_token_and_the_node_sees_no_call()
    {
        await using var s = await ApiTestServer.StartAsync();
        var changing = s.Api.Routes().Where(r => !ApiAuthorization.IsNodeRoute(r.Pattern) && r.Method is "POST" or "PUT" or "DELETE"
            && !(r.Method == "DELETE" && r.Pattern == "/v1/session")).ToList();
        Assert.True(changing.Count >= 20, $"only {changing.Count} changing routes found");
        foreach (var (method, pattern) in changing)
        {
            var body = pattern == "/v1/config" ? JsonSerializer.Serialize(new { yaml = FakeClusterControl.DefaultYaml, dryRun = false }) : "{}";
            var (status, code) = await Send(s, ApiTestServer.ReadOnlyToken, method, Concrete(pattern), body);
            Assert.True(status == 403 && code == ErrorCodes.ReadOnly, $"{method} {pattern} with the read-only token answered {status} {code}");
        }
        Assert.Empty(s.Fake.Calls);
    }

    [Fact]
    public async Task The_read_only_token_reads_everything_and_may_ask_for_a_dry_run()
    {
        await using var s = await ApiTestServer.StartAsync();
        foreach (var path in new[] { "v1/status", "v1/alerts", "v1/mirrors", "v1/config", "v1/session" })
            Assert.Equal(200, (await Send(s, ApiTestServer.ReadOnlyToken, "GET", path)).Status);
        var dry = JsonSerializer.Serialize(new { yaml = FakeClusterControl.DefaultYaml.Replace("startup: manual", "startup: auto"), dryRun = true });
        Assert.Equal(200, (await Send(s, ApiTestServer.ReadOnlyToken, "POST", "v1/config", dry)).Status);
        Assert.Equal(1, s.Fake.Generation);
    }

    [Fact]
    public async Task The_read_only_token_opens_no_node_to_node_route()
    {
        await using var s = await ApiTestServer.StartAsync();
        foreach (var (method, pattern) in s.Api.Routes().Where(r => ApiAuthorization.IsNodeRoute(r.Pattern)))
        {
            var (status, code) = await Send(s, ApiTestServer.ReadOnlyToken, method, Concrete(pattern) + "?group=g");
            Assert.True(status == 403 && code == ErrorCodes.Forbidden, $"{method} {pattern} answered {status} {code}");
        }
        Assert.Empty(s.Fake.Actions);
    }

    [Theory]
    [InlineData("GET", "/v1/status", true)]
    [InlineData("HEAD", "/v1/status", true)]
    [InlineData("GET", null, true)]
    [InlineData("POST", "/v1/config", true)] // the handler lets only a dry run through
    [InlineData("DELETE", "/v1/session", true)]
    [InlineData("POST", "/v1/groups/{name}/move", false)]
    [InlineData("POST", "/v1/nodes/{name}/kill", false)]
    [InlineData("POST", "/v1/mirrors/{name}/suspend", false)]
    [InlineData("DELETE", "/v1/config", false)]
    [InlineData("POST", null, false)]
    public void Read_only_rule_table(string method, string? pattern, bool allowed)
    {
        var refusal = ApiAuthorization.Refusal(ApiCaller.ReadOnly, method, pattern);
        Assert.Equal(allowed, refusal == null);
        if (!allowed) Assert.Equal(ErrorCodes.ReadOnly, refusal!.Code);
    }

    [Fact]
    public void The_three_credentials_are_told_apart()
    {
        var auth = new ApiAuthorization("operator-token-0123456789", "node-credential-0123456789", "readonly-token-0123456789");
        Assert.Equal(ApiCaller.Operator, auth.IdentifyToken("operator-token-0123456789"));
        Assert.Equal(ApiCaller.ReadOnly, auth.Identify(["Bearer readonly-token-0123456789"]));
        Assert.Equal(ApiCaller.Node, auth.IdentifyToken("node-credential-0123456789"));
        Assert.Equal(ApiCaller.None, auth.IdentifyToken("readonly-token-012345678"));
        Assert.Equal(ApiCaller.None, new ApiAuthorization("operator-token-0123456789", "", "").IdentifyToken(""));
        Assert.Throws<ArgumentException>(() => new ApiAuthorization("same-token-0123456789", "", "same-token-0123456789"));
    }
}
