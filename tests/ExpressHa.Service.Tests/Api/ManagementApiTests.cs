using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using ExpressHa.Api;
using ExpressHa.Client;
using ExpressHa.Service.Api;
using ExpressHa.Policy;

namespace ExpressHa.Service.Tests.Api;

public class ManagementApiTests
{
    static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    static async Task<(int Status, JsonElement Body, string Text)> Send(HttpClient c, HttpMethod m, string path, string? body = null)
    {
        using var req = new HttpRequestMessage(m, path);
        if (body != null) req.Content = Json(body);
        using var resp = await c.SendAsync(req);
        var text = await resp.Content.ReadAsStringAsync();
        JsonElement el = default;
        if (text.Length > 0) el = JsonDocument.Parse(text).RootElement.Clone();
        return ((int)resp.StatusCode, el, text);
    }

    [Fact]
    public async Task Requests_without_or_with_a_wrong_token_get_401_and_learn_nothing()
    {
        await using var s = await ApiTestServer.StartAsync();
        foreach (var token in new[] { null, "", "wrong", ApiTestServer.Token + "x", ApiTestServer.Token[..^1] })
        {
            using var c = s.Client(token);
            foreach (var (m, path) in new[] { (HttpMethod.Get, "v1/status"), (HttpMethod.Post, "v1/groups/failover1/move"), (HttpMethod.Get, "no/such/route"),
                         (HttpMethod.Post, "v1/internal/actions") })
            {
                var (status, body, text) = await Send(c, m, path, m == HttpMethod.Post ? "{}" : null);
                Assert.Equal(401, status);
                Assert.Equal("ExpressHa.Unauthorized", body.GetProperty("code").GetString());
                Assert.DoesNotContain("failover1", text);
                Assert.DoesNotContain("fake", text);
            }
        }
        // another scheme, or the token twice
        using var raw = s.Client(null);
        using var basic = new HttpRequestMessage(HttpMethod.Get, "v1/status");
        basic.Headers.TryAddWithoutValidation("Authorization", "Basic " + ApiTestServer.Token);
        Assert.Equal(HttpStatusCode.Unauthorized, (await raw.SendAsync(basic)).StatusCode);
        using var twice = new HttpRequestMessage(HttpMethod.Get, "v1/status");
        twice.Headers.TryAddWithoutValidation("Authorization", new[] { "Bearer " + ApiTestServer.Token, "Bearer " + ApiTestServer.Token });
        Assert.Equal(HttpStatusCode.Unauthorized, (await raw.SendAsync(twice)).StatusCode);
        Assert.DoesNotContain("move failover1", s.Fake.Calls);
    }

    [Fact]
    public async Task Status_and_alerts_are_camel_case_json()
    {
        await using var s = await ApiTestServer.StartAsync();
        using var c = s.Client();
        var (status, body, _) = await Send(c, HttpMethod.Get, "v1/status");
        Assert.Equal(200, status);
        Assert.Equal("fake", body.GetProperty("clusterName").GetString());
        Assert.Equal("server1", body.GetProperty("groups")[0].GetProperty("owner").GetString());

        var (a, alerts, _) = await Send(c, HttpMethod.Get, "v1/alerts?minLevel=warning&module=nm&since=2025-01-01T00:00:00Z&last=5");
        Assert.Equal(200, a);
        Assert.Equal(1, alerts.GetArrayLength());
        Assert.Equal(102, alerts[0].GetProperty("eventId").GetInt32());
        Assert.Equal(new AlertQuery("warning", "nm", DateTimeOffset.Parse("2025-01-01T00:00:00Z"), 5), s.Fake.LastAlertQuery);

        foreach (var bad in new[] { "minLevel=debug", "last=0", "last=-1", "last=x", "since=yesterday", "bogus=1", "last=1&last=2" })
            Assert.Equal(400, (await Send(c, HttpMethod.Get, "v1/alerts?" + bad)).Status);
    }

