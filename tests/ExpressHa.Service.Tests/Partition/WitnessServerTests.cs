using System.Net;
using System.Text;
using ExpressHa.Service.Commands;
using ExpressHa.Service.Partition;
using ExpressHa.Service.Security;
using ExpressHa.Service.Witness;

namespace ExpressHa.Service.Tests.Partition;

/// <summary>The witness server over real loopback sockets, driven by <see cref="WitnessClient"/>.</summary>
public sealed class WitnessServerTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "ehw-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    [Fact]
    public async Task OpenCluster_PostThenGet_ReportsAges()
    {
        await using var server = await WitnessServer.StartAsync("127.0.0.1", 0, _dir);
        using var n1 = new WitnessClient(server.BaseAddress.ToString(), "c1", "n1", null);
        using var n2 = new WitnessClient(server.BaseAddress + "v1/witness/", "c1", "n2", null);

        var r1 = await n1.PostAsync(["n2"], 2000);
        Assert.True(r1.Reachable, r1.Detail);
        Assert.Contains("n1", r1.AgesMs.Keys);
        await Task.Delay(300);
        var r2 = await n2.PostAsync([], 2000);
        Assert.True(r2.Reachable, r2.Detail);
        Assert.True(r2.AgesMs["n1"] >= 250, $"n1 age {r2.AgesMs["n1"]}");
        Assert.True(r2.AgesMs["n2"] < 200, $"n2 age {r2.AgesMs["n2"]}");
        Assert.Equal(["n2"], r2.Sees["n1"]);

        var view = await n1.GetViewAsync(2000);
        Assert.True(view.Reachable, view.Detail);
        Assert.Equal(new[] { "n1", "n2" }, view.AgesMs.Keys.Order());
        Assert.Equal(new[] { "n2" }, view.SeenWithin(200));
        Assert.Equal(new[] { "n1", "n2" }, view.SeenWithin(5000).Order());

        // Clusters are separate.
        using var other = new WitnessClient(server.BaseAddress.ToString(), "c2", "n1", null);
        var none = await other.GetViewAsync(2000);
        Assert.False(none.Reachable);
        Assert.Contains("404", none.Detail);
    }

    [Fact]
    public async Task KeyFileExists_UnsignedAndWrongKeyRefused_SignedAccepted()
    {
        Directory.CreateDirectory(_dir);
        var keyFile = Path.Combine(_dir, "prod.key");
        ClusterKey.Create(keyFile);
        var key = ClusterKey.Load(keyFile);
        await using var server = await WitnessServer.StartAsync("127.0.0.1", 0, _dir);

        using var unsigned = new WitnessClient(server.BaseAddress.ToString(), "prod", "n1", null);
        var r = await unsigned.PostAsync([], 2000);
        Assert.False(r.Reachable);
        Assert.Contains("401", r.Detail);

        using var wrong = new WitnessClient(server.BaseAddress.ToString(), "prod", "n1", ClusterKey.FromBytes(Encoding.UTF8.GetBytes("another cluster's key material")));
        Assert.Contains("401", (await wrong.PostAsync([], 2000)).Detail);

        // Nothing was recorded by the refused posts.
        using var http = new HttpClient();
        var get = await http.GetAsync(new Uri(server.BaseAddress, "v1/witness/prod"));
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);

        using var good = new WitnessClient(server.BaseAddress.ToString(), "prod", "n1", key);
        var ok = await good.PostAsync([], 2000);
        Assert.True(ok.Reachable, ok.Detail);
        Assert.True((await good.PostAsync([], 2000)).Reachable, "a second signed post (newer timestamp)");

        // A replay of a signed request (same timestamp and signature) is refused.
        var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 10_000;
        async Task<HttpStatusCode> Raw(long timestamp)
        {
            using var req = new HttpRequestMessage(HttpMethod.Post, new Uri(server.BaseAddress, "v1/witness/prod/n2")) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
            req.Headers.Add(WitnessProtocol.TimestampHeader, timestamp.ToString());
            req.Headers.Add(WitnessProtocol.SignatureHeader, WitnessProtocol.Sign(key, "prod", "n2", timestamp));
            return (await http.SendAsync(req)).StatusCode;
        }
        Assert.Equal(HttpStatusCode.OK, await Raw(ts));
        Assert.Equal(HttpStatusCode.Unauthorized, await Raw(ts));
        Assert.Equal(HttpStatusCode.Unauthorized, await Raw(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 3_600_000));

        // The signature binds the node: n1's signature does not authenticate n3.
        using (var req = new HttpRequestMessage(HttpMethod.Post, new Uri(server.BaseAddress, "v1/witness/prod/n3")))
        {
            var t = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            req.Headers.Add(WitnessProtocol.TimestampHeader, t.ToString());
            req.Headers.Add(WitnessProtocol.SignatureHeader, WitnessProtocol.Sign(key, "prod", "n1", t));
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(req)).StatusCode);
        }

        // An open cluster on the same witness needs no key.
        using var open = new WitnessClient(server.BaseAddress.ToString(), "lab", "n1", null);
        Assert.True((await open.PostAsync([], 2000)).Reachable);
    }

    [Fact]
    public async Task StateSurvivesRestart_AgesKeepGrowing()
    {
        var server = await WitnessServer.StartAsync("127.0.0.1", 0, _dir);
        using (var n1 = new WitnessClient(server.BaseAddress.ToString(), "c1", "n1", null))
            Assert.True((await n1.PostAsync(["n2"], 2000)).Reachable);
        await server.DisposeAsync();
        Assert.True(File.Exists(Path.Combine(_dir, "c1.state.json")));

        await Task.Delay(400);
        await using var again = await WitnessServer.StartAsync("127.0.0.1", 0, _dir);
        using var reader = new WitnessClient(again.BaseAddress.ToString(), "c1", "n2", null);
        var view = await reader.GetViewAsync(2000);
        Assert.True(view.Reachable, view.Detail);
        Assert.True(view.AgesMs["n1"] >= 350, $"n1 age {view.AgesMs["n1"]} after the restart");
        Assert.Equal(["n2"], view.Sees["n1"]);
    }

    [Fact]
    public async Task BadNamesAndBodies_Refused()
    {
        await using var server = await WitnessServer.StartAsync("127.0.0.1", 0, _dir);
        using var http = new HttpClient();
        var bad = await http.PostAsync(new Uri(server.BaseAddress, "v1/witness/c1/..evil"), new StringContent(""));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var json = await http.PostAsync(new Uri(server.BaseAddress, "v1/witness/c1/n1"), new StringContent("not json", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);
        var empty = await http.PostAsync(new Uri(server.BaseAddress, "v1/witness/c1/n1"), null);
        Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
    }

    [Fact]
    public async Task WitnessDown_ClientReportsUnreachable_WithinTimeout()
    {
        int port;
        await using (var server = await WitnessServer.StartAsync("127.0.0.1", 0, _dir)) port = server.Port;
        using var client = new WitnessClient($"http://127.0.0.1:{port}", "c1", "n1", null);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var r = await client.PostAsync([], 1000);
        Assert.False(r.Reachable);
        Assert.Contains("unreachable", r.Detail);
        Assert.True(sw.ElapsedMilliseconds < 2000);

        // An address that accepts nothing within the timeout: a listener whose backlog is never accepted still
        // completes TCP, so use a server that never answers HTTP.
        using var silent = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        using var slow = new WitnessClient($"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}", "c1", "n1", null);
        sw.Restart();
        var t = await slow.PostAsync([], 500);
        Assert.False(t.Reachable);
        Assert.Contains("within 500 ms", t.Detail);
        Assert.True(sw.ElapsedMilliseconds < 1500, $"took {sw.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void ListenParsing()
    {
        Assert.True(WitnessCommand.TryParseListen("0.0.0.0:8080", out var a, out var p) && a == "0.0.0.0" && p == 8080);
        Assert.True(WitnessCommand.TryParseListen("[::]:9", out a, out p) && a == "::" && p == 9);
        Assert.False(WitnessCommand.TryParseListen("8080", out _, out _));
        Assert.False(WitnessCommand.TryParseListen(":::80", out _, out _));
        Assert.False(WitnessCommand.TryParseListen("1.2.3.4:99999", out _, out _));
    }

    [Fact]
    public async Task EndToEnd_TwoNodesInterconnectBroken_WitnessPicksPreferred()
    {
        await using var server = await WitnessServer.StartAsync("127.0.0.1", 0, _dir);
        using var n1 = new WitnessClient(server.BaseAddress.ToString(), "c1", "n1", null);
        using var n2 = new WitnessClient(server.BaseAddress.ToString(), "c1", "n2", null);
        await n1.PostAsync([], 2000);
        await n2.PostAsync([], 2000);
        var nodes = new List<ExpressHa.Config.NodeConfig> { new() { Name = "n1", Priority = 0 }, new() { Name = "n2", Priority = 1 } };
        var settings = new ExpressHa.Config.PartitionResolutionSettings { Http = new ExpressHa.Config.HttpResolution { Url = server.BaseAddress.ToString() } };
        PartitionVerdict DecideFor(string self, WitnessResult w) => PartitionDecision.Decide(new PartitionInputs
        {
            Settings = settings, Self = self, Nodes = nodes, VisiblePeers = [], Witness = w, WitnessSeenWithinMs = 1500,
        });
        Assert.Equal(PartitionOutcome.Survive, DecideFor("n1", await n1.PostAsync([], 2000)).Outcome);
        Assert.Equal(PartitionOutcome.Stop, DecideFor("n2", await n2.PostAsync([], 2000)).Outcome);

        // The witness goes away: both stop.
        await server.StopAsync();
        Assert.Equal(PartitionOutcome.Stop, DecideFor("n1", await n1.PostAsync([], 500)).Outcome);
    }
}
