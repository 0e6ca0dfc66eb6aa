using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ExpressHa.Service.Mirror;

/// <summary>The data area mapped shared into memory (Linux mmap): a socket receive into it lands in the page cache
/// directly, so the receive is the local write (one copy instead of a read into a buffer and a pwrite). The same pages
/// are what pread, pwrite and fsync see. The mapping is released only after its last user left (<see cref="Enter"/>):
/// an access after an unmap would crash the process instead of failing.</summary>
internal sealed unsafe class MappedDataArea : SafeHandle
{
    const int ProtRead = 1, ProtWrite = 2, MapShared = 1, MadvPopulateWrite = 23;
    const long PageSize = 4096;

    readonly long _length;

    MappedDataArea(IntPtr address, long length) : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle(address);
        _length = length;
    }

    public override bool IsInvalid => handle == IntPtr.Zero || handle == new IntPtr(-1);

    protected override bool ReleaseHandle() => munmap(handle, (nuint)_length) == 0;

    /// <summary>Maps [0, length) of the file, or returns null with the reason. A regular file's blocks are allocated
    /// first (fallocate): a page of a hole written through a mapping on a full file system raises SIGBUS instead of an
    /// error, so no hole may remain.</summary>
    public static MappedDataArea? TryMap(SafeFileHandle file, long length, bool regularFile, out string? why)
    {
        why = null;
        if (!OperatingSystem.IsLinux()) { why = "mapping the data area needs Linux"; return null; }
        bool added = false;
        file.DangerousAddRef(ref added);
        try
        {
            int fd = (int)file.DangerousGetHandle();
            if (regularFile && posix_fallocate(fd, 0, length) is var err and not 0)
            {
                why = $"fallocate of {length} bytes failed (errno {err})";
                return null;
            }
            var p = mmap(IntPtr.Zero, (nuint)length, ProtRead | ProtWrite, MapShared, fd, 0);
            if (p == new IntPtr(-1)) { why = $"mmap of {length} bytes failed (errno {Marshal.GetLastPInvokeError()})"; return null; }
            return new MappedDataArea(p, length);
        }
        finally { if (added) file.DangerousRelease(); }
    }

    /// <summary>Keeps the mapping while the returned value is not disposed; throws ObjectDisposedException once the
    /// copy is closed.</summary>
    public Use Enter()
    {
        bool added = false;
        DangerousAddRef(ref added);
        return new Use(this);
    }

    /// <summary>The bytes [offset, offset + length) of the data area (inside an <see cref="Enter"/>).</summary>
    public Span<byte> Span(long offset, int length)
    {
        Check(offset, length);
        return new Span<byte>((byte*)handle + offset, length);
    }

    /// <summary>The same bytes as memory for an asynchronous send (inside an <see cref="Enter"/> that outlasts the send).</summary>
    public Memory<byte> Memory(long offset, int length)
    {
        Check(offset, length);
        return new Region((byte*)handle + offset, length).Memory;
    }

    /// <summary>Makes the pages of [offset, offset + length) present and writable in one call (MADV_POPULATE_WRITE),
    /// instead of one write fault per 4 KiB page while a receive fills them; false where the kernel lacks it.</summary>
    public bool Prefault(long offset, int length)
    {
        Check(offset, length);
        long start = offset & ~(PageSize - 1), end = (offset + length + PageSize - 1) & ~(PageSize - 1);
        if (end > _length) end = _length;
        return madvise((IntPtr)((byte*)handle + start), (nuint)(end - start), MadvPopulateWrite) == 0;
    }

    void Check(long offset, int length)
    {
        if (offset < 0 || length < 0 || offset + length > _length)
            throw new ArgumentOutOfRangeException(nameof(offset), $"{offset}+{length} is outside the mapped {_length} bytes");
    }

    public readonly struct Use(MappedDataArea owner) : IDisposable
    {
        public void Dispose() => owner.DangerousRelease();
    }

    sealed class Region(byte* start, int length) : MemoryManager<byte>
    {
        public override Span<byte> GetSpan() => new(start, length);
        public override MemoryHandle Pin(int elementIndex = 0) => new(start + elementIndex);
        public override void Unpin() { }
        protected override void Dispose(bool disposing) { }
    }

    [DllImport("libc", SetLastError = true)]
    static extern IntPtr mmap(IntPtr addr, nuint length, int prot, int flags, int fd, long offset);

    [DllImport("libc", SetLastError = true)]
    static extern int madvise(IntPtr addr, nuint length, int advice);

    [DllImport("libc", SetLastError = true)]
    static extern int munmap(IntPtr addr, nuint length);

    /// <summary>Returns the error number itself (0 = done), not -1 and errno.</summary>
    [DllImport("libc")]
    static extern int posix_fallocate(int fd, long offset, long length);
}
