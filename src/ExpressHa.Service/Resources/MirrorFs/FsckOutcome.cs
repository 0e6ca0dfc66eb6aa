namespace ExpressHa.Service.Resources.MirrorFs;

public enum FsckResult
{
    Clean,
    /// <summary>Errors found and corrected (exit 1 or 2): the file system can be mounted; an alert says so.</summary>
    Corrected,
    /// <summary>Errors left uncorrected, or fsck itself failed (exit 4 and above): the mount is refused.</summary>
    Failed,
}

/// <summary>fsck's exit status (a bit mask, fsck(8)) as a decision: PURE.</summary>
public static class FsckOutcome
{
    public static FsckResult FromExitCode(int exitCode)
        => exitCode switch
        {
            0 => FsckResult.Clean,
            < 0 => FsckResult.Failed,
            _ when (exitCode & ~3) != 0 => FsckResult.Failed,
            _ => FsckResult.Corrected,
        };
}
