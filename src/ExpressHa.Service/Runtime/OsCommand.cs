using System.Diagnostics;

namespace ExpressHa.Service.Runtime;

/// <summary>Runs an OS action command (shutdown, reboot) with sh -c, waiting at most 30 s; returns the error, if any.</summary>
public static class OsCommand
{
    public static string? Run(string command)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", command }, UseShellExecute = false });
            p?.WaitForExit(30000);
            return null;
        }
        catch (Exception ex)
        {
            return ex.Message;
        }
    }
}
