namespace ExpressHa.Service.Resources.Aws;

/// <summary>The shared guard of the AWS drivers' probes: a probe only reads, and any failure (an AWS error, a timeout,
/// a missing parameter, an OS command that cannot run) answers unknown, never active by guess.</summary>
public static class AwsProbe
{
    public static async Task<ResourceProbe> GuardAsync(Func<Task<ResourceProbe>> check, CancellationToken cancellationToken)
    {
        try { return await check().ConfigureAwait(false); }
        catch (Exception) when (!cancellationToken.IsCancellationRequested) { return ResourceProbe.Unknown; }
    }
}
