namespace ExpressHa.Service.Monitors;

/// <summary>http: GETs <c>url</c> and expects <c>expectedStatus</c> (default 200). The monitor's timeout arrives
/// through the token. Redirects are not followed (a 302 is a 302).</summary>
public sealed class HttpProbe : IMonitorProbe
{
    static readonly HttpClient SharedClient = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
    })
    { Timeout = Timeout.InfiniteTimeSpan };

    readonly HttpClient _client;

    /// <param name="client">The client to use (default: a shared one without proxy, redirects or its own timeout).</param>
    public HttpProbe(HttpClient? client = null) { _client = client ?? SharedClient; }

    public string Type => "http";

    public async Task<ProbeResult> ProbeAsync(MonitorContext context, CancellationToken cancellationToken)
    {
        var m = context.Monitor;
        var url = m.GetParameter("url", context.Node.Name);
        if (url == null || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
            return ProbeCodes.Fail(ProbeCodes.Failed, $"url '{url}' is not an absolute URL");
        var expected = m.GetParameter("expectedStatus") is long l ? (int)l : 200;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            return status == expected
                ? ProbeResult.Ok($"GET {url}: {status}")
                : ProbeCodes.Fail(ProbeCodes.Failed, $"GET {url}: status {status}, expected {expected}");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { throw; }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            return ProbeCodes.Fail(ProbeCodes.Failed, $"GET {url}: {e.Message}");
        }
    }
}
