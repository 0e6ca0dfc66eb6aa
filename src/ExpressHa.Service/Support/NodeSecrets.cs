using System.Security.Cryptography;
using ExpressHa.Config;

namespace ExpressHa.Service.Support;

/// <summary>The secrets a node holds, gathered for the <see cref="SecretRedactor"/>: the API token, the cluster key
/// file (the key and the node-to-node credential derived from it) and the key file of every mirror resource as this node resolves it.</summary>
public static class NodeSecrets
{
    public static SecretRedactor Redactor(ClusterConfig config, string self, string apiToken)
    {
        var keys = new List<byte[]>();
        var texts = new List<string> { apiToken };
        AddKeyFile(keys, config.Cluster.Security.KeyFile);
        if (ReadToken(config.Cluster.Security.ReadOnlyTokenFile) is { } readOnly) texts.Add(readOnly);
        if (keys.Count > 0) texts.Add(Security.ClusterCredential.Derive(Security.ClusterKey.FromBytes(keys[0])));
        foreach (var g in config.Groups)
            foreach (var r in g.Resources.Where(r => r.Type == "mirror"))
                AddKeyFile(keys, r.GetParameter("keyFile", self));
        return new SecretRedactor(texts, keys);
    }

    static string? ReadToken(string? path)
    {
        if (string.IsNullOrEmpty(path)) return null;
        try
        {
            var text = File.Exists(path) ? File.ReadAllText(path).Trim() : "";
            return text.Length > 0 ? text : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
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
