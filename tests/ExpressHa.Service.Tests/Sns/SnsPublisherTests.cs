using System.Collections.Concurrent;
using System.Diagnostics;
using ExpressHa.Config;
using ExpressHa.Service.Alerts;
using ExpressHa.Service.Aws;

namespace ExpressHa.Service.Tests.Sns;

/// <summary>An ISnsApi that records publishes, and can fail or hang (until released or the token is cancelled;
/// with ignoreCancellation it hangs regardless).</summary>
public sealed class FakeSns : ISnsApi
{
    public ConcurrentQueue<(string Topic, string Subject, string Message)> Published { get; } = new();
    public int Calls;
    public Exception? Fail { get; set; }
    public TaskCompletionSource Gate { get; set; } = CompletedGate();
    public bool IgnoreCancellation { get; set; }

    static TaskCompletionSource CompletedGate()
    {
        var t = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        t.SetResult();
        return t;
    }

    public void Hang() => Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<string> PublishAsync(string topicArn, string subject, string message, CancellationToken ct)
    {
        Interlocked.Increment(ref Calls);
        if (IgnoreCancellation) await Gate.Task;
        else await Gate.Task.WaitAsync(ct);
        if (Fail != null) throw Fail;
        Published.Enqueue((topicArn, subject, message));
        return Guid.NewGuid().ToString();
    }
}

public sealed class SnsPublisherTests : IDisposable
{
    const string Topic = "arn:aws:sns:ap-northeast-1:123456789012:ha";
    readonly string _dir = Directory.CreateTempSubdirectory("expressha-sns-").FullName;
    readonly AlertLog _alerts;
    readonly ConcurrentQueue<(string Module, string Text)> _logs = new();
    readonly StringWriter _console = new();

    public SnsPublisherTests() { _alerts = new AlertLog("server1", _dir, TextWriter.Synchronized(_console)); }

