using Microsoft.Win32.SafeHandles;

namespace ExpressHa.Service.Mirror;

/// <summary>An <see cref="IBlockDevice"/> over a fixed-size regular file or a block device, with positional
/// (thread-safe) I/O through <see cref="RandomAccess"/>. Calls block the calling thread until the I/O is done.</summary>
public sealed class FileBlockDevice : IBlockDevice, IDisposable
{
    const int ZeroChunk = 1 << 20;
    static readonly byte[] Zeroes = new byte[ZeroChunk];

    readonly SafeFileHandle _handle;

    /// <summary>Opens an existing file or block device. <paramref name="size"/> defaults to the file's length
    /// (for a block device, its size from sysfs); a file shorter than the size reads as zeroes past its end.</summary>
    public FileBlockDevice(string path, bool readOnly = false, long? size = null)
    {
        Path = path;
        ReadOnly = readOnly;
        _handle = File.OpenHandle(path, FileMode.Open, readOnly ? FileAccess.Read : FileAccess.ReadWrite,
            FileShare.ReadWrite, FileOptions.None);
        try
        {
            Size = size ?? DetectSize(path, _handle);
            if (Size < 0) throw new ArgumentOutOfRangeException(nameof(size), "size must not be negative");
        }
        catch
        {
            _handle.Dispose();
            throw;
        }
    }

    /// <summary>Creates (or truncates) a sparse file of <paramref name="size"/> bytes and opens it.</summary>
    public static FileBlockDevice Create(string path, long size)
    {
        using (var h = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite, FileOptions.None))
            RandomAccess.SetLength(h, size);
        return new FileBlockDevice(path);
    }

    public string Path { get; }
    public long Size { get; }
    public bool ReadOnly { get; }

    // Positional I/O runs synchronously on the caller's thread and the returned ValueTask is already complete.
    // RandomAccess's async path on Linux is a blocking call on a thread-pool thread plus two hand-offs, several
    // times the cost of a cached read; the NBD server calls from each connection's own thread, where blocking is fine.
    public ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken ct) => Run(() => Read(offset, buffer.Span), ct);

    public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, bool fua, CancellationToken ct)
        => Run(() => Write(offset, data.Span, fua), ct);

    public ValueTask FlushAsync(CancellationToken ct) => Run(() =>
    {
        if (!ReadOnly) Sync("flush", () => RandomAccess.FlushToDisk(_handle));
    }, ct);

    public ValueTask WriteZeroesAsync(long offset, long length, bool fua, CancellationToken ct) => Run(() =>
    {
        CheckWritable();
        CheckRange(offset, length);
        Sync("write zeroes", () =>
        {
            for (long done = 0; done < length;)
            {
                var n = (int)Math.Min(ZeroChunk, length - done);
                RandomAccess.Write(_handle, Zeroes.AsSpan(0, n), offset + done);
                done += n;
            }
            if (fua) RandomAccess.FlushToDisk(_handle);
        });
    }, ct);

    void Read(long offset, Span<byte> buffer)
    {
        CheckRange(offset, buffer.Length);
        var done = 0;
        try
        {
            while (done < buffer.Length)
            {
                var n = RandomAccess.Read(_handle, buffer[done..], offset + done);
                if (n == 0)
                {
                    // Past the end of a file shorter than the device's size: the unwritten tail reads as zeroes.
                    buffer[done..].Clear();
                    return;
                }
                done += n;
            }
        }
        catch (IOException e) when (e is not BlockDeviceException)
        {
            throw Translate(e, "read");
        }
    }

    void Write(long offset, ReadOnlySpan<byte> data, bool fua)
    {
        CheckWritable();
        CheckRange(offset, data.Length);
        try
        {
            RandomAccess.Write(_handle, data, offset);
            if (fua) RandomAccess.FlushToDisk(_handle);
        }
        catch (IOException e) when (e is not BlockDeviceException)
        {
            throw Translate(e, "write");
        }
    }

    void Sync(string what, Action action)
    {
        try
        {
            action();
        }
        catch (IOException e) when (e is not BlockDeviceException)
        {
            throw Translate(e, what);
        }
    }

    static ValueTask Run(Action action, CancellationToken ct)
    {
        try
        {
            ct.ThrowIfCancellationRequested();
            action();
            return ValueTask.CompletedTask;
        }
        catch (Exception e)
        {
            return ValueTask.FromException(e);
        }
    }

    public void Dispose() => _handle.Dispose();

    void CheckWritable()
    {
        if (ReadOnly) throw new BlockDeviceException(BlockDeviceException.EPERM, $"{Path} is read-only");
    }

    void CheckRange(long offset, long length)
    {
        if (offset < 0 || length < 0 || offset > Size - length)
            throw new BlockDeviceException(BlockDeviceException.EINVAL,
                $"range {offset}+{length} is outside {Path} (size {Size})");
    }

    BlockDeviceException Translate(IOException e, string what)
    {
        // On Unix the runtime puts the raw errno into HResult for I/O errors it does not map to a special type.
        var errno = e.HResult == BlockDeviceException.ENOSPC ? BlockDeviceException.ENOSPC : BlockDeviceException.EIO;
        return new BlockDeviceException(errno, $"{what} on {Path} failed: {e.Message}", e);
    }

    static long DetectSize(string path, SafeFileHandle handle)
    {
        var length = RandomAccess.GetLength(handle);
        if (length > 0 || !OperatingSystem.IsLinux()) return length;
        // fstat reports 0 for a block device; sysfs has its size in 512-byte sectors.
        var real = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? System.IO.Path.GetFullPath(path);
        var sectors = System.IO.Path.Combine("/sys/class/block", System.IO.Path.GetFileName(real), "size");
        return File.Exists(sectors) && long.TryParse(File.ReadAllText(sectors).Trim(), out var s) ? s * 512 : length;
    }
}
