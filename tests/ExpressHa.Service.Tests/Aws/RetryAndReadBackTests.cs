using System.Diagnostics;
using System.Net;
using Amazon.Runtime;
using ExpressHa.Service.Aws;

namespace ExpressHa.Service.Tests.Aws;

public class AwsRetryTests
{
    static AwsRetryPolicy Fast(double deadlineSeconds = 5, double perCallSeconds = 1) =>
        new(TimeSpan.FromSeconds(deadlineSeconds), TimeSpan.FromSeconds(perCallSeconds)) { BaseDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(200) };

    [Fact]
    public async Task Throttled_twice_then_success()
    {
        var calls = 0;
        var delays = new List<TimeSpan>();
        var result = await AwsRetry.RunAsync(_ =>
        {
            calls++;
            if (calls <= 2) throw new AwsApiException("Throttling", "Rate exceeded", 400);
            return Task.FromResult("ok");
        }, Fast() with { OnRetry = (_, e, d) => { Assert.True(e.IsThrottling); delays.Add(d); } }, CancellationToken.None);
        Assert.Equal("ok", result);
        Assert.Equal(3, calls);
        Assert.Equal(2, delays.Count);
        Assert.InRange(delays[0].TotalMilliseconds, 10, 20);   // base 20 ms, jittered into its upper half
        Assert.InRange(delays[1].TotalMilliseconds, 20, 40);   // doubled
    }

    [Fact]
    public async Task Sdk_throttling_and_5xx_are_retried_and_others_thrown_at_once()
    {
        var calls = 0;
        var codes = new List<string>();
        await AwsRetry.RunAsync(_ =>
        {
            calls++;
            return calls switch
            {
                1 => throw new AmazonServiceException("Request limit exceeded.", ErrorType.Sender, "RequestLimitExceeded", "r", HttpStatusCode.ServiceUnavailable),
                2 => throw new AmazonServiceException("We encountered an internal error.", ErrorType.Receiver, "InternalError", "r", HttpStatusCode.InternalServerError),
                _ => Task.FromResult(1),
            };
        }, Fast() with { OnRetry = (_, e, _) => codes.Add(e.Code) }, CancellationToken.None);
        Assert.Equal(["RequestLimitExceeded", "InternalError"], codes);

        calls = 0;
        var e = await Assert.ThrowsAsync<AwsApiException>(() => AwsRetry.RunAsync<int>(_ =>
        {
            calls++;
            throw new AmazonServiceException("The vpc ID 'vpc-nope' does not exist", ErrorType.Sender, "InvalidVpcID.NotFound", "r", HttpStatusCode.BadRequest);
        }, Fast(), CancellationToken.None, "DescribeVpcs"));
        Assert.Equal(1, calls);
        Assert.Equal("InvalidVpcID.NotFound", e.Code);
        Assert.Equal(400, e.StatusCode);
        Assert.False(e.IsTimeout);
        Assert.StartsWith("DescribeVpcs: InvalidVpcID.NotFound:", e.Message);
    }

    [Fact]
    public async Task A_call_that_never_answers_ends_at_the_deadline_as_a_timeout()
    {
        var calls = 0;
        var sw = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<AwsApiException>(() => AwsRetry.RunAsync<int>(async ct =>
        {
            Interlocked.Increment(ref calls);
            await Task.Delay(Timeout.Infinite, ct);
            return 0;
        }, Fast(deadlineSeconds: 1.5, perCallSeconds: 0.2), CancellationToken.None, "ReplaceRoute"));
        sw.Stop();
        Assert.True(e.IsTimeout);
        Assert.Equal("RequestTimeout", e.Code);
        Assert.Contains("ReplaceRoute", e.Message);
        Assert.InRange(calls, 2, 8);        // each call cut at 0.2 s, retried while time remains
        Assert.InRange(sw.Elapsed.TotalSeconds, 1.0, 3.5);
    }

