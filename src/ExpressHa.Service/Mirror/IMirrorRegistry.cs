namespace ExpressHa.Service.Mirror;

/// <summary>The mirror engines running on this node (one per mirror resource of a group that lists this node) and the
/// NBD exports of the ones that are primary here. One instance per node, built by the node's composition and reached
/// by the mirror driver and monitors through their contexts.</summary>
public interface IMirrorRegistry
{
    IMirrorEngine? Find(string name);
    IReadOnlyList<IMirrorEngine> All { get; }
    MirrorExports Exports { get; }
}
