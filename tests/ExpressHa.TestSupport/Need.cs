namespace ExpressHa.Testing;

/// <summary>What a test needs from the machine beyond .NET; tools are named separately (<see cref="Requirements"/>).</summary>
[Flags]
public enum Need
{
    None = 0,
    /// <summary>Root (loop devices, mount, FUSE mounts of devices, /dev/watchdog stand-ins do not need it).</summary>
    Root = 1,
    /// <summary>Root and ip netns.</summary>
    Namespaces = 2,
}
