using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;

namespace ExpressHa.Cmdlets
{
    /// <summary>Writes a secret to a file only its owner can read: on Unix the file is created empty, set to mode 0600,
    /// and only then filled, then renamed into place (so a reader never sees a partial key or a readable one). On
    /// Windows the file inherits its folder's ACL.</summary>
    internal static class OwnerOnlyFile
    {
        const int OwnerReadWrite = 0x180; // 0600

        [DllImport("libc", SetLastError = true, EntryPoint = "chmod")]
        static extern int Chmod(string path, int mode);

        public static bool IsUnix => !RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        public static void Write(string path, byte[] content, bool overwrite)
        {
            var dir = Path.GetDirectoryName(path);
            if (string.IsNullOrEmpty(dir)) dir = ".";
            var temp = Path.Combine(dir, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");
            try
            {
                using (new FileStream(temp, FileMode.CreateNew, FileAccess.Write)) { }
                if (IsUnix) RestrictToOwner(temp);
                using (var fs = new FileStream(temp, FileMode.Truncate, FileAccess.Write))
                {
                    fs.Write(content, 0, content.Length);
                    fs.Flush(true);
                }
                if (overwrite && File.Exists(path)) File.Delete(path);
                File.Move(temp, path);
            }
            finally
            {
                if (File.Exists(temp)) File.Delete(temp);
            }
        }

        static void RestrictToOwner(string path)
        {
            try
            {
                if (Chmod(path, OwnerReadWrite) == 0) return;
                throw new IOException($"chmod 600 {path} failed (errno {Marshal.GetLastWin32Error()})");
            }
            catch (Exception ex) when (ex is DllNotFoundException || ex is EntryPointNotFoundException)
            {
                using (var p = Process.Start(new ProcessStartInfo("chmod", "600 \"" + path.Replace("\"", "\\\"") + "\"") { UseShellExecute = false }))
                {
                    p!.WaitForExit();
                    if (p.ExitCode != 0) throw new IOException($"chmod 600 {path} exited with {p.ExitCode}");
                }
            }
        }
    }
}
