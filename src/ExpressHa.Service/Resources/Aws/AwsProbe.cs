namespace ExpressHa.Service.Resources.Aws;

/// <summary>The shared guard of the AWS drivers' probes: a probe only reads, and any failure (an AWS error, a timeout,
/// a missing parameter, an OS command that cannot run) answers unknown, never active by guess.</summary>
public static class AwsProbe
{
    /// <summary>The most a probe waits for AWS: a starting service probes before it joins, and an unreachable API
    /// must not hold the join for the resource's whole timeoutSeconds (unknown is a safe answer).</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(15);

    /// <summary>timeoutSeconds of the resource (or its default), capped at <see cref="MaxWait"/>.</summary>
    public static AwsBudget Budget(Config.ResourceConfig r, long fallbackSeconds)
    {
        var t = AwsParams.Seconds(r, "timeoutSeconds", fallbackSeconds);
        return new AwsBudget(t < MaxWait ? t : MaxWait);
    }

    public static async Task<ResourceProbe> GuardAsync(Func<Task<ResourceProbe>> check, CancellationToken cancellationToken)
    {
        try { return await check().ConfigureAwait(false); }
        catch (Exception) when (!cancellationToken.IsCancellationRequested) { return ResourceProbe.Unknown; }
    }
}
