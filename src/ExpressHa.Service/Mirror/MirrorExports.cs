using System.Collections.Concurrent;
using ExpressHa.Service.Mirror.Nbd;

namespace ExpressHa.Service.Mirror;

/// <summary>The NBD exports of the mirrors active in this process (same keys as <see cref="MirrorEngines"/>).</summary>
public static class MirrorExports
{
    static readonly ConcurrentDictionary<string, NbdServer> Servers = new(StringComparer.Ordinal);

    public static NbdServer? Find(string key) => Servers.GetValueOrDefault(key);
    public static bool TryAdd(string key, NbdServer server) => Servers.TryAdd(key, server);
    public static NbdServer? Take(string key) => Servers.TryRemove(key, out var s) ? s : null;
}
