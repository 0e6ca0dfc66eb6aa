using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ExpressHa.Service.Api;
using ExpressHa.Service.Security;
using Xunit.Abstractions;

namespace ExpressHa.Service.Tests.Integration;

/// <summary>The management API of a running node, called with a raw HttpClient: no or a wrong token gets 401 and
/// nothing else; malformed bodies get 400 with a reason; the node keeps running and its group is untouched.</summary>
[Trait("Category", TestCategory.Process)]
[Collection(IntegrationCollection.Name)]
public sealed class ApiSecurityTests(ITestOutputHelper output)
{
    static HttpClient Raw(TestCluster t, string node, string? authorization)
    {
        var http = new HttpClient(new HttpClientHandler { UseProxy = false, AllowAutoRedirect = false })
        {
            BaseAddress = t.C.ApiOf(node),
            Timeout = TimeSpan.FromSeconds(10),
        };
        if (authorization != null) http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        return http;
    }

    static HttpRequestMessage Request(string method, string path, string? json = null, byte[]? raw = null)
    {
        var req = new HttpRequestMessage(new HttpMethod(method), path);
        if (json != null) req.Content = new StringContent(json, Encoding.UTF8, "application/json");
        if (raw != null) req.Content = new ByteArrayContent(raw) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
        return req;
    }

