namespace ExpressHa.Service.Mirror;

/// <summary>The mirror engines running on this node (one per mirror resource of a group that lists this node).</summary>
public interface IMirrorRegistry
{
    IMirrorEngine? Find(string name);
    IReadOnlyList<IMirrorEngine> All { get; }
}
