namespace ExpressHa.Service.Resources.MirrorFs;

/// <summary>What the attached device holds (blkid -p, without its cache, and a look at the first MiB) and how its
/// file system was left (ext2/3/4: dumpe2fs -h).</summary>
public sealed class FileSystemProbe(MountTool tool, MountSettings settings)
{
    const int LookBytes = 1 << 20;

    public async Task<(DeviceContent Content, string? FoundType)> ContentAsync(string device, CancellationToken ct)
    {
        var r = await tool.RunAsync("probe (blkid)", settings.StepTimeout, new[] { "blkid", "-p", "-o", "export", device }, ct, quiet: true).ConfigureAwait(false);
        if (r.TimedOut)
            throw new ResourceException(ResourceErrorCodes.Timeout, $"probe of {settings.Resource}: blkid -p {device} did not finish within {settings.StepTimeout.TotalSeconds:0} s (mountTimeoutSeconds)");
        if (r.ExitCode == 0)
        {
            var type = r.Lines.Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("TYPE=", StringComparison.Ordinal))?["TYPE=".Length..];
            var usage = r.Lines.Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("PTTYPE=", StringComparison.Ordinal))?["PTTYPE=".Length..];
            return type == settings.FsType ? (DeviceContent.ExpectedFileSystem, type) : (DeviceContent.OtherSignature, type ?? (usage is null ? null : "a partition table " + usage));
        }
        // blkid -p exits 2 when it finds nothing; anything else is a failure to look, not an empty device.
        if (r.ExitCode != 2)
            throw new ResourceException(MirrorFsErrorCodes.MountFailed, $"probe of {settings.Resource}: blkid -p {device} exited with {r.ExitCode}: {MountTool.Tail(r)}");
        return (await StartIsZeroAsync(device, ct).ConfigureAwait(false) ? DeviceContent.Empty : DeviceContent.UnknownData, null);
    }

    static async Task<bool> StartIsZeroAsync(string device, CancellationToken ct)
    {
        var buffer = new byte[LookBytes];
        await using var f = new FileStream(device, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.Asynchronous);
        int n = await f.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        return buffer.AsSpan(0, n).IndexOfAnyExcept((byte)0) < 0;
    }

    public async Task<LastStop> LastStopAsync(string device, CancellationToken ct)
    {
        if (!settings.FsType.StartsWith("ext", StringComparison.Ordinal)) return LastStop.Unknown;
        var r = await tool.RunAsync("probe (dumpe2fs)", settings.StepTimeout, new[] { "dumpe2fs", "-h", device }, ct, quiet: true).ConfigureAwait(false);
        if (!r.Succeeded) return LastStop.Unknown;
        var state = r.Lines.FirstOrDefault(l => l.StartsWith("Filesystem state:", StringComparison.Ordinal));
        var features = r.Lines.FirstOrDefault(l => l.StartsWith("Filesystem features:", StringComparison.Ordinal)) ?? "";
        return state is not null && state.Split(':', 2)[1].Trim() == "clean" && !features.Contains("needs_recovery", StringComparison.Ordinal)
            ? LastStop.Clean : LastStop.Unclean;
    }
}
