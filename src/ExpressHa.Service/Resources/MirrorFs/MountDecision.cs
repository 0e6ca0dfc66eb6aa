namespace ExpressHa.Service.Resources.MirrorFs;

/// <summary>What the attached device holds, as blkid and a look at its first bytes tell.</summary>
public enum DeviceContent
{
    /// <summary>No signature and the first bytes are zero: a device never used.</summary>
    Empty,
    /// <summary>A file system of the configured type.</summary>
    ExpectedFileSystem,
    /// <summary>A file system or other signature of another type (a partition table, LVM, swap, ...).</summary>
    OtherSignature,
    /// <summary>No signature blkid knows, but the first bytes are not zero: data of some kind.</summary>
    UnknownData,
}

/// <summary>How the file system was left the last time it was used, as far as this node can tell.</summary>
public enum LastStop
{
    /// <summary>Unmounted cleanly (for ext2/3/4: state clean and no journal recovery pending).</summary>
    Clean,
    /// <summary>Left mounted: the node that used it crashed, or this node left an attachment behind.</summary>
    Unclean,
    /// <summary>The file system type has no clean flag this code reads (xfs): treated as unclean.</summary>
    Unknown,
}

public enum MountAction
{
    /// <summary>Create the file system (first use only).</summary>
    MakeFileSystem,
    /// <summary>fsck -p before mounting.</summary>
    Check,
    Mount,
}

/// <summary>The steps to take, or why none may be taken.</summary>
public sealed record MountPlan(IReadOnlyList<MountAction> Actions, string? Refusal)
{
    public bool Refused => Refusal is not null;
    public override string ToString() => Refused ? "refuse: " + Refusal : string.Join(", ", Actions);
}

/// <summary>Make the file system or not, check it or not: PURE. A file system is created only on a device that holds
/// nothing; one that holds anything else is never formatted over.</summary>
public static class MountDecision
{
    public static MountPlan Decide(DeviceContent content, LastStop lastStop, string fsType, string? foundType)
        => content switch
        {
            DeviceContent.Empty => new(new[] { MountAction.MakeFileSystem, MountAction.Mount }, null),
            DeviceContent.ExpectedFileSystem when lastStop == LastStop.Clean => new(new[] { MountAction.Mount }, null),
            DeviceContent.ExpectedFileSystem => new(new[] { MountAction.Check, MountAction.Mount }, null),
            DeviceContent.OtherSignature => new(Array.Empty<MountAction>(),
                $"the device holds {foundType ?? "a signature"}, not {fsType}; nothing is created over it (set fsType to {foundType ?? "its type"}, or wipe the device with wipefs if its data is not needed)"),
            _ => new(Array.Empty<MountAction>(),
                $"the device holds data but no file system blkid recognises; nothing is created over it (wipe the device with wipefs or zero its start if its data is not needed)"),
        };
}