    [Fact]
    public async Task Operations_map_results_to_status_codes()
    {
        await using var s = await ApiTestServer.StartAsync();
        using var c = s.Client();
        var refused = await Send(c, HttpMethod.Post, "v1/groups/failover1/start", "{}");
        Assert.Equal(409, refused.Status);
        Assert.Equal("ExpressHa.GroupAlreadyOnline", refused.Body.GetProperty("code").GetString());

        var ok = await Send(c, HttpMethod.Post, "v1/groups/failover1/move", """{"node":"server2"}""");
        Assert.Equal(200, ok.Status);
        Assert.True(ok.Body.GetProperty("ok").GetBoolean());
        Assert.Contains("move failover1 server2", s.Fake.Calls);

        var missing = await Send(c, HttpMethod.Post, "v1/groups/nope/stop");
        Assert.Equal(404, missing.Status);
        Assert.Equal("ExpressHa.GroupNotFound", missing.Body.GetProperty("code").GetString());
        Assert.Equal(404, (await Send(c, HttpMethod.Post, "v1/groups/failover1/start", """{"node":"server9"}""")).Status);
        Assert.Equal(404, (await Send(c, HttpMethod.Post, "v1/monitors/nope/suspend", "")).Status);


        foreach (var path in new[] { "v1/nodes/server2/suspend", "v1/nodes/server2/resume", "v1/monitors/userw/suspend", "v1/monitors/userw/resume",
                     "v1/cluster/start", "v1/cluster/stop" })
            Assert.Equal(200, (await Send(c, HttpMethod.Post, path)).Status);
        Assert.Contains("suspend-node server2", s.Fake.Calls);
        Assert.Contains("stop-cluster", s.Fake.Calls);
    }

    [Fact]
    public async Task Exceptions_are_a_generic_500_and_the_server_keeps_answering()
    {
        await using var s = await ApiTestServer.StartAsync();
        using var c = s.Client();
        var r = await Send(c, HttpMethod.Post, "v1/groups/boom/stop");
        Assert.Equal(500, r.Status);
        Assert.Equal("ExpressHa.InternalError", r.Body.GetProperty("code").GetString());
        Assert.DoesNotContain("secret", r.Text);
        Assert.DoesNotContain("api.token", r.Text);
        Assert.Equal(200, (await Send(c, HttpMethod.Get, "v1/status")).Status);
    }

