using System.Runtime.InteropServices;

namespace ExpressHa.Service.Monitors;

/// <summary>One read at offset 0 of a device or file through open(2)/pread(2), optionally with O_DIRECT so the page
/// cache cannot answer for the device. Blocking: a hung device blocks the calling thread, so callers run it on a
/// thread of its own.</summary>
public static class DirectRead
{
    const int ORdOnly = 0, OCloexec = 0x80000, EInvalid = 22, EInterrupted = 4;
    const int Alignment = 4096;

    /// <summary>O_DIRECT differs between architectures.</summary>
    static int ODirect => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x10000 : 0x4000;

    /// <summary>The outcome: bytes read, or the errno and its text; <c>Direct</c> says whether O_DIRECT was used
    /// (false when asked but the file system refused it).</summary>
    public sealed record Outcome(long Bytes, int Errno, string? Error, bool Direct);

    public static Outcome Read(string path, int size, bool direct)
    {
        int fd = -1;
        var usedDirect = direct;
        if (direct)
        {
            fd = open(path, ORdOnly | OCloexec | ODirect);
            if (fd < 0 && Marshal.GetLastPInvokeError() == EInvalid) usedDirect = false; // tmpfs and others refuse O_DIRECT
            else if (fd < 0) return Failed(usedDirect);
        }
        if (fd < 0) fd = open(path, ORdOnly | OCloexec);
        if (fd < 0) return Failed(usedDirect);

        var length = usedDirect ? (size + Alignment - 1) / Alignment * Alignment : size;
        var block = Marshal.AllocHGlobal(length + Alignment);
        var buffer = (IntPtr)(((long)block + Alignment - 1) / Alignment * Alignment);
        try
        {
            long n;
            do n = pread(fd, buffer, (nuint)length, 0);
            while (n < 0 && Marshal.GetLastPInvokeError() == EInterrupted);
            return n < 0 ? Failed(usedDirect) : new Outcome(n, 0, null, usedDirect);
        }
        finally
        {
            Marshal.FreeHGlobal(block);
            close(fd);
        }
    }

    static Outcome Failed(bool direct)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new Outcome(-1, errno, Marshal.GetPInvokeErrorMessage(errno), direct);
    }

    [DllImport("libc", SetLastError = true)]
    static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    static extern long pread(int fd, IntPtr buffer, nuint count, long offset);

    [DllImport("libc")]
    static extern int close(int fd);
}
