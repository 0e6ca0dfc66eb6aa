namespace ExpressHa.Service.Resources.MirrorFs;

/// <summary>Codes of the mirror resource's file-system steps, next to the resource's own 20-22 (see MirrorResource);
/// a step that does not finish in time is <see cref="ResourceErrorCodes.Timeout"/>, a tool that is not installed
/// <see cref="ResourceErrorCodes.CannotRun"/>.</summary>
public static class MirrorFsErrorCodes
{
    /// <summary>The export could not be attached as a block device (nbd-client, nbdfuse or losetup failed).</summary>
    public const int AttachFailed = 23;
    /// <summary>fsck -p left errors it could not correct; its output is in the alert.</summary>
    public const int CheckFailed = 24;
    /// <summary>The device holds something other than the configured file system: it is never formatted over.</summary>
    public const int NotFormatted = 25;
    /// <summary>mkfs or mount failed.</summary>
    public const int MountFailed = 26;
    /// <summary>The file system could not be unmounted, even after its holders were killed.</summary>
    public const int UnmountFailed = 27;
    /// <summary>The block device could not be detached.</summary>
    public const int DetachFailed = 28;
}
