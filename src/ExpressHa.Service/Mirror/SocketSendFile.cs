using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ExpressHa.Service.Mirror;

/// <summary>sendfile(2): bytes of a file go from the page cache into a TCP socket by reference, without a copy through
/// user memory. The socket is non-blocking underneath .NET's Socket, so a full send buffer is waited out with poll.</summary>
internal static class SocketSendFile
{
    const int EAGAIN = 11, EINTR = 4;
    const short POLLOUT = 4;

    public static void Send(Socket socket, SafeFileHandle file, long offset, int count, CancellationToken ct)
    {
        bool sockRef = false, fileRef = false;
        var sh = socket.SafeHandle;
        try
        {
            sh.DangerousAddRef(ref sockRef);
            file.DangerousAddRef(ref fileRef);
            int sfd = (int)sh.DangerousGetHandle(), ffd = (int)file.DangerousGetHandle();
            long off = offset, end = offset + count;
            while (off < end)
            {
                ct.ThrowIfCancellationRequested();
                nint r = sendfile(sfd, ffd, ref off, (nuint)(end - off));
                if (r > 0) continue;
                if (r == 0) throw new IOException($"sendfile: the file ended at {off}, before {end}");
                int errno = Marshal.GetLastPInvokeError();
                if (errno == EINTR) continue;
                if (errno != EAGAIN) throw new IOException($"sendfile failed (errno {errno})");
                var p = new PollFd { Fd = sfd, Events = POLLOUT };
                if (poll(ref p, 1, 1000) < 0 && Marshal.GetLastPInvokeError() != EINTR)
                    throw new IOException($"poll failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            if (fileRef) file.DangerousRelease();
            if (sockRef) sh.DangerousRelease();
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    struct PollFd
    {
        public int Fd;
        public short Events;
        public short REvents;
    }

    [DllImport("libc", SetLastError = true)]
    static extern nint sendfile(int outFd, int inFd, ref long offset, nuint count);

    [DllImport("libc", SetLastError = true)]
    static extern int poll(ref PollFd fds, nuint nfds, int timeoutMs);
}
