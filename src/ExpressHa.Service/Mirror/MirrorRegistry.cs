using System.Collections.Concurrent;

namespace ExpressHa.Service.Mirror;

/// <summary>The mirror engines of this node, by name, and their NBD exports.</summary>
public sealed class MirrorRegistry : IMirrorRegistry
{
    readonly ConcurrentDictionary<string, IMirrorEngine> _engines = new(StringComparer.Ordinal);

    public IMirrorEngine? Find(string name) => _engines.TryGetValue(name, out var e) ? e : null;

    public IReadOnlyList<IMirrorEngine> All => _engines.Values.OrderBy(e => e.Name, StringComparer.Ordinal).ToList();

    public MirrorExports Exports { get; } = new();

    public void Add(IMirrorEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        if (!_engines.TryAdd(engine.Name, engine)) throw new InvalidOperationException($"mirror '{engine.Name}' is already registered");
    }

    public bool Remove(string name) => _engines.TryRemove(name, out _);

    /// <summary>Removes the engine only when it is the one registered under its name.</summary>
    public bool Remove(IMirrorEngine engine) => _engines.TryRemove(new KeyValuePair<string, IMirrorEngine>(engine.Name, engine));
}
