using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ExpressHa.Service.Tests.Aws;

/// <summary>A request as the fake server received it.</summary>
public sealed record RecordedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string BodyText => Encoding.UTF8.GetString(Body);
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var v) ? v : null;

    /// <summary>The form (application/x-www-form-urlencoded) body or query as a dictionary.</summary>
    public static Dictionary<string, string> ParseForm(string text) =>
        text.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : "");
}

public sealed record FakeResponse(int Status, string Body = "", string ContentType = "text/xml", int DelayMs = 0)
{
    public static FakeResponse Xml(string body, int status = 200) => new(status, body);
}

/// <summary>An HTTP server on 127.0.0.1 (a free port) that records every request and answers with a handler.</summary>
public sealed class FakeAwsServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    public FakeAwsServer(Func<RecordedRequest, FakeResponse>? handler = null)
    {
        Handler = handler ?? (_ => new FakeResponse(404));
        for (var i = 0; ; i++)
        {
            var port = FreePort();
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                _listener.Start();
                Url = new Uri($"http://127.0.0.1:{port}/");
                break;
            }
            catch (HttpListenerException) when (i < 5) { }
        }
        _ = Task.Run(LoopAsync);
    }

    public Uri Url { get; } = null!;
    public Func<RecordedRequest, FakeResponse> Handler { get; set; }
    public IReadOnlyList<RecordedRequest> Requests => _requests.ToArray();

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync().ConfigureAwait(false); }
            catch { return; }
            _ = Task.Run(() => ServeAsync(ctx));
        }
    }

    private async Task ServeAsync(HttpListenerContext ctx)
    {
        try
        {
            using var ms = new MemoryStream();
            await ctx.Request.InputStream.CopyToAsync(ms).ConfigureAwait(false);
            var headers = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (string? key in ctx.Request.Headers.AllKeys)
                if (key != null) headers[key.ToLowerInvariant()] = ctx.Request.Headers[key] ?? "";
            var url = ctx.Request.Url!;
            var req = new RecordedRequest(ctx.Request.HttpMethod, url.AbsolutePath, url.Query, headers, ms.ToArray());
            _requests.Enqueue(req);
            FakeResponse resp;
            try { resp = Handler(req); }
            catch (Exception e) { resp = new FakeResponse(500, e.ToString(), "text/plain"); }
            if (resp.DelayMs > 0)
                try { await Task.Delay(resp.DelayMs, _stop.Token).ConfigureAwait(false); } catch (OperationCanceledException) { }
            var bytes = Encoding.UTF8.GetBytes(resp.Body);
            ctx.Response.StatusCode = resp.Status;
            ctx.Response.ContentType = resp.ContentType;
            ctx.Response.ContentLength64 = bytes.Length;
            await ctx.Response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
            ctx.Response.Close();
        }
        catch
        {
            try { ctx.Response.Abort(); } catch { }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        try { _listener.Stop(); _listener.Close(); } catch { }
    }
}

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualTime : TimeProvider
{
    private DateTimeOffset _now = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public override DateTimeOffset GetUtcNow() => _now;
    public void Advance(TimeSpan by) => _now += by;
}
