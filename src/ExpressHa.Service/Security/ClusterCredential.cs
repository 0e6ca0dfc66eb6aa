using System.Security.Cryptography;

namespace ExpressHa.Service.Security;

/// <summary>The bearer credential nodes present to each other's <c>/v1/internal/*</c> routes: an HMAC of a fixed label
/// under the cluster key, so every node holding the key file derives the same value and the key itself never travels.
/// It is not the operator's API token: a leaked token cannot drive node-to-node steps, and a node's credential cannot
/// drive operator routes.</summary>
public static class ClusterCredential
{
    static readonly byte[] Label = "expressha/v1 node-to-node api"u8.ToArray();

    public static string Derive(ClusterKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Convert.ToHexStringLower(HMACSHA256.HashData(key.Key, Label));
    }
}
