namespace ExpressHa.Service.Resources.MirrorFs;

/// <summary>mkfs on first use, fsck -p after an unclean stop.</summary>
public sealed class FileSystemSteps(MountTool tool, MountSettings settings, Action<string> warn)
{
    public async Task MakeAsync(string device, CancellationToken ct)
    {
        tool.Log($"{device} holds nothing: creating {settings.FsType}");
        await tool.RunCheckedAsync("mkfs", MirrorFsErrorCodes.MountFailed, settings.CheckTimeout,
            new[] { "mkfs", "-t", settings.FsType, device }, ct).ConfigureAwait(false);
    }

    public async Task CheckAsync(string device, CancellationToken ct)
    {
        tool.Log($"checking {device} ({settings.FsType}) before mounting: fsck -p");
        var r = await tool.RunAsync("fsck", settings.CheckTimeout, new[] { "fsck." + settings.FsType, "-p", device }, ct).ConfigureAwait(false);
        if (r.TimedOut)
            throw new ResourceException(ResourceErrorCodes.Timeout, $"fsck of {settings.Resource} ({device}) did not finish within {settings.CheckTimeout.TotalSeconds:0} s (fsckTimeoutSeconds)");
        switch (FsckOutcome.FromExitCode(r.ExitCode))
        {
            case FsckResult.Clean: return;
            case FsckResult.Corrected:
                warn($"fsck corrected errors on {settings.Resource} ({device}, exit {r.ExitCode}): {MountTool.Tail(r, 20)}");
                return;
            default:
                throw new ResourceException(MirrorFsErrorCodes.CheckFailed,
                    $"fsck -p of {settings.Resource} ({device}) left errors (exit {r.ExitCode}); run fsck by hand before activating: {MountTool.Tail(r, 20)}");
        }
    }
}
