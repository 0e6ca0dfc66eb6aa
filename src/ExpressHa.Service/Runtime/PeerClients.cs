using ExpressHa.Api;
using ExpressHa.Client;
using ExpressHa.Policy;
using ExpressHa.Service.Api;
using ExpressHa.Service.Security;

namespace ExpressHa.Service.Runtime;

/// <summary>Management API clients for the peers: the peer's primary address and port from the config, its
/// certificate pinned to the fingerprint its heartbeats carry.</summary>
public sealed class PeerClients(ConfigStore config, MembershipState members, ClusterKey key, string apiToken)
{
    public PeerClient For(string node, TimeSpan? timeout = null)
    {
        var c = config.Current;
        var n = c.FindNode(node)!;
        var address = n.PrimaryAddress(c.Cluster) ?? "127.0.0.1";
        var port = n.ApiPort ?? c.Cluster.Security.ApiPort;
        var fingerprint = members.LastReport(node)?.ApiFingerprint;
        var tls = c.Cluster.Security.ApiTls;
        var uri = new Uri($"{(tls ? "https" : "http")}://{address}:{port}/");
        return new PeerClient(uri, apiToken, tls ? fingerprint : null, timeout ?? TimeSpan.FromSeconds(60), ClusterCredential.Derive(key));
    }

    /// <summary>An operator request this node does not serve, answered by the node that does.</summary>
    public async Task<OperationResult> ForwardAsync(string node, Func<PeerClient, Task<OperationResult>> call)
    {
        try
        {
            using var client = For(node);
            return await call(client);
        }
        catch (HaApiException ex)
        {
            return OperationResult.Failure(ex.Code, ex.Message);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return OperationResult.Failure(ErrorCodes.PeerUnreachable, $"The request had to go to {node}, which did not answer: {ex.Message}");
        }
    }

    /// <summary>Plan steps carried out by the peer they name.</summary>
    public async Task<StepsOutcome> RunStepsAsync(string node, IReadOnlyList<PlanAction> steps, CancellationToken ct)
    {
        try
        {
            using var client = For(node);
            var result = await client.RunActionsAsync(steps, ct);
            return result.Ok ? StepsOutcome.Done : StepsOutcome.Failed(result.FailedStep ?? 0, result.Message);
        }
        catch (Exception ex) when (ex is HaApiException or HttpRequestException or TaskCanceledException)
        {
            return StepsOutcome.Failed(0, $"{node} did not answer: {ex.Message}");
        }
    }
}
