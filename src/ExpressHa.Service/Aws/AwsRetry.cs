using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;

namespace ExpressHa.Service.Aws;

/// <summary>How <see cref="AwsRetry"/> retries: within <see cref="Deadline"/> (the action's timeout) overall, each call
/// bounded by <see cref="PerCallTimeout"/>, exponential backoff from <see cref="BaseDelay"/> doubling up to
/// <see cref="MaxDelay"/>, with jitter (a random delay between half and all of the step).</summary>
public sealed record AwsRetryPolicy(TimeSpan Deadline, TimeSpan PerCallTimeout)
{
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>0 = as many as fit in the deadline.</summary>
    public int MaxAttempts { get; init; }
    /// <summary>Retry a call that timed out or could not reach the endpoint (true: the calls we make are idempotent —
    /// ReplaceRoute, AssociateAddress with AllowReassociation, UPSERT, Describe*).</summary>
    public bool RetryTimeouts { get; init; } = true;
    /// <summary>Called before each retry with the attempt number (1 = first call failed), the error and the delay.</summary>
    public Action<int, AwsApiException, TimeSpan>? OnRetry { get; init; }
}

/// <summary>Retries AWS calls on throttling (Throttling, RequestLimitExceeded, ...), 5xx and timeouts with
/// exponential backoff and jitter, bounded by an overall deadline; every failure comes out as an
/// <see cref="AwsApiException"/> (SDK exceptions are translated), and running out of time as one with IsTimeout.
/// Other errors (InvalidVpcID.NotFound, UnauthorizedOperation, ...) are thrown at once.</summary>
public static class AwsRetry
{
    public static Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> call, TimeSpan deadline, TimeSpan perCallTimeout,
        CancellationToken ct, string operation = "AWS call") =>
        RunAsync(call, new AwsRetryPolicy(deadline, perCallTimeout), ct, operation);

    public static Task RunAsync(Func<CancellationToken, Task> call, TimeSpan deadline, TimeSpan perCallTimeout,
        CancellationToken ct, string operation = "AWS call") =>
        RunAsync(async c => { await call(c).ConfigureAwait(false); return true; }, new AwsRetryPolicy(deadline, perCallTimeout), ct, operation);

    public static Task RunAsync(Func<CancellationToken, Task> call, AwsRetryPolicy policy, CancellationToken ct, string operation = "AWS call") =>
        RunAsync(async c => { await call(c).ConfigureAwait(false); return true; }, policy, ct, operation);

    public static async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> call, AwsRetryPolicy policy, CancellationToken ct,
        string operation = "AWS call")
    {
        var clock = Stopwatch.StartNew();
        AwsApiException? last = null;
        for (var attempt = 1; ; attempt++)
        {
            var remaining = policy.Deadline - clock.Elapsed;
            if (remaining <= TimeSpan.Zero)
                throw DeadlineExceeded(operation, policy, attempt - 1, last);
            var callTimeout = remaining < policy.PerCallTimeout ? remaining : policy.PerCallTimeout;
            using var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            attemptCts.CancelAfter(callTimeout);
            try
            {
                return await call(attemptCts.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                var error = attemptCts.IsCancellationRequested
                    ? new AwsApiException("RequestTimeout", $"{operation}: no answer within {callTimeout.TotalSeconds:0.###} s.", 0, timeout: true, inner: e)
                    : Translate(e, operation);
                if (error == null) throw;
                if (!IsRetryable(error, policy)) throw error;
                last = error;
                if (policy.MaxAttempts > 0 && attempt >= policy.MaxAttempts)
                    throw DeadlineExceeded(operation, policy, attempt, last);
                var step = Backoff(policy, attempt);
                var left = policy.Deadline - clock.Elapsed;
                if (step >= left)
                    throw DeadlineExceeded(operation, policy, attempt, last);
                policy.OnRetry?.Invoke(attempt, error, step);
                await Task.Delay(step, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Throttling, 5xx, and (when the policy allows) timeouts / unreachable endpoints.</summary>
    public static bool IsRetryable(AwsApiException e, AwsRetryPolicy? policy = null) =>
        e.IsThrottling || e.StatusCode >= 500 || e.Code is "InternalError" or "InternalFailure" or "ServiceUnavailable" or "Unavailable"
        || (e.IsTimeout && (policy?.RetryTimeouts ?? true));

    /// <summary>The delay before retry number <paramref name="attempt"/> (1-based): BaseDelay·2^(attempt−1), at most
    /// MaxDelay, jittered to a random point in its upper half.</summary>
    public static TimeSpan Backoff(AwsRetryPolicy policy, int attempt)
    {
        var exp = policy.BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30));
        var cap = Math.Min(exp, policy.MaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(cap / 2 + Random.Shared.NextDouble() * cap / 2);
    }

    /// <summary>An SDK or transport exception as an <see cref="AwsApiException"/>; null for exceptions that are not
    /// about AWS (programming errors pass through unchanged).</summary>
    public static AwsApiException? Translate(Exception e, string operation = "AWS call")
    {
        switch (e)
        {
            case AwsApiException a:
                return a;
            case AmazonServiceException s when IsTimeoutChain(s.InnerException) && string.IsNullOrEmpty(s.ErrorCode):
                return new AwsApiException("RequestTimeout", $"{operation}: the request timed out.", 0, timeout: true, inner: e);
            case AmazonServiceException s when IsNetwork(s.InnerException) && string.IsNullOrEmpty(s.ErrorCode):
                return new AwsApiException("EndpointUnreachable", $"{operation}: endpoint unreachable: {Innermost(s).Message}", 0, timeout: true, inner: e);
            case AmazonServiceException s:
                {
                    var status = (int)s.StatusCode;
                    var code = !string.IsNullOrEmpty(s.ErrorCode) ? s.ErrorCode
                        : s.StatusCode == HttpStatusCode.TooManyRequests ? "Throttling"
                        : status >= 500 ? "InternalError" : "HttpError" + status;
                    return new AwsApiException(code, $"{operation}: {code}: {s.Message}", status, inner: e);
                }
            case OperationCanceledException or TimeoutException:
                return new AwsApiException("RequestTimeout", $"{operation}: the request timed out.", 0, timeout: true, inner: e);
            case AmazonClientException c when IsTimeoutChain(c.InnerException):
                return new AwsApiException("RequestTimeout", $"{operation}: the request timed out.", 0, timeout: true, inner: e);
            case AmazonClientException c when IsNetwork(c.InnerException):
                return new AwsApiException("EndpointUnreachable", $"{operation}: endpoint unreachable: {Innermost(c).Message}", 0, timeout: true, inner: e);
            case AmazonClientException c:
                return new AwsApiException("ClientError", $"{operation}: {c.Message}", 0, inner: e);
            case HttpRequestException or SocketException or IOException:
                return new AwsApiException("EndpointUnreachable", $"{operation}: endpoint unreachable: {e.Message}", 0, timeout: true, inner: e);
            default:
                return IsNetwork(e.InnerException)
                    ? new AwsApiException("EndpointUnreachable", $"{operation}: endpoint unreachable: {Innermost(e).Message}", 0, timeout: true, inner: e)
                    : null;
        }
    }

    private static bool IsNetwork(Exception? e)
    {
        for (; e != null; e = e.InnerException)
            if (e is HttpRequestException or SocketException or IOException or WebException) return true;
        return false;
    }

    private static bool IsTimeoutChain(Exception? e)
    {
        for (; e != null; e = e.InnerException)
            if (e is OperationCanceledException or TimeoutException) return true;
        return false;
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException != null) e = e.InnerException;
        return e;
    }

    private static AwsApiException DeadlineExceeded(string operation, AwsRetryPolicy policy, int attempts, AwsApiException? last) =>
        new(last?.Code ?? "RequestTimeout",
            $"{operation}: no success within {policy.Deadline.TotalSeconds:0.###} s after {attempts} attempt(s)" + (last != null ? $"; last error: {last.Message}" : "."),
            last?.StatusCode ?? 0, timeout: true, inner: last);
}
