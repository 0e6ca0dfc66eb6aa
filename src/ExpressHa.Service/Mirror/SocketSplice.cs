using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ExpressHa.Service.Mirror;

/// <summary>Moves bytes from a TCP socket into a file at an offset through a kernel pipe (Linux splice(2)): the payload
/// never enters user memory, and it is written while it arrives rather than once read whole. One pipe per instance;
/// not thread-safe (the link's receive thread owns it).</summary>
internal sealed class SocketSplice : IDisposable
{
    const uint SpliceMove = 1, SpliceNonblock = 2;
    const int FSetPipeSize = 1031, OCloexec = 0x80000, EAgain = 11, EIntr = 4;
    const short PollIn = 1;
    const int PipeBytes = 1 << 20;

    [StructLayout(LayoutKind.Sequential)]
    struct PollFd { public int Fd; public short Events; public short Revents; }

    [DllImport("libc", SetLastError = true)] static extern nint splice(int fdIn, IntPtr offIn, int fdOut, IntPtr offOut, nuint len, uint flags);
    [DllImport("libc", SetLastError = true)] static extern nint splice(int fdIn, IntPtr offIn, int fdOut, ref long offOut, nuint len, uint flags);
    [DllImport("libc", SetLastError = true)] static extern int pipe2([Out] int[] fds, int flags);
    [DllImport("libc", SetLastError = true)] static extern int fcntl(int fd, int cmd, int arg);
    [DllImport("libc", SetLastError = true)] static extern int poll(ref PollFd fds, nuint nfds, int timeout);
    [DllImport("libc", SetLastError = true)] static extern int close(int fd);

    readonly int _read, _write, _capacity;
    int _disposed;

    /// <summary>True on Linux; elsewhere the link reads payloads into memory.</summary>
    public static bool Supported => OperatingSystem.IsLinux();

    public SocketSplice()
    {
        var fds = new int[2];
        if (pipe2(fds, OCloexec) != 0) throw new IOException($"pipe2 failed: errno {Marshal.GetLastPInvokeError()}");
        _read = fds[0];
        _write = fds[1];
        // A larger pipe moves a whole frame per call; the default (64 KiB) still works.
        var size = fcntl(_write, FSetPipeSize, PipeBytes);
        _capacity = size > 0 ? size : 64 * 1024;
    }

    /// <summary>Moves exactly <paramref name="length"/> bytes from the socket into the file at <paramref name="offset"/>.
    /// Throws <see cref="EndOfStreamException"/> when the socket ends first, <see cref="IOException"/> on an error; either
    /// way the stream is then out of step and the link must be closed.</summary>
    public void ToFile(Socket socket, SafeFileHandle file, long offset, int length)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        int sock = (int)socket.SafeHandle.DangerousGetHandle();
        int fd = (int)file.DangerousGetHandle();
        long remaining = length;
        while (remaining > 0)
        {
            var n = splice(sock, IntPtr.Zero, _write, IntPtr.Zero, (nuint)Math.Min(remaining, _capacity), SpliceMove | SpliceNonblock);
            if (n == 0) throw new EndOfStreamException("the mirror link closed in the middle of a write");
            if (n < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == EAgain) { WaitReadable(sock); continue; }
                if (errno == EIntr) continue;
                throw new IOException($"splice from the mirror link failed: errno {errno}");
            }
            long left = n;
            while (left > 0)
            {
                var m = splice(_read, IntPtr.Zero, fd, ref offset, (nuint)left, SpliceMove);
                if (m < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == EIntr) continue;
                    throw new IOException($"splice into the data file failed: errno {errno}");
                }
                if (m == 0) throw new IOException("splice into the data file wrote nothing");
                left -= m;
            }
            remaining -= n;
        }
    }

    static void WaitReadable(int sock)
    {
        var p = new PollFd { Fd = sock, Events = PollIn };
        while (poll(ref p, 1, -1) < 0 && Marshal.GetLastPInvokeError() == EIntr) { }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        close(_read);
        close(_write);
    }
}
