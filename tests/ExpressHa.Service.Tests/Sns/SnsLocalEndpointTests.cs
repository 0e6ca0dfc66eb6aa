using System.Diagnostics;
using System.Text.Json;
using Amazon.Runtime;
using ExpressHa.Config;
using ExpressHa.Service.Alerts;
using ExpressHa.Service.Aws;

namespace ExpressHa.Service.Tests.Sns;

/// <summary>The local AWS-compatible endpoint (src/ExpressHa.AwsLocal) as a process on 127.0.0.1 with its example world;
/// built first when its binary is missing. Killed by pid on Dispose.</summary>
public sealed class AwsLocalProcess : IDisposable
{
    public const string AccessKey = "AKIAEXPRESSHA0000001";
    public const string SecretKey = "expressha-local-secret-key-0000000000001";
    public const string TopicArn = "arn:aws:sns:ap-northeast-1:123456789012:expressha-alerts";

    readonly Process _process;
    public Uri BaseAddress { get; }
    public HttpClient Http { get; } = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };

    public AwsLocalProcess()
    {
        var root = RepoRoot();
        var project = Path.Combine(root, "src", "ExpressHa.AwsLocal");
        var dll = Path.Combine(project, "bin", "Debug", "net10.0", "expressha-awslocal.dll");
        if (!File.Exists(dll))
        {
            var (code, output) = Resources.Sh.Run("dotnet", "build", Path.Combine(project, "ExpressHa.AwsLocal.csproj"), "-v", "q", "-nologo");
            if (code != 0 || !File.Exists(dll)) throw new InvalidOperationException("building ExpressHa.AwsLocal failed:\n" + output);
        }
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { dll, "--world", Path.Combine(project, "examples", "world.yaml"), "--listen", "127.0.0.1:0" }) psi.ArgumentList.Add(a);
        _process = Process.Start(psi)!;
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
        var line = _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
        if (line == null || !line.StartsWith("listening ", StringComparison.Ordinal))
        {
            Dispose();
            throw new InvalidOperationException($"expressha-awslocal did not start: '{line}'");
        }
        BaseAddress = new Uri(line.Substring("listening ".Length).Trim());
        _ = Task.Run(async () => { while (await _process.StandardOutput.ReadLineAsync() != null) { } });
    }

    static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ExpressHa.slnx"))) return dir.FullName;
        throw new InvalidOperationException("cannot find ExpressHa.slnx above " + AppContext.BaseDirectory);
    }

    public SnsClient Client(TimeSpan perCallTimeout)
        => new(Http, new BasicAWSCredentials(AccessKey, SecretKey), BaseAddress, "ap-northeast-1", perCallTimeout);

    public async Task<List<JsonElement>> MessagesAsync()
    {
        var json = await Http.GetStringAsync(new Uri(BaseAddress, "_sns/messages"));
        return JsonSerializer.Deserialize<List<JsonElement>>(json)!;
    }

    public async Task AddFaultAsync(string json)
    {
        using var r = await Http.PostAsync(new Uri(BaseAddress, "_faults"), new StringContent(json));
        r.EnsureSuccessStatusCode();
    }

    public void Dispose()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _process.WaitForExit(5000);
        _process.Dispose();
        Http.Dispose();
    }
}

/// <summary>SnsPublisher through the real SnsClient (SigV4, query API) against the local endpoint.</summary>
[Trait("Category", TestCategory.Process)]
public sealed class SnsLocalEndpointTests : IDisposable
{
    readonly AwsLocalProcess _aws = new();
    readonly string _dir = Directory.CreateTempSubdirectory("expressha-sns-local-").FullName;
    readonly AlertLog _alerts;
    readonly List<string> _logs = new();

    public SnsLocalEndpointTests() { _alerts = new AlertLog("server1", _dir, TextWriter.Null); }

    public void Dispose()
    {
        _alerts.Dispose();
        _aws.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    static ClusterConfig Config() => new()
    {
        Cluster = { Name = "cluster", Notifications = { Sns = new SnsNotification { TopicArn = AwsLocalProcess.TopicArn, MinLevel = AlertLevels.Warning } } },
    };

    SnsPublisher Publisher(ISnsApi client, SnsPublisherOptions? options = null)
        => new SnsPublisher(client, Config, (m, t) => { lock (_logs) _logs.Add(m + ": " + t); }, options).Attach(_alerts);

    Task<List<JsonElement>> WaitForMessages(int count)
        => Eventually.ValueAsync(() => _aws.MessagesAsync(), list => list.Count >= count, TimeSpan.FromSeconds(15), $"{count} message(s) on the topic",
            list => $"{list.Count} message(s)", pollMs: 50);

    [Fact]
    public async Task AlertsArePublishedToTheTopic()
    {
        await using var p = Publisher(_aws.Client(TimeSpan.FromSeconds(5)));
        _alerts.Alert("info", "pm", 1, "Cluster service started.");
        _alerts.Alert("error", "rm", 5, "Activating awsvip1 resource has failed.(5 : The vpc ID 'vpc-x' does not exist)");

        var messages = await WaitForMessages(1);
        var m = Assert.Single(messages);
        Assert.Equal(AwsLocalProcess.TopicArn, m.GetProperty("topicArn").GetString());
        Assert.Equal("ExpressHa cluster cluster: error rm[5] on server1", m.GetProperty("subject").GetString());
        Assert.EndsWith("server1 ERROR rm[5] Activating awsvip1 resource has failed.(5 : The vpc ID 'vpc-x' does not exist)", m.GetProperty("message").GetString());
        Assert.Equal(1, p.Published);
    }

    [Fact]
    public async Task AHangingEndpointDoesNotDelayAlerts_TheNextPublishGoesThrough()
    {
        await _aws.AddFaultAsync("""{ "action": "sns:Publish", "hang": 1, "hangMs": 10000 }""");
        await using var p = Publisher(_aws.Client(TimeSpan.FromMilliseconds(500)),
            new SnsPublisherOptions { PublishTimeout = TimeSpan.FromSeconds(2) });
        _alerts.Alert("info", "pm", 1, "warm-up (below minLevel, not published)"); // the alert log's own first-use cost
        var sw = Stopwatch.StartNew();
        _alerts.Alert("error", "rm", 5, "first (the endpoint hangs)");
        _alerts.Alert("warning", "monitor", 105, "second");
        Assert.True(sw.ElapsedMilliseconds < 50, $"Alert took {sw.ElapsedMilliseconds} ms");

        var messages = await WaitForMessages(1);
        Assert.Contains(messages, m => m.GetProperty("message").GetString()!.EndsWith("second"));
        Assert.Equal(1, p.Failed);
        lock (_logs) Assert.Contains(_logs, l => l.StartsWith("sns: ") && l.Contains("not published"));
    }
}
