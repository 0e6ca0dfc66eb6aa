namespace ExpressHa.Service.Resources.MirrorFs;

/// <summary>Mounts the device; unmounts it, and when the file system is busy past the grace period, kills what holds
/// it open (SIGTERM, then SIGKILL) and tries again.</summary>
public sealed class Mounter(MountTool tool, MountSettings settings)
{
    static readonly TimeSpan Retry = TimeSpan.FromMilliseconds(250);
    static readonly TimeSpan TermWait = TimeSpan.FromSeconds(3);

    public async Task MountAsync(string device, CancellationToken ct)
    {
        Directory.CreateDirectory(settings.MountPoint);
        var argv = new List<string> { "mount", "-t", settings.FsType };
        if (!string.IsNullOrEmpty(settings.MountOptions)) argv.AddRange(new[] { "-o", settings.MountOptions });
        argv.AddRange(new[] { device, settings.MountPoint });
        await tool.RunCheckedAsync("mount", MirrorFsErrorCodes.MountFailed, settings.StepTimeout, argv, ct).ConfigureAwait(false);
    }

    /// <summary>Unmounts whatever is mounted at the mount point (nothing: success).</summary>
    public async Task UnmountAsync(CancellationToken ct)
    {
        if (MountTable.At(settings.MountPoint) is null) return;
        var graceEnd = DateTime.UtcNow + settings.UnmountGrace;
        CommandResult last;
        while (true)
        {
            last = await tool.RunAsync("unmount", settings.StepTimeout, new[] { "umount", settings.MountPoint }, ct).ConfigureAwait(false);
            if (MountTable.At(settings.MountPoint) is null) { tool.Log($"{settings.MountPoint} unmounted"); return; }
            if (DateTime.UtcNow >= graceEnd) break;
            await Task.Delay(Retry, ct).ConfigureAwait(false);
        }
        foreach (var signal in new[] { "TERM", "KILL" })
        {
            await tool.RunAsync("holders", settings.StepTimeout, new[] { "fuser", "-v", "-M", "-m", settings.MountPoint }, ct).ConfigureAwait(false);
            tool.Log($"{settings.MountPoint} is still busy after {settings.UnmountGrace.TotalSeconds:0} s (unmountGraceSeconds): sending SIG{signal} to the processes using it");
            await tool.RunAsync("kill holders", settings.StepTimeout, new[] { "fuser", "-k", "-" + signal, "-M", "-m", settings.MountPoint }, ct).ConfigureAwait(false);
            var until = DateTime.UtcNow + TermWait;
            do
            {
                await Task.Delay(Retry, ct).ConfigureAwait(false);
                last = await tool.RunAsync("unmount", settings.StepTimeout, new[] { "umount", settings.MountPoint }, ct).ConfigureAwait(false);
                if (MountTable.At(settings.MountPoint) is null) { tool.Log($"{settings.MountPoint} unmounted once its holders were killed"); return; }
            } while (DateTime.UtcNow < until);
        }
        throw new ResourceException(last.TimedOut ? ResourceErrorCodes.Timeout : MirrorFsErrorCodes.UnmountFailed,
            $"unmount of {settings.Resource} at {settings.MountPoint} failed even after its holders were killed: {MountTool.Tail(last)}");
    }
}