    [Fact]
    public async Task Unauthenticated_Or_WrongToken_Gets401_WithNoDetail_AndChangesNothing()
    {
        using var t = new TestCluster(output);
        await t.Run(async () =>
        {
            await t.StartAll();
            Assert.Equal("server1", await t.WaitForStartAsync());
            var generation = TestCluster.Group(await t.StatusAsync("server1")).Generation;

            var callers = new (string What, string? Header)[]
            {
                ("no token", null),
                ("wrong token", "Bearer " + new string('0', t.C.Token.Length)),
                ("token with one character changed", "Bearer " + t.C.Token[..^1] + (t.C.Token[^1] == 'a' ? 'b' : 'a')),
                ("right token, wrong scheme", "Basic " + t.C.Token),
                ("empty bearer", "Bearer "),
            };
            var requests = new (string Method, string Path, string? Body)[]
            {
                ("GET", "/v1/status", null),
                ("GET", "/v1/alerts", null),
                ("GET", "/v1/no/such/route", null),
                ("POST", "/v1/groups/web/move", "{\"node\":\"server2\"}"),
                ("POST", "/v1/groups/web/stop", "{}"),
                ("POST", "/v1/cluster/stop", "{}"),
                ("POST", "/v1/monitors/appw/fail", "{}"),
                ("POST", "/v1/monitors/appw/clear", "{}"),
                ("POST", "/v1/nodes/server1/stop", "{}"),
                ("POST", "/v1/nodes/server1/start", "{}"),
                ("POST", "/v1/nodes/server1/kill", "{}"),
                ("POST", "/v1/config", "{\"yaml\":\"x\"}"),
                ("POST", "/v1/internal/actions", "[]"),
                ("GET", "/v1/internal/config", null),
            };
            foreach (var (what, header) in callers)
            {
                using var http = Raw(t, "server1", header);
                foreach (var (method, path, body) in requests)
                {
                    using var resp = await http.SendAsync(Request(method, path, body));
                    var text = await resp.Content.ReadAsStringAsync();
                    Assert.True(resp.StatusCode == HttpStatusCode.Unauthorized, $"{what}: {method} {path} answered {(int)resp.StatusCode}: {text}");
                    Assert.Contains(resp.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
                    using var doc = JsonDocument.Parse(text);
                    Assert.Equal("ExpressHa.Unauthorized", doc.RootElement.GetProperty("code").GetString());
                    Assert.Equal("authentication required", doc.RootElement.GetProperty("message").GetString());
                    foreach (var secret in new[] { "server1", "server2", "web", "demo", "127.0.", t.C.Token })
                        Assert.DoesNotContain(secret, text);
                }
            }

            // The operator's token does not open the node-to-node routes: a step sent with it is refused, not run.
            using (var withToken = Raw(t, "server1", "Bearer " + t.C.Token))
            {
                var stop = "[{\"kind\":\"stopResource\",\"node\":\"server1\",\"group\":\"web\",\"resource\":\"app\"}]";
                foreach (var (method, path, body) in new[] { ("POST", "/v1/internal/actions", stop), ("GET", "/v1/internal/config", null),
                             ("GET", "/v1/internal/ownership", null), ("GET", "/v1/internal/support/bundle", null), ("GET", "/v1/internal/mirrors", null) })
                {
                    using var resp = await withToken.SendAsync(Request(method, path, body));
                    Assert.True(resp.StatusCode == HttpStatusCode.Forbidden, $"{method} {path} with the API token answered {(int)resp.StatusCode}");
                }
            }

            // Nothing of the above happened.
            foreach (var node in t.NodeNames)
            {
                var s = await t.StatusAsync(node);
                Assert.Equal("running", s.ServiceState);
                Assert.Equal(("online", "server1", generation), (TestCluster.Group(s).State, TestCluster.Group(s).Owner, TestCluster.Group(s).Generation));
            }
            Assert.Equal("server1", await t.AppAnswer("server1"));
        });
    }

    [Fact]
    public async Task MalformedBodies_Get400WithAReason_AndTheNodeKeepsRunning()
    {
        using var t = new TestCluster(output);
        await t.Run(async () =>
        {
            await t.StartAll();
            Assert.Equal("server1", await t.WaitForStartAsync());
            var generation = TestCluster.Group(await t.StatusAsync("server1")).Generation;

            var cases = new (string Method, string Path, string? Json, byte[]? Raw, string Reason)[]
            {
                ("POST", "/v1/groups/web/move", "{", null, "malformed JSON"),
                ("POST", "/v1/groups/web/move", "{\"node\": 42}", null, "malformed JSON"),
                ("POST", "/v1/groups/web/move", "{\"node\": \"\"}", null, "node is empty"),
                ("POST", "/v1/groups/web/move", "[\"server2\"]", null, "malformed JSON"),
                ("POST", "/v1/groups/web/move", "{\"node\": \"server2\", \"force\": true}", null, ""),
                ("POST", "/v1/groups/web/start", "\"server2\"", null, "malformed JSON"),
                ("POST", "/v1/groups/web/stop", "{\"now\": 1}", null, ""),
                ("POST", "/v1/nodes/server1/suspend", "nonsense", null, "malformed JSON"),
                ("POST", "/v1/cluster/stop", "[1,2,3]", null, "malformed JSON"),
                ("POST", "/v1/config", "", null, "needs a JSON body"),
                ("POST", "/v1/config", "null", null, "JSON null"),
                ("POST", "/v1/config", "{\"dryRun\": true}", null, ""),
                ("POST", "/v1/config", "{\"yaml\": 7}", null, "malformed JSON"),
                ("POST", "/v1/config", "{\"yaml\": \"a\", \"dryRun\": \"yes\"}", null, "malformed JSON"),
                ("POST", "/v1/config", null, new byte[] { (byte)'{', (byte)'"', 0xff, 0xfe, (byte)'"', (byte)'}' }, "UTF-8"),
                ("POST", "/v1/config", new string('[', 5000) + new string(']', 5000), null, "malformed JSON"),
                ("POST", "/v1/internal/config/prepare", "{\"yaml\": \"x\"}", null, ""),
                ("POST", "/v1/internal/config/finish", "{\"generation\": \"two\", \"commit\": true}", null, "malformed JSON"),
                ("POST", "/v1/internal/actions", "[{\"kind\": \"explode\", \"node\": \"server1\"}]", null, ""),
                ("POST", "/v1/internal/actions", "[null]", null, "null"),
                ("POST", "/v1/internal/actions", "{}", null, "malformed JSON"),
                ("GET", "/v1/alerts?last=-1", null, null, "last must be"),
                ("GET", "/v1/alerts?minLevel=panic", null, null, "minLevel"),
                ("GET", "/v1/alerts?since=yesterday", null, null, "since"),
                ("GET", "/v1/alerts?bogus=1", null, null, "unknown query parameter"),
            };
            using var http = Raw(t, "server1", "Bearer " + t.C.Token);
            using var peer = Raw(t, "server1", "Bearer " + ClusterCredential.Derive(ClusterKey.Load(t.C.KeyFile)));
            var failures = new List<string>();
            foreach (var (method, path, json, raw, reason) in cases)
            {
                using var resp = await (ApiAuthorization.IsNodeRoute(path) ? peer : http).SendAsync(Request(method, path, json, raw));
                var text = await resp.Content.ReadAsStringAsync();
                var shown = json is { Length: > 60 } ? json[..60] + "..." : json ?? (raw != null ? "(bytes)" : "");
                output.WriteLine($"{method} {path} {shown} -> {(int)resp.StatusCode} {text}");
                if (resp.StatusCode != HttpStatusCode.BadRequest) { failures.Add($"{method} {path} {shown}: {(int)resp.StatusCode} {text}"); continue; }
                using var doc = JsonDocument.Parse(text);
                var message = doc.RootElement.GetProperty("message").GetString() ?? "";
                if (doc.RootElement.GetProperty("code").GetString() != "ExpressHa.BadRequest" || message.Length < 5 || !message.Contains(reason, StringComparison.OrdinalIgnoreCase))
                    failures.Add($"{method} {path} {shown}: the reason '{message}' does not say '{reason}'");
            }

            // A body over the limit is refused as too large, not read into memory.
            // (Expect: 100-continue, so the client waits for the answer instead of sending into a closed connection.)
            var bigRequest = Request("POST", "/v1/config", "{\"yaml\": \"" + new string('a', 5 * 1024 * 1024) + "\"}");
            bigRequest.Headers.ExpectContinue = true;
            using (var big = await http.SendAsync(bigRequest))
                if (big.StatusCode != HttpStatusCode.RequestEntityTooLarge) failures.Add($"5 MB body: {(int)big.StatusCode}");

            Assert.True(failures.Count == 0, "requests not answered with 400 and a reason:\n  " + string.Join("\n  ", failures));

            Assert.True(t.C.IsRunning("server1"), "server1 exited");
            foreach (var node in t.NodeNames)
            {
                var s = await t.StatusAsync(node);
                Assert.Equal(1, s.ConfigGeneration);
                Assert.Equal(("online", "server1", generation), (TestCluster.Group(s).State, TestCluster.Group(s).Owner, TestCluster.Group(s).Generation));
                Assert.All(s.Nodes, n => Assert.Equal("online", n.State));
            }
            Assert.Equal("server1", await t.AppAnswer("server1"));
            Assert.DoesNotContain("Unhandled exception", t.NodeLog("server1"));
        });
    }
}