    public void Dispose()
    {
        _alerts.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    static ClusterConfig Config(string? minLevel = AlertLevels.Warning, string topic = Topic)
    {
        var c = new ClusterConfig { Cluster = { Name = "cluster" } };
        if (minLevel != null) c.Cluster.Notifications.Sns = new SnsNotification { TopicArn = topic, MinLevel = minLevel };
        return c;
    }

    SnsPublisher Publisher(ISnsApi sns, Func<ClusterConfig> config, SnsPublisherOptions? options = null)
        => new SnsPublisher(sns, config, (m, t) => _logs.Enqueue((m, t)), options).Attach(_alerts);


    [Fact]
    public async Task AlertsAtOrAboveMinLevelArePublished_WithSubjectAndLine()
    {
        var sns = new FakeSns();
        await using var p = Publisher(sns, () => Config(AlertLevels.Warning));
        _alerts.Alert("info", "pm", 1, "Cluster service started.");
        _alerts.Alert("warning", "monitor", 105, "Monitor awsazw1 is in the warning status. (5 : Invalid availability zone: [ap-northeast-1x])");
        _alerts.Alert("error", "rm", 5, "Activating awsvip1 resource has failed.(5 : The vpc ID 'vpc-x' does not exist)");

        await Eventually.UntilAsync(() => sns.Published.Count == 2, TimeSpan.FromSeconds(5), "sns.Published.Count == 2", () => $"{sns.Published.Count} published in {sns.Calls} calls");
        var list = sns.Published.ToList();
        Assert.All(list, x => Assert.Equal(Topic, x.Topic));
        Assert.Equal("ExpressHa cluster cluster: warning monitor[105] on server1", list[0].Subject);
        Assert.Equal("ExpressHa cluster cluster: error rm[5] on server1", list[1].Subject);
        Assert.EndsWith(" server1 ERROR rm[5] Activating awsvip1 resource has failed.(5 : The vpc ID 'vpc-x' does not exist)", list[1].Message);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ", list[1].Message);
        await Task.Delay(50);
        Assert.Equal(2, sns.Calls);
        Assert.Equal(2, p.Published);
    }

    [Fact]
    public async Task TheLevelFilterFollowsTheCurrentConfig()
    {
        var sns = new FakeSns();
        var config = Config(AlertLevels.Error);
        await using var p = Publisher(sns, () => config);
        _alerts.Alert("warning", "monitor", 105, "w1");
        _alerts.Alert("error", "monitor", 5, "e1");
        config = Config(AlertLevels.Info);
        _alerts.Alert("info", "pm", 1, "i1");
        config = Config(minLevel: null); // sns removed by a pushed config
        _alerts.Alert("error", "monitor", 5, "e2");

        await Eventually.UntilAsync(() => sns.Published.Count == 2, TimeSpan.FromSeconds(5), "sns.Published.Count == 2", () => $"{sns.Published.Count} published in {sns.Calls} calls");
        await Task.Delay(100);
        Assert.Equal(new[] { "e1", "i1" }, sns.Published.Select(x => x.Message.Split(' ').Last()));
    }

    [Fact]
    public async Task AHangingSnsNeverBlocksAlert()
    {
        var sns = new FakeSns { IgnoreCancellation = true };
        sns.Hang();
        await using var p = Publisher(sns, () => Config(AlertLevels.Info),
            new SnsPublisherOptions { PublishTimeout = TimeSpan.FromMilliseconds(300), FlushTimeout = TimeSpan.FromMilliseconds(100) });
        _alerts.Alert("error", "rm", 5, "first"); // the publisher is now stuck in this call
        await Eventually.UntilAsync(() => sns.Calls == 1, TimeSpan.FromSeconds(5), "sns.Calls == 1", () => $"{sns.Published.Count} published in {sns.Calls} calls");

        for (int i = 0; i < 20; i++)
        {
            var sw = Stopwatch.StartNew();
            _alerts.Alert("error", "rm", 5, "during the hang " + i);
            Assert.True(sw.ElapsedMilliseconds < 50, $"Alert took {sw.ElapsedMilliseconds} ms while SNS hangs");
        }
        // The hung call times out (it ignores its token), is logged, and the queue moves on.
        await Eventually.UntilAsync(() => p.Failed >= 1 && sns.Calls >= 2, TimeSpan.FromSeconds(5), "p.Failed >= 1 && sns.Calls >= 2", () => $"{p.Failed} failed in {sns.Calls} calls");
        Assert.Contains(_logs, l => l.Module == "sns" && l.Text.Contains("timed out"));
        Assert.DoesNotContain(_alerts.Query(null, "sns", null, null), _ => true); // failures are never alerts
    }

    [Fact]
    public async Task TheQueueIsBounded_DropsTheOldest_AndCountsThem()
    {
        var sns = new FakeSns();
        sns.Hang();
        await using var p = Publisher(sns, () => Config(AlertLevels.Info), new SnsPublisherOptions { Capacity = 5, FlushTimeout = TimeSpan.FromSeconds(2) });
        _alerts.Alert("error", "rm", 5, "m0");
        await Eventually.UntilAsync(() => sns.Calls == 1, TimeSpan.FromSeconds(5), "sns.Calls == 1", () => $"{sns.Published.Count} published in {sns.Calls} calls"); // m0 is being published, the queue is empty
        for (int i = 1; i <= 12; i++) _alerts.Alert("error", "rm", 5, "m" + i);

        Assert.Equal(7, p.Dropped);   // m1..m7 dropped, m8..m12 kept
        Assert.Equal(5, p.Pending);
        Assert.Single(_logs, l => l.Module == "sns" && l.Text.Contains("dropped")); // rate-limited: one line for 7 drops

        sns.Gate.SetResult();
        await Eventually.UntilAsync(() => sns.Published.Count == 6, TimeSpan.FromSeconds(5), "sns.Published.Count == 6", () => $"{sns.Published.Count} published in {sns.Calls} calls");
        Assert.Equal(new[] { "m0", "m8", "m9", "m10", "m11", "m12" }, sns.Published.Select(x => x.Message.Split(' ').Last()));
    }

    [Fact]
    public async Task FailuresAreLoggedRateLimited_AndPublishingGoesOn()
    {
        var sns = new FakeSns { Fail = new AwsApiException("AuthorizationError", "User is not authorized to perform: SNS:Publish", 403) };
        await using var p = Publisher(sns, () => Config(AlertLevels.Info), new SnsPublisherOptions { FailureLogInterval = TimeSpan.FromHours(1) });
        for (int i = 0; i < 10; i++) _alerts.Alert("error", "rm", 5, "f" + i);
        await Eventually.UntilAsync(() => p.Failed == 10, TimeSpan.FromSeconds(5), "p.Failed == 10", () => $"{p.Failed} failed in {sns.Calls} calls");
        var lines = _logs.Where(l => l.Module == "sns").ToList();
        Assert.Single(lines);
        Assert.Contains("AuthorizationError", lines[0].Text);

        sns.Fail = null;
        _alerts.Alert("error", "rm", 5, "ok");
        await Eventually.UntilAsync(() => sns.Published.Count == 1, TimeSpan.FromSeconds(5), "sns.Published.Count == 1", () => $"{sns.Published.Count} published in {sns.Calls} calls");
    }

    [Fact]
    public async Task DisposeFlushesWhatIsQueued()
    {
        var sns = new FakeSns();
        var p = Publisher(sns, () => Config(AlertLevels.Info));
        for (int i = 0; i < 5; i++) _alerts.Alert("error", "rm", 5, "d" + i);
        await p.DisposeAsync();
        Assert.Equal(5, sns.Published.Count);
        _alerts.Alert("error", "rm", 5, "after"); // unsubscribed
        await Task.Delay(50);
        Assert.Equal(5, sns.Published.Count);
    }

    [Fact]
    public async Task TheServiceHook_NullWithoutSns_LazyClient_FactoryFailuresAreLoggedNotRaised()
    {
        Assert.Null(SnsNotifications.Start(() => Config(minLevel: null), _alerts, _ => throw new InvalidOperationException("must not be built")));

        int builds = 0;
        var sns = new FakeSns();
        await using (var p = SnsNotifications.Start(() => Config(AlertLevels.Warning), _alerts, _ =>
               {
                   if (Interlocked.Increment(ref builds) == 1) throw new AwsApiException("NoRegion", "No AWS region");
                   return sns;
               })!)
        {
            _alerts.Alert("info", "pm", 1, "warm-up (below minLevel)");
            Assert.Equal(0, builds); // built on first use, on the background task
            var sw = Stopwatch.StartNew();
            _alerts.Alert("error", "rm", 5, "a1");
            Assert.True(sw.ElapsedMilliseconds < 50);
            await Eventually.UntilAsync(() => p.Failed == 1, TimeSpan.FromSeconds(5), "p.Failed == 1", () => $"{p.Failed} failed in {sns.Calls} calls");
            Assert.Contains(_logs.Concat(ConsoleLines()), l => l.Text.Contains("NoRegion"));
            _alerts.Alert("error", "rm", 5, "a2");
            await Eventually.UntilAsync(() => sns.Published.Count == 1, TimeSpan.FromSeconds(5), "sns.Published.Count == 1", () => $"{sns.Published.Count} published in {sns.Calls} calls");
            Assert.Equal(2, builds);
        }
        Assert.DoesNotContain(_alerts.Query(null, "sns", null, null), _ => true);
    }

    IEnumerable<(string Module, string Text)> ConsoleLines()
        => _console.ToString().Split('\n').Where(l => l.Contains(" sns: ")).Select(l => ("sns", l));

    [Fact]
    public void CreateClient_TakesTheRegionFromTheTopic_WithoutAskingImds()
    {
        var c = Config(AlertLevels.Warning, "arn:aws:sns:eu-west-1:123456789012:ha");
        c.Cluster.Aws.Endpoints["sns"] = "http://127.0.0.1:9"; // never contacted here
        c.Cluster.Aws.Endpoints["imds"] = "http://127.0.0.1:9";
        var client = SnsNotifications.CreateClient(c);
        Assert.NotNull(client);
        (client as IDisposable)?.Dispose();
    }

    [Fact]
    public void TheSubjectIsCutToSnsLimits()
    {
        var e = new ExpressHa.Api.AlertEntry { Level = "error", Module = "rm", EventId = 5, Node = new string('n', 120) + "\u00e9" };
        var s = SnsPublisher.Subject("c\nx", e);
        Assert.Equal(100, s.Length);
        Assert.All(s, ch => Assert.InRange(ch, ' ', '~'));
    }
}
