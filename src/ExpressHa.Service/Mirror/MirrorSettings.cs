using System.Net;
using ExpressHa.Config;

namespace ExpressHa.Service.Mirror;

/// <summary>A mirror resource of the config as this node's engine needs it. A mirror has exactly two servers: this node
/// and its peer.</summary>
public static class MirrorSettings
{
    public const long MiB = 1024 * 1024;

    /// <summary>The mirror resources of the groups this node serves.</summary>
    public static IEnumerable<(GroupConfig Group, ResourceConfig Resource)> MirrorsOf(ClusterConfig config, string self)
        => config.Groups.Where(g => g.Servers.Contains(self, StringComparer.Ordinal))
            .SelectMany(g => g.Resources.Where(r => r.Type == "mirror").Select(r => (g, r)));

    /// <summary>The engine options for this node; an ArgumentException names the parameter and the fix.</summary>
    public static MirrorOptions For(ClusterConfig config, GroupConfig group, ResourceConfig r, string self, byte[] clusterKey)
    {
        var peers = group.Servers.Where(s => s != self).ToList();
        if (peers.Count != 1)
            throw new ArgumentException($"mirror {r.Name}: group {group.Name} has {group.Servers.Count} servers; a mirror needs exactly two (this node and one peer)");
        var peer = peers[0];
        var port = r.GetParameter("mirrorPort") is long p ? (int)p : 29051;
        var keyFile = r.GetParameter("keyFile", self);
        return new MirrorOptions
        {
            Name = r.Name,
            LocalNode = self,
            PeerNode = peer,
            DataPath = PerNode(r, "dataPath", self),
            MetaPath = PerNode(r, "metaPath", self),
            SizeBytes = (r.GetParameter("sizeMiB") as long? ?? throw new ArgumentException($"mirror {r.Name}: sizeMiB is not set")) * MiB,
            ListenEndPoint = new IPEndPoint(Address(r, self), port),
            PeerEndPoint = new IPEndPoint(Address(r, peer), port),
            ClusterKey = clusterKey,
            EncryptionKey = keyFile == null ? null : MirrorKeyFile.Read(keyFile),
            SyncRateBytesPerSecond = (r.GetParameter("syncRateMiBps") as long? ?? 100) * MiB,
        };
    }

    static string PerNode(ResourceConfig r, string name, string node)
        => r.GetParameter(name, node)
            ?? throw new ArgumentException($"mirror {r.Name}: {name} has no value for node {node}; give one per server");

    static IPAddress Address(ResourceConfig r, string node)
    {
        var text = PerNode(r, "mirrorAddress", node);
        return IPAddress.TryParse(text, out var ip) ? ip : throw new ArgumentException($"mirror {r.Name}: mirrorAddress of {node} '{text}' is not an IP address");
    }
}
