using Microsoft.Win32.SafeHandles;

namespace ExpressHa.Service.Mirror;

/// <summary>An <see cref="IBlockDevice"/> over a fixed-size regular file or a block device, with positional
/// (thread-safe) I/O through <see cref="RandomAccess"/>.</summary>
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

    public async ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken ct)
    {
        CheckRange(offset, buffer.Length);
        var done = 0;
        while (done < buffer.Length)
        {
            int n;
            try
            {
                n = await RandomAccess.ReadAsync(_handle, buffer[done..], offset + done, ct).ConfigureAwait(false);
            }
            catch (IOException e) when (e is not BlockDeviceException)
            {
                throw Translate(e, "read");
            }
            if (n == 0)
            {
                // Past the end of a file shorter than the device's size: the unwritten tail reads as zeroes.
                buffer.Span[done..].Clear();
                return;
            }
            done += n;
        }
    }

    public async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, bool fua, CancellationToken ct)
    {
        CheckWritable();
        CheckRange(offset, data.Length);
        try
        {
            await RandomAccess.WriteAsync(_handle, data, offset, ct).ConfigureAwait(false);
            if (fua) RandomAccess.FlushToDisk(_handle);
        }
        catch (IOException e) when (e is not BlockDeviceException)
        {
            throw Translate(e, "write");
        }
    }

    public ValueTask FlushAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (ReadOnly) return ValueTask.CompletedTask;
        try
        {
            RandomAccess.FlushToDisk(_handle);
        }
        catch (IOException e) when (e is not BlockDeviceException)
        {
            throw Translate(e, "flush");
        }
        return ValueTask.CompletedTask;
    }

    public async ValueTask WriteZeroesAsync(long offset, long length, bool fua, CancellationToken ct)
    {
        CheckWritable();
        CheckRange(offset, length);
        try
        {
            for (long done = 0; done < length;)
            {
                var n = (int)Math.Min(ZeroChunk, length - done);
                await RandomAccess.WriteAsync(_handle, Zeroes.AsMemory(0, n), offset + done, ct).ConfigureAwait(false);
                done += n;
            }
            if (fua) RandomAccess.FlushToDisk(_handle);
        }
        catch (IOException e) when (e is not BlockDeviceException)
        {
            throw Translate(e, "write zeroes");
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
