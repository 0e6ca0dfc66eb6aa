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
}
