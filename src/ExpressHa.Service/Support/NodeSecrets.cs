using System.Security.Cryptography;
using ExpressHa.Config;

namespace ExpressHa.Service.Support;

/// <summary>The secrets a node holds, gathered for the <see cref="SecretRedactor"/>: the API token, the cluster key
/// file (and the key derived from it) and the key file of every mirror resource as this node resolves it.</summary>
public static class NodeSecrets
{
    public static SecretRedactor Redactor(ClusterConfig config, string self, string apiToken)
    {
        var keys = new List<byte[]>();
        AddKeyFile(keys, config.Cluster.Security.KeyFile);
        foreach (var g in config.Groups)
            foreach (var r in g.Resources.Where(r => r.Type == "mirror"))
                AddKeyFile(keys, r.GetParameter("keyFile", self));
        return new SecretRedactor([apiToken], keys);
    }

    static void AddKeyFile(List<byte[]> keys, string? path)
    {
        if (string.IsNullOrEmpty(path)) return;
        try
        {
            if (!File.Exists(path)) return;
            var bytes = File.ReadAllBytes(path);
            keys.Add(bytes);
            keys.Add(SHA256.HashData(bytes));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