    [Theory]
    [InlineData("v1/groups/failover1/move", "{")]
    [InlineData("v1/groups/failover1/move", "{\"node\": 5}")]
    [InlineData("v1/groups/failover1/move", "{\"nodes\": \"server2\"}")]
    [InlineData("v1/groups/failover1/move", "[]")]
    [InlineData("v1/groups/failover1/move", "\"server2\"")]
    [InlineData("v1/groups/failover1/move", "{\"node\": \"\"}")]
    [InlineData("v1/groups/failover1/stop", "{\"force\": true}")]
    [InlineData("v1/config", "")]
    [InlineData("v1/config", "null")]
    [InlineData("v1/config", "{\"dryRun\": true}")]
    [InlineData("v1/config", "{\"yaml\": null}")]
    [InlineData("v1/config", "{\"yaml\": \"x\", \"dryRun\": \"yes\"}")]
    [InlineData("v1/internal/config/prepare", "{\"yaml\": \"x\"}")]
    [InlineData("v1/internal/config/finish", "{\"generation\": \"two\", \"commit\": true}")]
    [InlineData("v1/internal/actions", "{}")]
    [InlineData("v1/internal/actions", "[{\"node\":\"server1\"}]")]
    [InlineData("v1/internal/actions", "[{\"kind\":\"launchMissiles\",\"node\":\"server1\"}]")]
    [InlineData("v1/internal/actions", "[{\"kind\":\"startResource\",\"node\":\"server1\"}]")]
    [InlineData("v1/internal/actions", "[{\"kind\":\"setGroupState\",\"node\":\"s\",\"group\":\"g\",\"state\":\"exploded\",\"owner\":null}]")]
    [InlineData("v1/internal/actions", "[{\"kind\":\"setGroupState\",\"node\":\"s\",\"group\":\"g\",\"state\":7,\"owner\":null}]")]
    [InlineData("v1/internal/actions", "[null]")]
    public async Task Malformed_bodies_are_400_with_a_reason(string path, string body)
    {
        await using var s = await ApiTestServer.StartAsync();
        using var c = s.Client();
        var r = await Send(c, HttpMethod.Post, path, body);
        Assert.True(r.Status == 400, $"{path} {body}: {r.Status} {r.Text}");
        Assert.Equal("ExpressHa.BadRequest", r.Body.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(r.Body.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task Fuzzed_bodies_and_paths_never_get_a_500()
    {
        await using var s = await ApiTestServer.StartAsync();
        using var c = s.Client();
        using var anon = s.Client(null);
        var rng = new Random(20250131);
        string[] paths =
        [
            "v1/status", "v1/alerts", "v1/config", "v1/groups/failover1/start", "v1/groups/failover1/stop", "v1/groups/failover1/move",
            "v1/nodes/server1/suspend", "v1/monitors/userw/resume", "v1/cluster/start", "v1/internal/config/prepare",
            "v1/internal/config/finish", "v1/internal/actions", "v1/internal/config",
        ];
        string[] fragments =
        [
            "{", "}", "[", "]", ",", ":", "\"", "\\", "null", "true", "1e999", "-0", "\"kind\"", "\"startResource\"", "\"node\"", "\"yaml\"",
            "\"generation\"", "\"commit\"", "\"dryRun\"", "\u0000", "\uFFFF", "😀", "\ud800", " ", "\n", "\"state\":\"online\"", "{\"kind\":\"raiseAlert\"",
        ];
        string RandomBody()
        {
            var sb = new StringBuilder();
            var n = rng.Next(0, 12);
            for (int i = 0; i < n; i++) sb.Append(fragments[rng.Next(fragments.Length)]);
            return sb.ToString();
        }
        string RandomPath()
        {
            var p = paths[rng.Next(paths.Length)];
            return rng.Next(4) switch
            {
                0 => p,
                1 => p + "/" + Uri.EscapeDataString(RandomBody()),
                2 => p.Replace("failover1", Uri.EscapeDataString(RandomBody())).Replace("server1", "%2F..%2F"),
                _ => p + "?" + Uri.EscapeDataString(RandomBody()) + "=" + Uri.EscapeDataString(RandomBody()),
            };
        }
        for (int i = 0; i < 400; i++)
        {
            var path = RandomPath();
            var method = rng.Next(5) == 0 ? HttpMethod.Put : rng.Next(3) == 0 ? HttpMethod.Get : HttpMethod.Post;
            using var req = new HttpRequestMessage(method, path);
            if (method != HttpMethod.Get || rng.Next(2) == 0)
            {
                var bytes = rng.Next(6) == 0 ? RandomBytes(rng) : Encoding.UTF8.GetBytes(RandomBody());
                req.Content = new ByteArrayContent(bytes);
                req.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(rng.Next(2) == 0 ? "application/json" : "text/plain");
            }
            using var resp = await (rng.Next(10) == 0 ? anon : c).SendAsync(req);
            Assert.True((int)resp.StatusCode < 500, $"{method} {path}: {(int)resp.StatusCode} {await resp.Content.ReadAsStringAsync()}");
        }
        Assert.Equal(200, (await Send(c, HttpMethod.Get, "v1/status")).Status);
    }

    static byte[] RandomBytes(Random rng)
    {
        var b = new byte[rng.Next(1, 64)];
        rng.NextBytes(b);
        return b;
    }

    [Fact]
    public async Task Oversized_bodies_are_refused_without_a_crash()
    {
        var fake = new FakeClusterControl();
        var dir = Directory.CreateTempSubdirectory("expressha-api-").FullName;
        await using var api = await ManagementApi.StartAsync(new ApiOptions { Port = 0, Token = ApiTestServer.Token, Tls = false, StateDir = dir, MaxBodyBytes = 1024 }, fake);
        using var c = new HttpClient { BaseAddress = api.BaseAddress };
        c.DefaultRequestHeaders.Authorization = new("Bearer", ApiTestServer.Token);
        using var resp = await c.PostAsync("v1/config", Json("{\"yaml\":\"" + new string('a', 5000) + "\"}"));
        Assert.Equal(413, (int)resp.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync("v1/status")).StatusCode);
    }

    [Fact]
    public async Task Config_push_dry_run_returns_the_diff_and_refusals_are_409()
    {
        await using var s = await ApiTestServer.StartAsync();
        using var c = s.Client();
        var yaml = FakeClusterControl.DefaultYaml.Replace("intervalSeconds: 10", "intervalSeconds: 20");
        var dry = await Send(c, HttpMethod.Post, "v1/config", JsonSerializer.Serialize(new { yaml, dryRun = true }));
        Assert.Equal(200, dry.Status);
        Assert.Equal("monitor/userw", dry.Body.GetProperty("diff").GetProperty("changed")[0].GetString());
        Assert.False(dry.Body.GetProperty("applied").GetBoolean());
        Assert.DoesNotContain("push", s.Fake.Calls);

        s.Fake.RefusePushWith = "disk full";
        var refused = await Send(c, HttpMethod.Post, "v1/config", JsonSerializer.Serialize(new { yaml }));
        Assert.Equal(409, refused.Status);
        Assert.Equal("disk full", refused.Body.GetProperty("refusals")[0].GetProperty("reasons")[0].GetString());

        s.Fake.RefusePushWith = null;
        var applied = await Send(c, HttpMethod.Post, "v1/config", JsonSerializer.Serialize(new { yaml }));
        Assert.Equal(200, applied.Status);
        Assert.Equal(2, applied.Body.GetProperty("generation").GetInt64());
    }

    [Fact]
    public async Task Plain_http_is_refused_on_a_non_loopback_address()
    {
        var fake = new FakeClusterControl();
        foreach (var address in new[] { "0.0.0.0", "::", "10.1.2.3", "192.0.2.1" })
        {
            var ex = await Assert.ThrowsAsync<ApiConfigurationException>(() =>
                ManagementApi.StartAsync(new ApiOptions { BindAddress = address, Port = 0, Token = ApiTestServer.Token, Tls = false, StateDir = "/nonexistent" }, fake));
            Assert.Contains("loopback", ex.Message);
        }
        await Assert.ThrowsAsync<ApiConfigurationException>(() =>
            ManagementApi.StartAsync(new ApiOptions { Port = 0, Token = "", Tls = false }, fake));
        await Assert.ThrowsAsync<ApiConfigurationException>(() =>
            ManagementApi.StartAsync(new ApiOptions { BindAddress = "not-an-ip", Port = 0, Token = ApiTestServer.Token, Tls = false }, fake));
    }

    [Fact]
    public async Task Tls_certificate_is_generated_once_and_its_fingerprint_is_what_clients_see()
    {
        var dir = Directory.CreateTempSubdirectory("expressha-api-").FullName;
        Assert.Null(ApiCertificate.ReadFingerprint(dir));
        string first;
        await using (var s = await ApiTestServer.StartAsync(tls: true, stateDir: dir))
        {
            Assert.Equal("https", s.Api.BaseAddress.Scheme);
            first = s.Api.CertificateFingerprint!;
            Assert.Matches("^[0-9A-F]{64}$", first);
            Assert.Equal(first, ApiCertificate.ReadFingerprint(dir));
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ApiCertificate.PathIn(dir)));

            string? seen = null;
            using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, cert, _, _) => { seen = CertificateFingerprint.Compute(cert!); return true; } };
            using var raw = new HttpClient(handler) { BaseAddress = s.Api.BaseAddress };
            raw.DefaultRequestHeaders.Authorization = new("Bearer", ApiTestServer.Token);
            Assert.Equal(HttpStatusCode.OK, (await raw.GetAsync("v1/status")).StatusCode);
            Assert.Equal(first, seen);

