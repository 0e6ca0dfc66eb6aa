using System.Reflection;
using System.Runtime.InteropServices;

namespace ExpressHa.Service.Support;

/// <summary>The versions and OS facts a support engineer asks for first, read on the node. Every fact that cannot be
/// read is left out rather than failing the bundle.</summary>
public static class NodeFacts
{
    public static SortedDictionary<string, object?> Collect(string node, string cluster, string stateDir, string logSource)
    {
        var f = new SortedDictionary<string, object?>(StringComparer.Ordinal)
        {
            ["node"] = node,
            ["cluster"] = cluster,
            ["collectedAt"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ"),
            ["expresshadVersion"] = typeof(NodeFacts).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion,
            ["dotnet"] = RuntimeInformation.FrameworkDescription,
            ["os"] = RuntimeInformation.OSDescription,
            ["architecture"] = RuntimeInformation.OSArchitecture.ToString(),
            ["hostname"] = Environment.MachineName,
            ["processors"] = Environment.ProcessorCount,
            ["processId"] = Environment.ProcessId,
            ["processStartedAt"] = Started(),
            ["timeZone"] = TimeZoneInfo.Local.Id,
            ["stateDir"] = stateDir,
            ["serviceLog"] = logSource,
            ["osRelease"] = OsRelease(),
            ["kernel"] = ReadTrimmed("/proc/sys/kernel/osrelease"),
            ["uptimeSeconds"] = ReadTrimmed("/proc/uptime")?.Split(' ')[0],
            ["memTotal"] = MemInfo("MemTotal"),
            ["memAvailable"] = MemInfo("MemAvailable"),
            ["loadAverage"] = ReadTrimmed("/proc/loadavg"),
        };
        try
        {
            var drive = new DriveInfo(Path.GetFullPath(stateDir));
            f["stateDirFreeBytes"] = drive.AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException) { }
        foreach (var key in f.Where(kv => kv.Value == null).Select(kv => kv.Key).ToList()) f.Remove(key);
        return f;
    }

    static string? Started()
    {
        try { return System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ"); }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException) { return null; }
    }

    static string? OsRelease()
    {
        var text = ReadTrimmed("/etc/os-release");
        var line = text?.Split('\n').FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal));
        return line?["PRETTY_NAME=".Length..].Trim('"');
    }

    static string? MemInfo(string key)
        => ReadTrimmed("/proc/meminfo")?.Split('\n').FirstOrDefault(l => l.StartsWith(key + ":", StringComparison.Ordinal))?[(key.Length + 1)..].Trim();

    static string? ReadTrimmed(string path)
    {
        try { return File.Exists(path) ? File.ReadAllText(path).Trim() : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
