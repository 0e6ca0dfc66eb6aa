namespace ExpressHa.Service.Mirror;

/// <summary>A device that takes a large write piece by piece while its payload is still arriving, so it can pass each
/// piece on (to the peer) before the whole payload is in.</summary>
internal interface IStreamedWriteDevice
{
    /// <summary>False: the payload is to be read whole and given to WriteAsync.</summary>
    bool AcceptsStreamedWrites { get; }

    /// <summary>One write of <paramref name="buffer"/>.Length bytes at <paramref name="offset"/>, with the guarantees of
    /// <see cref="IBlockDevice.WriteAsync"/>. <paramref name="fill"/> reads the next piece of the payload into the slice
    /// it is given (in order, blocking); when it throws, what was already filled is written (every copy gets the same
    /// bytes) and the exception leaves, so the rest is the caller's to handle.</summary>
    void WriteStreamed(long offset, Memory<byte> buffer, bool fua, Action<Memory<byte>> fill, CancellationToken ct);
}
