using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ExpressHa.Api;
using ExpressHa.Service.Tests.Api;

namespace ExpressHa.Service.Tests.WebUi;

/// <summary>GET /v1/events: the status at once, then a new status only when the node's notice comes with a real
/// change, and each alert as it is raised.</summary>
public class EventStreamTests
{
    sealed class SseReader(Stream stream)
    {
        readonly StreamReader _reader = new(stream, Encoding.UTF8);

        /// <summary>The next event (name, data); comments and retry lines are skipped.</summary>
        public async Task<(string Event, string Data)> NextAsync(TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            string name = "message", data = "";
            while (true)
            {
                var line = await _reader.ReadLineAsync(cts.Token) ?? throw new EndOfStreamException("the stream ended");
                if (line.Length == 0) { if (data.Length > 0) return (name, data); name = "message"; continue; }
                if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line[7..];
                else if (line.StartsWith("data: ", StringComparison.Ordinal)) data += line[6..];
            }
        }
    }

    static async Task<(HttpClient Client, HttpResponseMessage Response, SseReader Reader)> Open(ApiTestServer s, string token)
    {
        var c = s.Client(token, peerStyle: false);
        c.Timeout = Timeout.InfiniteTimeSpan;
        var resp = await c.GetAsync("v1/events", HttpCompletionOption.ResponseHeadersRead);
        return (c, resp, new SseReader(await resp.Content.ReadAsStreamAsync()));
    }

    static string OwnerOf(string statusJson, string group)
        => JsonDocument.Parse(statusJson).RootElement.GetProperty("groups").EnumerateArray().First(g => g.GetProperty("name").GetString() == group).GetProperty("owner").GetString() ?? "";

    [Fact]
    public async Task Status_first_then_only_real_changes_then_alerts()
    {
        await using var s = await ApiTestServer.StartAsync(fake: new FakeClusterControl { TransitionMs = 0 });
        var (client, resp, sse) = await Open(s, ApiTestServer.ReadOnlyToken);
        using var _ = client;
        using var __ = resp;
        Assert.Equal("text/event-stream", resp.Content.Headers.ContentType?.MediaType);
        var first = await sse.NextAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("status", first.Event);
        Assert.Equal("server1", OwnerOf(first.Data, "failover1"));
        Assert.DoesNotContain("lastSeenMs\":4", first.Data); // path ages are left out: they change every heartbeat

        // a notice without a change sends nothing; the alert that follows is the next event
        s.Fake.Events.StatusChanged();
        await Task.Delay(200);
        s.Fake.Events.AlertRaised(new AlertEntry { Time = "2026-01-01T00:00:00.000Z", Node = "server1", Level = "warning", Module = "rm", EventId = 7, Message = "hello" });
        var alert = await sse.NextAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("alert", alert.Event);
        Assert.Contains("\"message\":\"hello\"", alert.Data);

        using var admin = s.Client();
        (await admin.PostAsync("v1/groups/failover1/move", new StringContent("{\"node\":\"server2\"}", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        s.Fake.Events.StatusChanged();
        var moved = await sse.NextAsync(TimeSpan.FromSeconds(5));
        for (var i = 0; i < 10 && moved.Event == "status" && OwnerOf(moved.Data, "failover1") != "server2"; i++)
        {
            s.Fake.Events.StatusChanged();
            moved = await sse.NextAsync(TimeSpan.FromSeconds(5));
        }
        Assert.Equal("status", moved.Event);
        Assert.Equal("server2", OwnerOf(moved.Data, "failover1"));
    }

    [Fact]
    public async Task Mirrors_come_as_their_own_event_while_the_config_has_mirrors_and_again_when_they_change()
    {
        await using var s = await ApiTestServer.StartAsync(fake: new FakeClusterControl { ReportMirrorResource = true });
        var (client, resp, sse) = await Open(s, ApiTestServer.Token);
        using var _ = client;
        using var __ = resp;
        Assert.Equal("status", (await sse.NextAsync(TimeSpan.FromSeconds(5))).Event);
        var first = await sse.NextAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("mirrors", first.Event);
        Assert.Contains("\"connection\":\"connected\"", first.Data, StringComparison.OrdinalIgnoreCase);

        using var admin = s.Client();
        (await admin.PostAsync("v1/mirrors/md1/suspend", new StringContent("{}", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        // the node's heartbeats raise notices all the time; mirrors are read again at most once a second
        using var stop = new CancellationTokenSource();
        var pulses = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested) { s.Fake.Events.StatusChanged(); await Task.Delay(200); }
        });
        var next = await sse.NextAsync(TimeSpan.FromSeconds(10));
        stop.Cancel();
        await pulses;
        Assert.Equal("mirrors", next.Event);
        Assert.Contains("\"connection\":\"Suspended\"", next.Data);
    }

    [Fact]
    public async Task The_stream_needs_a_credential_and_ends_its_subscription_with_the_client()
    {
        await using var s = await ApiTestServer.StartAsync();
        using (var anonymous = s.Client(null))
            Assert.Equal(401, (int)(await anonymous.GetAsync("v1/events")).StatusCode);
        var (client, resp, sse) = await Open(s, ApiTestServer.Token);
        await sse.NextAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, s.Fake.Events.SubscriberCount);
        resp.Dispose();
        client.Dispose();
        for (var i = 0; i < 50 && s.Fake.Events.SubscriberCount > 0; i++)
        {
            s.Fake.Events.AlertRaised(new AlertEntry { Message = "wake" }); // the next write notices the client is gone
            await Task.Delay(100);
        }
        Assert.Equal(0, s.Fake.Events.SubscriberCount);
    }
}
