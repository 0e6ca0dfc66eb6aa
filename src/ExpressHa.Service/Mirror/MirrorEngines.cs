using System.Collections.Concurrent;

namespace ExpressHa.Service.Mirror;

/// <summary>The mirror engines running in this process, by cluster, node and resource: where the mirror resource driver
/// and the mirror monitors find the engine their node's service started (a test may run several nodes in one process).</summary>
public static class MirrorEngines
{
    static readonly ConcurrentDictionary<string, IMirrorEngine> Engines = new(StringComparer.Ordinal);

    public static string Key(string cluster, string node, string mirror) => cluster + "\n" + node + "\n" + mirror;

    public static IMirrorEngine? Find(string cluster, string node, string mirror) => Engines.GetValueOrDefault(Key(cluster, node, mirror));

    public static void Add(string cluster, string node, IMirrorEngine engine) => Engines[Key(cluster, node, engine.Name)] = engine;

    public static void Remove(string cluster, string node, IMirrorEngine engine)
        => Engines.TryRemove(new KeyValuePair<string, IMirrorEngine>(Key(cluster, node, engine.Name), engine));
}
