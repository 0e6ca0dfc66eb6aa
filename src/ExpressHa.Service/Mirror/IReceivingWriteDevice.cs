namespace ExpressHa.Service.Mirror;

/// <summary>Reads the next bytes of a payload that is still arriving into <paramref name="into"/> (all of it, in order,
/// blocking); throws when the sender broke off.</summary>
internal delegate void PayloadReader(Span<byte> into);

/// <summary>A device that reads a write's payload from the connection itself, straight into where it is stored, so the
/// payload is not first read into a buffer and then copied.</summary>
internal interface IReceivingWriteDevice
{
    /// <summary>False: the connection reads a payload of <paramref name="length"/> bytes into a buffer and calls
    /// <see cref="IBlockDevice.WriteAsync"/>.</summary>
    bool ReceivesPayload(int length);

    /// <summary>One write of <paramref name="length"/> bytes at <paramref name="offset"/> with the guarantees of
    /// <see cref="IBlockDevice.WriteAsync"/>; <paramref name="receive"/> gives the payload piece by piece. When it throws,
    /// the device has recorded what already landed (the copies may differ there) and lets the exception leave. A device
    /// failing before it took the whole payload leaves the rest for the caller to read off.</summary>
    void WriteReceived(long offset, int length, bool fua, PayloadReader receive, CancellationToken ct);
}
