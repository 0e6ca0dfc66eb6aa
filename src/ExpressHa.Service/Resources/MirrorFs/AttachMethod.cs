namespace ExpressHa.Service.Resources.MirrorFs;

/// <summary>How the active node turns its own NBD export into a block device.</summary>
public enum AttachMethod
{
    /// <summary>The kernel NBD client (nbd-client, /dev/nbdN): needs the nbd kernel module.</summary>
    NbdClient,
    /// <summary>nbdfuse (FUSE) presents the export as a file, a loop device carries it: needs /dev/fuse and loop devices.</summary>
    NbdFuse,
}

public static class AttachMethods
{
    public const string NbdClientName = "nbd-client";
    public const string NbdFuseName = "nbdfuse";

    public static AttachMethod Parse(string? value)
        => value switch
        {
            null or NbdClientName => AttachMethod.NbdClient,
            NbdFuseName => AttachMethod.NbdFuse,
            _ => throw new ResourceException(ResourceErrorCodes.BadParameter, $"attach '{value}' is not known; use {NbdClientName} or {NbdFuseName}"),
        };

    public static string Name(AttachMethod method) => method == AttachMethod.NbdFuse ? NbdFuseName : NbdClientName;
}
