using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ExpressHa.Service.Api;
using ExpressHa.Service.Security;

namespace ExpressHa.Service.Tests.Api;

/// <summary>The node-to-node routes take only the cluster credential; the operator routes only the API token.</summary>
public class NodeRouteAuthTests
{
    static string Concrete(string pattern) => pattern.TrimStart('/').Replace("{name}", "mirror1").Replace("{id}", "1");

    static async Task<(int Status, string Code)> Send(ApiTestServer s, string credential, string method, string path)
    {
        using var c = s.Client(credential, peerStyle: false);
        using var req = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST") req.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        using var resp = await c.SendAsync(req);
        var text = await resp.Content.ReadAsStringAsync();
        var code = text.StartsWith('{') ? JsonDocument.Parse(text).RootElement.TryGetProperty("code", out var p) ? p.GetString() ?? "" : "" : "";
        return ((int)resp.StatusCode, code);
    }

    [Fact]
    public async Task The_operator_token_is_refused_on_every_node_to_node_route()
    {
        await using var s = await ApiTestServer.StartAsync();
        var internalRoutes = s.Api.Routes().Where(r => ApiAuthorization.IsNodeRoute(r.Pattern)).ToList();
        Assert.True(internalRoutes.Count >= 13, $"only {internalRoutes.Count} node-to-node routes found");
        Assert.Contains(internalRoutes, r => r.Pattern == "/v1/internal/actions" && r.Method == "POST");

        foreach (var (method, pattern) in internalRoutes)
        {
            var (status, code) = await Send(s, ApiTestServer.Token, method, Concrete(pattern) + "?group=g");
            Assert.True(status == 403, $"{method} {pattern} with the API token answered {status}");
            Assert.Equal("ExpressHa.Forbidden", code);
        }
        // other spellings of a node-to-node path reach no handler with the operator's token either
        foreach (var path in new[] { "V1/INTERNAL/actions", "v1/Internal/actions/", "v1//internal/actions", "v1/internal/%61ctions" })
        {
            var (status, _) = await Send(s, ApiTestServer.Token, "POST", path);
            Assert.True(status is 403 or 404, $"POST {path} with the API token answered {status}");
        }
        Assert.Empty(s.Fake.Actions);
        Assert.Empty(s.Fake.Calls);
    }

    [Fact]
    public async Task The_cluster_credential_opens_node_to_node_routes_and_no_operator_route()
    {
        await using var s = await ApiTestServer.StartAsync();
        Assert.Equal(200, (await Send(s, ApiTestServer.NodeCredential, "GET", "v1/internal/config")).Status);
        // reaches the handler, which answers that the fake node keeps no journal
        Assert.Equal((404, "ExpressHa.NotFound"), await Send(s, ApiTestServer.NodeCredential, "GET", "v1/internal/ownership"));

        var operatorRoutes = s.Api.Routes().Where(r => !ApiAuthorization.IsNodeRoute(r.Pattern)).ToList();
        Assert.Contains(operatorRoutes, r => r.Pattern == "/v1/status");
        foreach (var (method, pattern) in operatorRoutes.Where(r => r.Method != "*"))
        {
            var (status, code) = await Send(s, ApiTestServer.NodeCredential, method, Concrete(pattern.Replace("{*path:nonfile}", "x")));
            Assert.True(status == 403, $"{method} {pattern} with the cluster credential answered {status}");
            Assert.Equal("ExpressHa.Forbidden", code);
        }
        Assert.Equal(200, (await Send(s, ApiTestServer.Token, "GET", "v1/status")).Status);
    }

    [Fact]
    public async Task A_peer_client_without_the_cluster_credential_cannot_call_node_routes()
    {
        await using var s = await ApiTestServer.StartAsync();
        using var tokenOnly = PeerClient.For("127.0.0.1", s.Api.Port, ApiTestServer.Token, null);
        var ex = await Assert.ThrowsAsync<ExpressHa.Client.HaApiException>(() => tokenOnly.GetConfigAsync());
        Assert.Equal("ExpressHa.Unauthorized", ex.Code);
        using var wrong = PeerClient.For("127.0.0.1", s.Api.Port, ApiTestServer.Token, null, clusterCredential: "not-the-cluster-credential");
        Assert.Equal(401, (await Assert.ThrowsAsync<ExpressHa.Client.HaApiException>(() => wrong.GetConfigAsync())).StatusCode);
        using var peer = PeerClient.For("127.0.0.1", s.Api.Port, ApiTestServer.Token, null, clusterCredential: ApiTestServer.NodeCredential);
        Assert.Equal(1, (await peer.GetConfigAsync()).Generation);
        Assert.Equal("fake", (await peer.GetStatusAsync()).ClusterName); // operator route: the token
    }

    [Fact]
    public void Identify_and_refusal_rules()
    {
        var auth = new ApiAuthorization("operator-token-0123456789", "node-credential-0123456789");
        Assert.Equal(ApiCaller.Operator, auth.Identify(["Bearer operator-token-0123456789"]));
        Assert.Equal(ApiCaller.Node, auth.Identify(["bearer node-credential-0123456789"]));
        Assert.Equal(ApiCaller.None, auth.Identify(["Bearer node-credential-012345678"]));
        Assert.Equal(ApiCaller.None, auth.Identify(["Basic operator-token-0123456789"]));
        Assert.Equal(ApiCaller.None, auth.Identify(["Bearer operator-token-0123456789", "Bearer operator-token-0123456789"]));
        Assert.Equal(ApiCaller.None, auth.Identify(null));
        var noNodes = new ApiAuthorization("operator-token-0123456789", "");
        Assert.Equal(ApiCaller.None, noNodes.Identify(["Bearer "]));

        Assert.Null(ApiAuthorization.Refusal(ApiCaller.Node, "POST", "/v1/internal/actions"));
        Assert.Null(ApiAuthorization.Refusal(ApiCaller.Operator, "GET", "/v1/status"));
        Assert.Null(ApiAuthorization.Refusal(ApiCaller.Operator, "GET", null)); // unmatched: the fallback answers 404
        Assert.NotNull(ApiAuthorization.Refusal(ApiCaller.Operator, "POST", "/v1/internal/actions"));
        Assert.NotNull(ApiAuthorization.Refusal(ApiCaller.Node, "POST", "/v1/groups/{name}/move"));
        Assert.NotNull(ApiAuthorization.Refusal(ApiCaller.None, "GET", "/v1/status"));
    }

    [Fact]
    public void The_credential_is_derived_from_the_cluster_key_and_is_not_the_key()
    {
        var key = ClusterKey.FromBytes(Encoding.UTF8.GetBytes("0123456789abcdef0123456789abcdef"));
        var same = ClusterKey.FromBytes(Encoding.UTF8.GetBytes("0123456789abcdef0123456789abcdef"));
        var other = ClusterKey.FromBytes(Encoding.UTF8.GetBytes("fedcba9876543210fedcba9876543210"));
        Assert.Equal(ClusterCredential.Derive(key), ClusterCredential.Derive(same));
        Assert.NotEqual(ClusterCredential.Derive(key), ClusterCredential.Derive(other));
        Assert.Equal(64, ClusterCredential.Derive(key).Length);
        Assert.NotEqual(Convert.ToHexStringLower(key.Key), ClusterCredential.Derive(key));
    }
}
