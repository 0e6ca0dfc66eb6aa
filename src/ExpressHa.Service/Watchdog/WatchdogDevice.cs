using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace ExpressHa.Service.Watchdog;

/// <summary>An armed watchdog: the Linux watchdog API (/dev/watchdog, a hardware driver or softdog). Opening arms it;
/// every <see cref="Feed"/> restarts its countdown; <see cref="Disarm"/> writes the magic 'V' before closing, so an
/// orderly stop does not reset the machine (unless the driver was built with nowayout). A process that dies closes it
/// without the 'V' and the machine resets when the countdown runs out.
/// A path outside /dev is a stand-in: a plain file that each feed rewrites ("armed MS", then "feed N", finally "V"),
/// for tests and the demo, whose harness plays the reset when the feeds stop.</summary>
public sealed class WatchdogDevice : IDisposable
{
    // _IOWR('W', 6, int) and _IOR('W', 7, int) from linux/watchdog.h.
    const uint WDIOC_SETTIMEOUT = 0xC0045706;
    const uint WDIOC_GETTIMEOUT = 0x80045707;

    [DllImport("libc", SetLastError = true)]
    static extern int ioctl(int fd, uint request, ref int value);

    readonly SafeFileHandle _handle;
    readonly object _gate = new();
    long _feeds;
    bool _closed;

    WatchdogDevice(SafeFileHandle handle, string path, bool standIn, int timeoutMs)
    {
        _handle = handle;
        Path = path;
        IsStandIn = standIn;
        TimeoutMs = timeoutMs;
    }

    public string Path { get; }
    public bool IsStandIn { get; }
    /// <summary>The countdown the device really runs (a device may round the asked timeout up to whole seconds).</summary>
    public int TimeoutMs { get; }

    public static bool IsStandInPath(string path) => !path.StartsWith("/dev/", StringComparison.Ordinal);

    /// <summary>Opens and arms the device with <paramref name="timeoutMs"/>.</summary>
    /// <exception cref="InvalidOperationException">the device cannot be opened or does not take the timeout; the message
    /// says what to do.</exception>
    public static WatchdogDevice Open(string path, int timeoutMs)
    {
        if (IsStandInPath(path))
        {
            try
            {
                var h = File.OpenHandle(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite);
                var device = new WatchdogDevice(h, path, standIn: true, timeoutMs);
                device.WriteText($"armed {timeoutMs}\n");
                return device;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException($"the watchdog stand-in '{path}' cannot be written: {ex.Message}", ex);
            }
        }
        SafeFileHandle handle;
        try { handle = File.OpenHandle(path, FileMode.Open, FileAccess.Write); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"the watchdog device '{path}' cannot be opened ({ex.Message}); where the machine has no hardware " +
                "watchdog load the softdog module (modprobe softdog, and list it in /etc/modules-load.d/) or set cluster.watchdog.device", ex);
        }
        var seconds = Math.Max(1, (timeoutMs + 999) / 1000);
        var fd = (int)handle.DangerousGetHandle();
        var asked = seconds;
        if (ioctl(fd, WDIOC_SETTIMEOUT, ref asked) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            var device = new WatchdogDevice(handle, path, false, timeoutMs);
            device.Disarm();
            throw new InvalidOperationException($"the watchdog device '{path}' refused a timeout of {seconds} s (errno {errno}); choose a timeout the driver supports");
        }
        var actual = 0;
        if (ioctl(fd, WDIOC_GETTIMEOUT, ref actual) != 0 || actual <= 0) actual = asked;
        return new WatchdogDevice(handle, path, false, actual * 1000);
    }

    /// <summary>Restarts the countdown.</summary>
    public void Feed()
    {
        lock (_gate)
        {
            if (_closed) return;
            var n = ++_feeds;
            if (IsStandIn) WriteText($"feed {n}\n");
            else RandomAccess.Write(_handle, "\0"u8, 0);
        }
    }

    /// <summary>Magic close: the device stops counting. Only after everything this node ran has stopped.</summary>
    public void Disarm()
    {
        lock (_gate)
        {
            if (_closed) return;
            try
            {
                if (IsStandIn) WriteText("V\n");
                else RandomAccess.Write(_handle, "V"u8, 0);
            }
            catch (IOException) { }
            _closed = true;
            _handle.Dispose();
        }
    }

    void WriteText(string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text.PadRight(24));
        RandomAccess.Write(_handle, bytes, 0);
    }

    /// <summary>Closes without the magic character: a watchdog keeps counting and resets the machine.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_closed) return;
            _closed = true;
            _handle.Dispose();
        }
    }
}
