namespace ExpressHa.Service.Mirror;

/// <summary>The standby's place for a peer write's payload while it arrives.</summary>
internal interface IPeerWriteTarget
{
    /// <summary>Receives <paramref name="length"/> bytes of the Write frame <paramref name="header"/> with
    /// <paramref name="read"/> straight into where they are stored and returns true; false = not now (the link reads the
    /// payload into its buffer). Throws on a write the peer may not send (outside the device, or to a primary).</summary>
    bool TryReceive(MirrorFrame header, int length, PayloadReader read);
}
