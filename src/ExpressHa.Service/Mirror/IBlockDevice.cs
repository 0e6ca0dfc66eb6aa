namespace ExpressHa.Service.Mirror;

/// <summary>A fixed-size volume addressed in bytes: what the NBD server serves. The mirror's primary side implements it
/// (a write returns only when it is durable as the mirror's mode requires); <see cref="FileBlockDevice"/> is the plain one.</summary>
public interface IBlockDevice
{
    long Size { get; }
    /// <summary>True on a copy that must refuse writes (a standby, a suspended or read-only view).</summary>
    bool ReadOnly { get; }

    ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken ct);
    /// <summary>Writes data at offset; with fua the data is on stable storage (on every copy) before this returns.</summary>
    ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, bool fua, CancellationToken ct);
    /// <summary>Everything written before is on stable storage (on every copy) when this returns.</summary>
    ValueTask FlushAsync(CancellationToken ct);
    /// <summary>Writes zeroes over the range (trim and write-zeroes both come here; a device may punch holes).</summary>
    ValueTask WriteZeroesAsync(long offset, long length, bool fua, CancellationToken ct);
}

/// <summary>An I/O failure with the errno the NBD reply should carry (EIO 5, EPERM 1, ENOSPC 28, EINVAL 22, ESHUTDOWN 108).</summary>
public sealed class BlockDeviceException : IOException
{
    public BlockDeviceException(int errno, string message, Exception? inner = null) : base(message, inner) { Errno = errno; }
    public int Errno { get; }

    public const int EPERM = 1, EIO = 5, ENOMEM = 12, EINVAL = 22, ENOSPC = 28, EOVERFLOW = 75, ENOTSUP = 95, ESHUTDOWN = 108;
}
