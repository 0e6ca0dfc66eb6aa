using ExpressHa.Service.Alerts;
using ExpressHa.Service.Api;

namespace ExpressHa.Service.Runtime;

/// <summary>Starts the management API for a node on its primary address and the configured port, and tells the agent
/// the certificate fingerprint so peers can pin it.</summary>
public static class ApiHost
{
    public static async Task<ManagementApi> StartAsync(NodeAgent agent, ConfigStore store, string node, string stateDir, Security.ApiTokens tokens, string clusterCredential, AlertLog alerts, CancellationToken ct)
    {
        var config = store.Current;
        var self = config.FindNode(node)!;
        var options = new ApiOptions
        {
            BindAddress = self.PrimaryAddress(config.Cluster) ?? "127.0.0.1",
            Port = self.ApiPort ?? config.Cluster.Security.ApiPort,
            Token = tokens.Operator,
            ReadOnlyToken = tokens.ReadOnly ?? "",
            ClusterCredential = clusterCredential,
            Tls = config.Cluster.Security.ApiTls,
            StateDir = stateDir,
        };
        ManagementApi api;
        try
        {
            api = await ManagementApi.StartAsync(options, agent.Control, ct);
        }
        catch (ApiConfigurationException ex)
        {
            throw new InvalidOperationException("management API: " + ex.Message, ex);
        }
        agent.ApiFingerprint = api.CertificateFingerprint;
        alerts.Log("api", $"management API on {api.BaseAddress}" + (api.CertificateFingerprint != null ? $" (certificate SHA-256 {api.CertificateFingerprint})" : " (plain HTTP, loopback only)"));
        return api;
    }
}
