using System.Runtime.InteropServices;

namespace ExpressHa.Testing;

/// <summary>Whether this machine has what a test needs, and the reason to give when it has not. With
/// EXPRESSHA_REQUIRE_ALL=1 (CI) a missing requirement fails the test instead of skipping it.</summary>
public static class Requirements
{
    public const string RequireAllVariable = "EXPRESSHA_REQUIRE_ALL";

    public static bool RequireAll => Environment.GetEnvironmentVariable(RequireAllVariable) == "1";

    /// <summary>The Debian package of each tool a test may name.</summary>
    static readonly Dictionary<string, string> Packages = new(StringComparer.Ordinal)
    {
        ["ip"] = "iproute2", ["ping"] = "iputils-ping", ["arping"] = "iputils-arping", ["perl"] = "perl-base",
        ["nft"] = "nftables", ["iptables"] = "iptables", ["qemu-io"] = "qemu-utils", ["qemu-img"] = "qemu-utils",
        ["qemu-nbd"] = "qemu-utils", ["nbdinfo"] = "libnbd-bin", ["nbdcopy"] = "libnbd-bin", ["nbdfuse"] = "libnbd-bin",
        ["nbdkit"] = "nbdkit", ["nbd-client"] = "nbd-client", ["fusermount3"] = "fuse3", ["mkfs.ext4"] = "e2fsprogs",
        ["fsck.ext4"] = "e2fsprogs", ["mkfs.xfs"] = "xfsprogs", ["losetup"] = "mount", ["fuser"] = "psmisc",
        ["sshd"] = "openssh-server",
    };

    [DllImport("libc")]
    static extern uint geteuid();

    public static bool IsRoot => OperatingSystem.IsLinux() && geteuid() == 0;

    /// <summary>Null when everything is there, else the reason, e.g. "needs root: network namespaces" or
    /// "needs nbdfuse (apt-get install libnbd-bin)".</summary>
    public static string? Missing(Need needs, IEnumerable<string> tools)
    {
        var reasons = new List<string>();
        if (needs.HasFlag(Need.Namespaces))
        {
            if (!IsRoot) reasons.Add("needs root: network namespaces");
            tools = tools.Append("ip");
        }
        else if (needs.HasFlag(Need.Root) && !IsRoot) reasons.Add("needs root");
        foreach (var tool in tools.Distinct(StringComparer.Ordinal))
        {
            if (FindTool(tool) != null) continue;
            reasons.Add(ToolReason(tool));
        }
        return reasons.Count == 0 ? null : string.Join("; ", reasons);
    }

    /// <summary>The tool's path on PATH or in the sbin directories (root's tools, off a user's PATH), else null.</summary>
    public static string? FindTool(string name)
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/local/sbin", "/usr/sbin", "/sbin"]);
        return dirs.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
    }

    /// <summary>"needs TOOL (apt-get install PACKAGE)", or "needs TOOL" for a tool without a known package.</summary>
    public static string ToolReason(string tool)
        => Packages.TryGetValue(tool, out var package) ? $"needs {tool} (apt-get install {package})" : $"needs {tool}";
}
