using ExpressHa.Config;

namespace ExpressHa.Service.Resources.MirrorFs;

/// <summary>The file-system parameters of one mirror resource on this node.</summary>
public sealed record MountSettings(
    string Resource,
    string MountPoint,
    string FsType,
    string? MountOptions,
    AttachMethod Attach,
    TimeSpan StepTimeout,
    TimeSpan CheckTimeout,
    TimeSpan UnmountGrace,
    string StateDir)
{
    /// <summary>Null when the resource has no mountPoint on this node (the export alone is the product).</summary>
    public static MountSettings? For(ResourceConfig r, string node, string stateDir)
    {
        if (r.GetParameter("mountPoint", node) is not { } mountPoint) return null;
        if (!Path.IsPathRooted(mountPoint))
            throw new ResourceException(ResourceErrorCodes.BadParameter, $"mountPoint of {r.Name} on {node} '{mountPoint}' is not an absolute path");
        return new MountSettings(
            r.Name,
            Path.TrimEndingDirectorySeparator(Path.GetFullPath(mountPoint)),
            r.GetParameter("fsType") as string ?? "ext4",
            r.GetParameter("mountOptions") as string,
            AttachMethods.Parse(r.GetParameter("attach") as string),
            TimeSpan.FromSeconds(r.GetParameter("mountTimeoutSeconds") as long? ?? 120),
            TimeSpan.FromSeconds(r.GetParameter("fsckTimeoutSeconds") as long? ?? 3600),
            TimeSpan.FromSeconds(r.GetParameter("unmountGraceSeconds") as long? ?? 10),
            stateDir);
    }

    /// <summary>The record of what this node attached and mounted (present from attach until a clean detach).</summary>
    public string RecordFile => Path.Combine(StateDir, $"mirror-{Resource}.attach.json");
    /// <summary>Where nbdfuse mounts the export as a file.</summary>
    public string FuseDir => Path.Combine(StateDir, $"mirror-{Resource}.fuse");
}
