using System.Net;
using System.Text;
using System.Text.Json;
using ExpressHa.Api;
using ExpressHa.Service.Api;
using ExpressHa.Service.Runtime;
using ExpressHa.Service.Tests.Api;

namespace ExpressHa.Service.Tests.Mirror;

/// <summary>The mirror routes over HTTP: the internal ones carry a backup across nodes through PeerClient, the public
/// ones validate bodies and map refusals to status codes.</summary>
public class MirrorApiTests
{
    [Fact]
    public async Task Internal_routes_carry_a_backup_a_repair_and_an_outdate_to_the_peer()
    {
        var fake = new FakeClusterControl();
        await using var server = await ApiTestServer.StartAsync(fake: fake);
        PeerClient Connect(TimeSpan t) => new(server.Api.BaseAddress, ApiTestServer.Token, null, t, ApiTestServer.NodeCredential);
        var h = new MirrorHarness((self, peer) => new PeerMirrorNode(peer, Connect));
        fake.Local = h.Locals["server2"];

        var job = await h.Finished("server1", await h.Ops["server1"].StartBackupAsync("md1",
            new BackupRequest { Path = "/backup/md1.img", PreCommand = "quiesce", PostCommand = "thaw", CommandTimeoutSeconds = 5 }, default));
        Assert.Equal(JobStates.Succeeded, job.State);
        Assert.Equal(new[] { "cmd(quiesce)@server1", "suspend@server1", "cmd(thaw)@server1", "copyout(/backup/md1.img)@server2", "resume@server1" }, h.Log.Events);
        Assert.Equal(FakeMirrorEngine.Size, job.BytesDone);

        var statuses = await h.Ops["server1"].GetAllAsync(default);
        Assert.Equal(new[] { "server1", "server2" }, statuses.Mirrors.Select(m => m.Node));

        Assert.True((await h.Ops["server1"].RepairAsync("md1", "server1", default)).Ok);
        Assert.Equal(new[] { "repair(server1)@server1", "repair(server1)@server2" }, h.Log.Events.TakeLast(2));

        using var peer = Connect(TimeSpan.FromSeconds(5));
        Assert.True((await peer.OutdateMirrorAsync("md1")).Ok);
        Assert.Equal("outdate@server2", h.Log.Events.Last());
        var missing = await peer.OutdateMirrorAsync("md9");
        Assert.Equal(ErrorCodes.MirrorNotFound, missing.Code);

        h.Engines["server2"].Failing.Add("copyout");
        var failed = await h.Finished("server1", await h.Ops["server1"].StartBackupAsync("md1", new BackupRequest { Path = "/backup/md1.img" }, default));
        Assert.Equal(JobStates.Failed, failed.State);
        Assert.Contains("No space left on device", failed.Message);
        Assert.Equal("resume@server1", h.Log.Events.Last());
    }

    static async Task<(HttpStatusCode Status, JsonElement Body)> Send(HttpClient c, HttpMethod method, string path, string? json = null)
    {
        using var req = new HttpRequestMessage(method, path);
        if (json != null) req.Content = new StringContent(json, Encoding.UTF8, "application/json");
        using var resp = await c.SendAsync(req);
        var text = await resp.Content.ReadAsStringAsync();
        return (resp.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    [Fact]
    public async Task Public_routes_validate_bodies_and_map_refusals()
    {
        await using var server = await ApiTestServer.StartAsync();
        using var c = server.Client();

        var (status, body) = await Send(c, HttpMethod.Get, "v1/mirrors");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, body.GetProperty("mirrors").GetArrayLength());
        Assert.Equal("Primary", body.GetProperty("mirrors")[0].GetProperty("role").GetString());
        Assert.Equal(0, body.GetProperty("missingNodes").GetArrayLength());

        foreach (var bad in new[] { """{"path":"relative.img"}""", """{"path":"/x.img","bogus":1}""", "{}", """{"path":"/x.img","commandTimeoutSeconds":0}""", """{"path":"/x.img","preCommand":" "}""" })
        {
            var (s, b) = await Send(c, HttpMethod.Post, "v1/mirrors/md1/backup", bad);
            Assert.True(s == HttpStatusCode.BadRequest, bad + " -> " + s);
            Assert.Equal(ErrorCodes.BadRequest, b.GetProperty("code").GetString());
        }
        Assert.Equal(HttpStatusCode.BadRequest, (await Send(c, HttpMethod.Post, "v1/mirrors/md1/repair", "{}")).Status);

        var (rs, rb) = await Send(c, HttpMethod.Post, "v1/mirrors/md1/restore", """{"path":"/x.img"}""");
        Assert.Equal(HttpStatusCode.Conflict, rs);
        Assert.Equal("ExpressHa.GroupActive", rb.GetProperty("code").GetString());
        Assert.Contains("Stop-HaGroup failover1", rb.GetProperty("message").GetString());

        var (bs, bb) = await Send(c, HttpMethod.Post, "v1/mirrors/md1/backup", """{"path":"/x.img","preCommand":"sync"}""");
        Assert.Equal(HttpStatusCode.Accepted, bs);
        var id = bb.GetProperty("id").GetString();
        Assert.Equal("Backup", bb.GetProperty("kind").GetString());
        var (js, jb) = await Send(c, HttpMethod.Get, "v1/jobs/" + id);
        Assert.Equal(HttpStatusCode.OK, js);
        Assert.Equal(FakeClusterControl.MirrorSize, jb.GetProperty("bytesTotal").GetInt64());

        var (ns, nb) = await Send(c, HttpMethod.Get, "v1/jobs/nope");
        Assert.Equal(HttpStatusCode.NotFound, ns);
        Assert.Equal(ErrorCodes.JobNotFound, nb.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await Send(c, HttpMethod.Post, "v1/mirrors/md9/suspend")).Status);
        Assert.Equal(HttpStatusCode.OK, (await Send(c, HttpMethod.Post, "v1/mirrors/md1/suspend")).Status);
        Assert.Contains("suspend-mirror md1", server.Fake.Calls);
    }
}
