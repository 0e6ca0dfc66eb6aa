using ExpressHa.Client;
using ExpressHa.Demo;

namespace ExpressHa.Cmdlets.Tests;

/// <summary>Waiting for a live demo cluster to reach a state, for the tests that run real nodes.</summary>
public static class LiveWait
{
    /// <summary>Polls the node's status until <paramref name="done"/>; fails after 30 s with server1's log.</summary>
    public static async Task ForStatusAsync(DemoCluster cluster, HaApiClient client, Func<ExpressHa.Api.ClusterStatus, bool> done, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (done(await client.GetStatusAsync())) return;
            }
            catch (HaApiException) { }
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException($"{what}:\n" + File.ReadAllText(cluster.LogFile("server1")));
    }
}
