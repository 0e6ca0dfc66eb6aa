using System.Diagnostics;

namespace ExpressHa.Service.Tests.Mirror.Nbd;

/// <summary>`expresshad nbd-serve` as a process: serves a file over a Unix socket and stops on SIGTERM.</summary>
[Trait("Category", TestCategory.Mirror)]
public sealed class NbdServeCommandTests
{
    [NeedsFact(Need.None, "nbdinfo", "qemu-io")]
    public async Task Nbd_serve_exports_a_file_until_sigterm()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ehanbd-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        try
        {
            var image = Path.Combine(dir, "disk.img");
            await File.WriteAllBytesAsync(image, new byte[2 << 20]);
            var socket = Path.Combine(dir, "nbd.sock");
            var dll = Path.Combine(Path.GetDirectoryName(typeof(ExpressHa.Service.Cli).Assembly.Location)!, "expresshad.dll");
            var psi = new ProcessStartInfo("dotnet")
            {
                ArgumentList = { dll, "nbd-serve", "--file", image, "--listen", "unix:" + socket, "--name", "disk" },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEndAsync();
            try
            {
                var ready = await p.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
                if (ready?.Contains("nbd: serving export 'disk'") != true)
                    Assert.Fail($"first line: {ready}\n{await ReadRest(p, stderr)}");

                var uri = $"nbd+unix:///disk?socket={socket}";
                var info = await ExternalTool.RunOkAsync("nbdinfo", "--size", uri);
                Assert.Equal("2097152", info.Stdout.Trim());
                await ExternalTool.RunOkAsync("qemu-io", "-f", "raw", "-c", "write -P 0x61 4096 4096", uri);
                var bytes = await File.ReadAllBytesAsync(image);
                Assert.All(bytes[4096..8192], b => Assert.Equal(0x61, b));

                Process.Start("kill", ["-TERM", p.Id.ToString()])!.WaitForExit();
                Assert.True(p.WaitForExit(30_000), "nbd-serve did not stop on SIGTERM");
                Assert.Equal(0, p.ExitCode);
                Assert.False(File.Exists(socket));
            }
            finally
            {
                if (!p.HasExited) p.Kill();
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    static async Task<string> ReadRest(Process p, Task<string> stderr)
    {
        if (!p.HasExited) p.Kill();
        return await p.StandardOutput.ReadToEndAsync() + await stderr;
    }
}
