namespace ExpressHa.Service.Mirror;

/// <summary>The standby's mapped data area as the place where a peer write's payload is received: the receive is the
/// write (one copy instead of a read into the link's buffer and a pwrite). A frame cut off in the middle leaves a torn,
/// unacknowledged write here; the primary sets that write's bits when its acknowledgement does not come, so the resync
/// after the break rewrites it.</summary>
internal sealed class InPlacePeerWrites(MirrorSide side) : IPeerWriteTarget
{
    public bool TryReceive(MirrorFrame header, int length, PayloadReader read)
    {
        if (!side.O.WritePath.ReceivesInPlace(length) || side.OpenCopy.Mapped(side.Log) is not { } map) return false;
        lock (side.Lock)
            if (side.Machine.IsPrimary) throw new InvalidDataException("the peer sent a write to the primary");
        if (header.A < 0 || header.A + length > side.O.SizeBytes) throw new InvalidDataException($"peer write at {header.A}+{length} is outside the device");
        using var use = map.Enter();
        if (side.O.WritePath == MirrorWritePath.MappedPrefault) map.Prefault(header.A, length);
        read(map.Span(header.A, length));
        return true;
    }
}