            // the typed client pins it
            using var pinned = new HaApiClient(s.Api.BaseAddress, ApiTestServer.Token, first.ToLowerInvariant());
            Assert.Equal("fake", (await pinned.GetStatusAsync()).ClusterName);

            using var unpinned = new HaApiClient(s.Api.BaseAddress, ApiTestServer.Token, null);
            var ex = await Assert.ThrowsAsync<HaApiException>(() => unpinned.GetStatusAsync());
            Assert.Equal(ErrorCodes.CertificateNotTrusted, ex.Code);
            Assert.Equal(first, ex.ServerFingerprint);
            Assert.Contains(first, ex.Message);

            using var wrong = new HaApiClient(s.Api.BaseAddress, ApiTestServer.Token, new string('A', 64));
            var mismatch = await Assert.ThrowsAsync<HaApiException>(() => wrong.GetStatusAsync());
            Assert.Equal(ErrorCodes.CertificateMismatch, mismatch.Code);
            Assert.DoesNotContain("status", s.Fake.Calls.Skip(2));
        }
        await using (var again = await ApiTestServer.StartAsync(tls: true, stateDir: dir))
            Assert.Equal(first, again.Api.CertificateFingerprint);
        Assert.Equal(first, ApiCertificate.GetOrCreateFingerprint(dir));
    }

    [Fact]
    public void Typed_client_refuses_plain_http_to_a_non_loopback_host()
    {
        var ex = Assert.Throws<HaApiException>(() => new HaApiClient(new Uri("http://10.0.0.1:29003/"), "t", null));
        Assert.Equal(ErrorCodes.InsecureEndpoint, ex.Code);
        Assert.Throws<ArgumentException>(() => new HaApiClient(new Uri("http://127.0.0.1:29003/"), "t", new string('A', 64)));
        Assert.Throws<ArgumentException>(() => new HaApiClient(new Uri("https://127.0.0.1:29003/"), "t", "not-a-fingerprint"));
    }

    [Fact]
    public async Task Typed_client_covers_every_operator_route()
    {
        await using var s = await ApiTestServer.StartAsync();
        using var c = new HaApiClient(s.Api.BaseAddress, ApiTestServer.Token, null);
        Assert.Equal("server1", (await c.GetStatusAsync()).ReportingNode);
        Assert.Single(await c.GetAlertsAsync("error"));
        Assert.Equal(2, (await c.GetAlertsAsync(last: 2)).Count);
        Assert.True((await c.StartGroupAsync("failover2", "server1")).Ok);
        Assert.True((await c.MoveGroupAsync("failover1")).Ok);
        await c.SuspendNodeAsync("server2");
        await c.ResumeNodeAsync("server2");
        await c.SuspendMonitorAsync("userw");
        await c.ResumeMonitorAsync("userw");
        await c.StartClusterAsync();
        await c.StopClusterAsync();
        var nf = await Assert.ThrowsAsync<HaApiException>(() => c.StopGroupAsync("nope"));
        Assert.Equal(404, nf.StatusCode);
        Assert.Equal("ExpressHa.GroupNotFound", nf.Code);
        Assert.Contains("nope", nf.Message);
        var conflict = await Assert.ThrowsAsync<HaApiException>(() => c.MoveGroupAsync("failover1", "server1"));
        Assert.Equal(409, conflict.StatusCode);

        var invalid = await c.PushConfigAsync("apiVersion: expressha/v1\nnodes: 5\n", dryRun: true);
        Assert.NotEmpty(invalid.Errors);
        s.Fake.RefusePushWith = "no";
        var refused = await c.PushConfigAsync(FakeClusterControl.DefaultYaml.Replace("server2, server1", "server1, server2"), dryRun: false);
        Assert.False(refused.Applied);
        Assert.Equal("server2", refused.Refusals[0].Node);
        Assert.Equal(new[] { "group/failover2" }, refused.Diff.Changed);

        using var bad = new HaApiClient(s.Api.BaseAddress, "wrong-token", null);
        var unauth = await Assert.ThrowsAsync<HaApiException>(() => bad.GetStatusAsync());
        Assert.Equal(401, unauth.StatusCode);
        Assert.Equal(ErrorCodes.Unauthorized, unauth.Code);

        var port = s.Api.Port;
        await s.Api.StopAsync();
        var down = await Assert.ThrowsAsync<HaApiException>(() => c.GetStatusAsync());
        Assert.Equal(ErrorCodes.ConnectionFailed, down.Code);
    }

    [Fact]
    public async Task Peer_client_carries_plan_actions_polymorphically_and_runs_the_two_phases()
    {
        await using var s = await ApiTestServer.StartAsync(tls: true);
        using var peer = PeerClient.For("127.0.0.1", s.Api.Port, ApiTestServer.Token, s.Api.CertificateFingerprint, clusterCredential: ApiTestServer.NodeCredential);
        PlanAction[] actions =
        [
            new StartResource("server1", "failover1", "app"),
            new StopResource("server1", "failover1", "app"),
            new SetGroupState("server1", "failover1", GroupState.Online, "server1"),
            new SetGroupState("server1", "failover1", GroupState.Offline, null),
            new WaitForNodeDown("server1", "server2"),
            new FenceNode("server1", "server2", "lost"),
            new RunFinalAction("server1", "stopService", "threshold"),
            new RecordCounter("server1", "group failover1", "failovers", 2),
            new RaiseAlert("server1", "error", "rc", 30, "Activating app resource has failed.(1 : \"x\")"),
        ];
        var r = await peer.RunActionsAsync(actions);
        Assert.True(r.Ok, r.Message);
        Assert.Equal(actions, s.Fake.Actions.ToArray());

        var wire = JsonSerializer.Serialize<List<PlanAction>>([actions[2]], ApiJson.Options);
        Assert.Contains("\"kind\":\"setGroupState\"", wire);
        Assert.Contains("\"state\":\"online\"", wire);

        Assert.Null(await peer.PrepareConfigAsync("yaml", 5));
        var refusal = await peer.PrepareConfigAsync("yaml", 1);
        Assert.Equal("server1", refusal!.Node);
        Assert.True((await peer.FinishConfigAsync(5, commit: true)).Ok);
        Assert.Contains("finish 5 commit", s.Fake.Calls);
        var (yaml, gen) = await peer.GetConfigAsync();
        Assert.Equal(1, gen);
        Assert.Contains("failover1", yaml);
        Assert.Equal("fake", (await peer.GetStatusAsync()).ClusterName);

        // refusals come back as results, not exceptions, so they can be forwarded as they are
        var nf = await peer.MoveGroupAsync("nope", null);
        Assert.False(nf.Ok);
        Assert.Equal("ExpressHa.GroupNotFound", nf.Code);

        using var wrongPin = PeerClient.For("127.0.0.1", s.Api.Port, ApiTestServer.Token, new string('0', 64));
        var ex = await Assert.ThrowsAsync<HaApiException>(() => wrongPin.GetStatusAsync());
        Assert.Equal(ErrorCodes.CertificateMismatch, ex.Code);
        Assert.Equal(s.Api.CertificateFingerprint, ex.ServerFingerprint);

        using var unpinned = new PeerClient(s.Api.BaseAddress, ApiTestServer.Token, null);
        Assert.Equal(ErrorCodes.CertificateNotTrusted, (await Assert.ThrowsAsync<HaApiException>(() => unpinned.GetStatusAsync())).Code);
        using var wrongToken = PeerClient.For("127.0.0.1", s.Api.Port, "nope-nope", s.Api.CertificateFingerprint);
        Assert.Equal(401, (await Assert.ThrowsAsync<HaApiException>(() => wrongToken.GetStatusAsync())).StatusCode);
        using var clear = PeerClient.For("10.9.9.9", 1, ApiTestServer.Token, null);
        Assert.Equal(ErrorCodes.InsecureEndpoint, (await Assert.ThrowsAsync<HaApiException>(() => clear.GetStatusAsync())).Code);
    }

    [Fact]
    public void Every_concrete_plan_action_has_a_wire_kind()
    {
        var registered = PlanActionKinds.All.Select(k => k.Type).ToHashSet();
        var missing = typeof(PlanAction).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(PlanAction).IsAssignableFrom(t) && !registered.Contains(t))
            .Select(t => t.Name).ToList();
        Assert.True(missing.Count == 0, "add to PlanActionKinds.All: " + string.Join(", ", missing));
        Assert.Equal(PlanActionKinds.All.Count, PlanActionKinds.All.Select(k => k.Kind).Distinct().Count());
    }

    [Fact]
    public async Task A_taken_port_is_an_error_at_start()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        await Assert.ThrowsAnyAsync<IOException>(() =>
            ManagementApi.StartAsync(new ApiOptions { Port = port, Token = ApiTestServer.Token, Tls = false }, new FakeClusterControl()));
    }

    [Fact]
    public async Task Drill_routes_reach_the_node_and_bad_input_is_refused()
    {
        await using var s = await ApiTestServer.StartAsync();
        using var c = new HaApiClient(s.Api.BaseAddress, ApiTestServer.Token, null);
        Assert.True((await c.FailMonitorAsync("userw", "server2")).Ok);
        Assert.True((await c.ClearMonitorAsync("userw")).Ok);
        Assert.True((await c.StopNodeAsync("server2")).Ok);
        Assert.True((await c.StartNodeAsync("server2")).Ok);
        Assert.True((await c.KillNodeAsync("server2")).Ok);
        Assert.Equal(new[] { "fail-monitor userw server2", "clear-monitor userw", "stop-node server2", "start-node server2", "kill-node server2" },
            s.Fake.Calls.Where(x => x.Contains("monitor userw") || x.EndsWith("-node server2") && !x.StartsWith("suspend") && !x.StartsWith("resume")));

        var missing = await Assert.ThrowsAsync<HaApiException>(() => c.FailMonitorAsync("nope"));
        Assert.Equal((404, "ExpressHa.MonitorNotFound"), (missing.StatusCode, missing.Code));
        var node = await Assert.ThrowsAsync<HaApiException>(() => c.KillNodeAsync("server9"));
        Assert.Equal(404, node.StatusCode);

        using var http = new HttpClient { BaseAddress = s.Api.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ApiTestServer.Token);
        using var bad = await http.PostAsync("v1/monitors/userw/fail", new StringContent("{\"node\":5}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(400, (int)bad.StatusCode);
        using var unknown = await http.PostAsync("v1/nodes/server2/stop", new StringContent("{\"force\":true}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(400, (int)unknown.StatusCode);
    }
}
