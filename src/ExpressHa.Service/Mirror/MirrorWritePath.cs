namespace ExpressHa.Service.Mirror;

/// <summary>How a replicated write's payload moves through the primary and the standby (benches compare them in one
/// run). The acknowledgement rule is the same for all: the client's write returns once the peer acknowledged it.</summary>
public enum MirrorWritePath
{
    /// <summary>The payload is read whole into a buffer, written with pwrite and sent to the peer from that buffer; the
    /// standby reads each frame whole, then writes it.</summary>
    Copying,
    /// <summary>The payload is received straight into the data area mapped in memory (the receive is the local write)
    /// and sent to the peer from the mapping; the standby receives each frame's payload straight into its mapped area.</summary>
    Mapped,
    /// <summary>As <see cref="Mapped"/>, with each write's pages made present and writable in one call before the
    /// receive (no write fault per page).</summary>
    MappedPrefault,
    /// <summary>As <see cref="Mapped"/>, and on a plain link the primary's frames leave with sendfile from the page cache
    /// (no copy into the socket).</summary>
    MappedSendfile,
    /// <summary>Writes of up to one 64 KiB block as <see cref="Mapped"/> (a few pages: few write faults), larger ones
    /// as <see cref="Copying"/>.</summary>
    MappedSmall,
}

internal static class MirrorWritePaths
{
    public const int SmallWrite = 64 * 1024;

    /// <summary>Whether a payload of <paramref name="length"/> bytes is received straight into the mapped data area.</summary>
    public static bool ReceivesInPlace(this MirrorWritePath path, int length) => path switch
    {
        MirrorWritePath.Copying => false,
        MirrorWritePath.MappedSmall => length <= SmallWrite,
        _ => true,
    };
}
