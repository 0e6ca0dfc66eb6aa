namespace ExpressHa.Testing;

/// <summary>What a test needs from the machine beyond .NET; tools are named separately (<see cref="Requirements"/>).</summary>
[Flags]
public enum Need
{
    None = 0,
    /// <summary>Root: loop devices, mount, a file system on a FUSE-attached device.</summary>
    Root = 1,
    /// <summary>Root and ip netns.</summary>
    Namespaces = 2,
}
