using System.Text;
using System.Text.Json;
using ExpressHa.Api;
using ExpressHa.Service.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace ExpressHa.Service.WebUi;

/// <summary>GET /v1/events: server-sent events for the web UI. "status" (the GET /v1/status answer, without the
/// per-path ages) whenever the node's view differs from the one last sent, "mirrors" (the GET /v1/mirrors answer)
/// likewise, at most once a second, and "alert" for each of this node's new alerts. Driven by the node's change notices
/// (<see cref="ClusterEvents"/>), not by a timer; a comment line every <see cref="KeepAlive"/> keeps proxies from
/// closing an idle stream, and a web UI session that ends (sign-out, expiry) ends its stream with "signedOut".</summary>
public static class EventStream
{
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);
    /// <summary>Notices that arrive together are answered once.</summary>
    static readonly TimeSpan Coalesce = TimeSpan.FromMilliseconds(40);
    static readonly TimeSpan MirrorInterval = TimeSpan.FromSeconds(1);

    public static async Task ServeAsync(HttpContext c, IClusterControl control, SessionStore sessions, string? sessionId, CancellationToken stopping)
    {
        if (AlertQueryReader.Check(c.Request.Query, []) is { } error) { await ApiResponses.WriteError(c, 400, ErrorCodes.BadRequest, error); return; }
        if (control is not IClusterEventSource source) { await ApiResponses.WriteError(c, 404, ErrorCodes.NotFound, "this node has no event stream"); return; }
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(c.RequestAborted, stopping);
        var ct = linked.Token;
        using var subscription = source.Events.Subscribe();

        c.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        c.Response.StatusCode = 200;
        c.Response.ContentType = "text/event-stream; charset=utf-8";
        c.Response.Headers.CacheControl = "no-store";
        c.Response.Headers["X-Accel-Buffering"] = "no";

        string? lastStatus = null, lastMirrors = null;
        var lastMirrorRead = DateTimeOffset.MinValue;
        try
        {
            await Write(c, "retry: 1000\n\n", ct);
            (lastStatus, _) = await SendStatus(c, control, lastStatus, ct);
            var hasMirrors = HasMirrors(control.GetStatus());
            if (hasMirrors) { lastMirrors = await SendMirrors(c, control, lastMirrors, ct); lastMirrorRead = DateTimeOffset.UtcNow; }
            while (!ct.IsCancellationRequested)
            {
                bool ready;
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    wait.CancelAfter(KeepAlive);
                    try { ready = await subscription.Reader.WaitToReadAsync(wait.Token); }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested) { ready = false; await Write(c, ": keep-alive\n\n", ct); }
                }
                if (sessionId != null && !sessions.IsLive(sessionId)) { await Write(c, "event: signedOut\ndata: {}\n\n", ct); return; }
                if (!ready) continue;
                await Task.Delay(Coalesce, ct);
                var statusChanged = false;
                var alerts = new List<AlertEntry>();
                while (subscription.Reader.TryRead(out var e))
                    if (e.Alert != null) alerts.Add(e.Alert); else statusChanged = true;
                foreach (var a in alerts) await Write(c, "event: alert\ndata: " + JsonSerializer.Serialize(a, ApiJson.Options) + "\n\n", ct);
                if (statusChanged || alerts.Count > 0)
                {
                    ClusterStatus status;
                    (lastStatus, status) = await SendStatus(c, control, lastStatus, ct);
                    hasMirrors = HasMirrors(status);
                }
                if (hasMirrors && DateTimeOffset.UtcNow - lastMirrorRead >= MirrorInterval)
                {
                    lastMirrors = await SendMirrors(c, control, lastMirrors, ct);
                    lastMirrorRead = DateTimeOffset.UtcNow;
                }
            }
        }
        catch (OperationCanceledException) { }
        catch (IOException) { } // the browser went away mid-write
    }

    static bool HasMirrors(ClusterStatus s) => s.Groups.Any(g => g.Resources.Any(r => r.Type == "mirror"));

    /// <summary>Sends the status when it differs from the last one sent (path ages left out: they change every heartbeat).</summary>
    static async Task<(string Sent, ClusterStatus Status)> SendStatus(HttpContext c, IClusterControl control, string? last, CancellationToken ct)
    {
        var status = control.GetStatus();
        foreach (var n in status.Nodes)
            foreach (var p in n.Paths) p.LastSeenMs = null;
        var json = JsonSerializer.Serialize(status, ApiJson.Options);
        if (json != last) await Write(c, "event: status\ndata: " + json + "\n\n", ct);
        return (json, status);
    }

    static async Task<string?> SendMirrors(HttpContext c, IClusterControl control, string? last, CancellationToken ct)
    {
        MirrorReport report;
        try { report = await control.GetMirrorsAsync(ct); }
        catch (Exception e) when (e is not OperationCanceledException) { return last; }
        var json = JsonSerializer.Serialize(report, ApiJson.Options);
        if (json != last) await Write(c, "event: mirrors\ndata: " + json + "\n\n", ct);
        return json;
    }

    static async Task Write(HttpContext c, string text, CancellationToken ct)
    {
        await c.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
        await c.Response.Body.FlushAsync(ct);
    }
}