    [Fact]
    public async Task Throttling_until_the_deadline_is_a_timeout_that_keeps_the_code()
    {
        var e = await Assert.ThrowsAsync<AwsApiException>(() => AwsRetry.RunAsync<int>(
            _ => throw new AwsApiException("RequestLimitExceeded", "Request limit exceeded.", 503),
            Fast(deadlineSeconds: 0.3), CancellationToken.None));
        Assert.True(e.IsTimeout);
        Assert.True(e.IsThrottling);
        Assert.Equal(503, e.StatusCode);
    }

    [Fact]
    public async Task Caller_cancellation_is_not_translated()
    {
        using var cts = new CancellationTokenSource(100);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => AwsRetry.RunAsync<int>(async ct =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return 0;
        }, Fast(), cts.Token));
    }

    [Fact]
    public async Task Programming_errors_pass_through()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() => AwsRetry.RunAsync<int>(_ => throw new InvalidOperationException("bug"), Fast(), CancellationToken.None));
    }

    [Fact]
    public void Backoff_doubles_up_to_the_cap()
    {
        var p = new AwsRetryPolicy(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(5)) { BaseDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(1) };
        for (var i = 0; i < 50; i++)
        {
            Assert.InRange(AwsRetry.Backoff(p, 1).TotalMilliseconds, 50, 100);
            Assert.InRange(AwsRetry.Backoff(p, 3).TotalMilliseconds, 200, 400);
            Assert.InRange(AwsRetry.Backoff(p, 10).TotalMilliseconds, 500, 1000);
        }
    }
}

public class ReadBackTests
{
    static ReadBackOptions Options(double deadline = 2) => new(TimeSpan.FromSeconds(deadline), TimeSpan.FromSeconds(1)) { Interval = TimeSpan.FromMilliseconds(20) };

    [Fact]
    public async Task Polls_until_the_change_is_visible_riding_out_transient_errors()
    {
        var reads = 0;
        var value = await ReadBack.RequireAsync(_ =>
        {
            reads++;
            if (reads == 2) throw new AwsApiException("RequestLimitExceeded", "slow down", 503);
            return Task.FromResult(reads >= 4 ? "eni-new" : "eni-old");
        }, v => v == "eni-new", Options(), "route 10.1.0.20/32", CancellationToken.None);
        Assert.Equal("eni-new", value);
        Assert.Equal(4, reads);
    }

    [Fact]
    public async Task A_change_that_never_shows_is_a_mismatch()
    {
        var r = await ReadBack.UntilAsync(_ => Task.FromResult("eni-old"), v => v == "eni-new", Options(0.3), CancellationToken.None);
        Assert.False(r.Satisfied);
        Assert.Equal("eni-old", r.Last);
        Assert.True(r.Polls >= 2);

        var e = await Assert.ThrowsAsync<AwsApiException>(() => ReadBack.RequireAsync(_ => Task.FromResult("eni-old"), v => v == "eni-new", Options(0.3), "route 10.1.0.20/32", CancellationToken.None));
        Assert.Equal("ReadBackMismatch", e.Code);
        Assert.False(e.IsTimeout);
        Assert.Contains("route 10.1.0.20/32", e.Message);
    }

    [Fact]
    public async Task Max_polls_caps_the_reads_and_hard_errors_are_thrown()
    {
        var reads = 0;
        var r = await ReadBack.UntilAsync(_ => Task.FromResult(++reads), _ => false, Options(10) with { MaxPolls = 5 }, CancellationToken.None);
        Assert.Equal(5, r.Polls);
        Assert.Equal(5, reads);

        var e = await Assert.ThrowsAsync<AwsApiException>(() => ReadBack.UntilAsync<int>(
            _ => throw new AwsApiException("InvalidRouteTableID.NotFound", "gone", 400), _ => true, Options(), CancellationToken.None));
        Assert.Equal("InvalidRouteTableID.NotFound", e.Code);
    }

    [Fact]
    public async Task Reads_that_keep_failing_end_as_a_timeout()
    {
        var e = await Assert.ThrowsAsync<AwsApiException>(() => ReadBack.RequireAsync<int>(async ct => { await Task.Delay(Timeout.Infinite, ct); return 0; },
            _ => true, new ReadBackOptions(TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(150)) { Interval = TimeSpan.FromMilliseconds(10) }, "GetChange", CancellationToken.None));
        Assert.True(e.IsTimeout);
    }
}
