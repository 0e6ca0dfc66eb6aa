using System.Collections.Concurrent;
using ExpressHa.Service.Mirror.Nbd;

namespace ExpressHa.Service.Mirror;

/// <summary>The NBD exports of this node's primary mirrors, by mirror name (part of the node's <see cref="MirrorRegistry"/>).</summary>
public sealed class MirrorExports
{
    readonly ConcurrentDictionary<string, NbdServer> _servers = new(StringComparer.Ordinal);

    public NbdServer? Find(string mirror) => _servers.GetValueOrDefault(mirror);
    public bool TryAdd(string mirror, NbdServer server) => _servers.TryAdd(mirror, server);
    public NbdServer? Take(string mirror) => _servers.TryRemove(mirror, out var s) ? s : null;
}
