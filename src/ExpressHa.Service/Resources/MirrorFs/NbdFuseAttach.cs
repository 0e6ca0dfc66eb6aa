namespace ExpressHa.Service.Resources.MirrorFs;

/// <summary>Without the nbd kernel module: nbdfuse presents the export as a file (in the state directory), a loop
/// device carries that file. nbdfuse runs in its own session, so it outlives the command that started it; the
/// detach unmounts it (fusermount3 -u), which makes it flush and exit.</summary>
public sealed class NbdFuseAttach(MountTool tool, MountSettings settings) : IBlockAttach
{
    string PidFile => Path.Combine(settings.StateDir, $"mirror-{settings.Resource}.nbdfuse.pid");
    string LogFile => Path.Combine(settings.StateDir, $"mirror-{settings.Resource}.nbdfuse.log");
    string BackingFile => Path.Combine(settings.FuseDir, "disk");

    public async Task<AttachRecord> AttachAsync(NbdTarget target, CancellationToken ct)
    {
        var timeout = settings.StepTimeout;
        Directory.CreateDirectory(settings.FuseDir);
        if (MountTable.At(settings.FuseDir) is not null)
            await tool.RunAsync("stale nbdfuse unmount", timeout, new[] { "fusermount3", "-u", "-z", settings.FuseDir }, ct).ConfigureAwait(false);
        File.Delete(PidFile);
        File.WriteAllText(LogFile, "");
        await tool.RunCheckedAsync("attach (nbdfuse)", MirrorFsErrorCodes.AttachFailed, timeout, new[]
        {
            "/bin/sh", "-c", "exec setsid -f nbdfuse -P \"$1\" \"$2\" \"$3\" >>\"$4\" 2>&1 </dev/null", "sh", PidFile, BackingFile, target.Uri, LogFile,
        }, ct).ConfigureAwait(false);

        var pid = await WaitForPidAsync(timeout, ct).ConfigureAwait(false);
        try
        {
            var r = await tool.RunCheckedAsync("attach (losetup)", MirrorFsErrorCodes.AttachFailed, timeout,
                new[] { "losetup", "--find", "--show", "--direct-io=on", BackingFile }, ct).ConfigureAwait(false);
            var device = r.Lines.LastOrDefault(l => l.StartsWith("/dev/", StringComparison.Ordinal))?.Trim()
                ?? throw new ResourceException(MirrorFsErrorCodes.AttachFailed, $"attach of {settings.Resource}: losetup named no device: {MountTool.Tail(r)}");
            return new AttachRecord(AttachMethod.NbdFuse, device, BackingFile, pid);
        }
        catch
        {
            await StopFuseAsync(pid, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    async Task<int> WaitForPidAsync(TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (File.Exists(PidFile) && int.TryParse(File.ReadAllText(PidFile).Trim(), out var pid)) return pid;
            var log = File.Exists(LogFile) ? File.ReadAllText(LogFile).Trim() : "";
            if (log.Length > 0 && MountTable.At(settings.FuseDir) is null && !NbdFuseRunning())
                throw new ResourceException(MirrorFsErrorCodes.AttachFailed, $"attach of {settings.Resource}: nbdfuse failed: {log.ReplaceLineEndings(" | ")}");
            if (DateTime.UtcNow > deadline)
                throw new ResourceException(ResourceErrorCodes.Timeout, $"attach of {settings.Resource}: nbdfuse was not ready within {timeout.TotalSeconds:0} s (mountTimeoutSeconds): {log.ReplaceLineEndings(" | ")}");
            await Task.Delay(50, ct).ConfigureAwait(false);
        }
    }

    /// <summary>An nbdfuse process serving this resource's file (its command line names it).</summary>
    bool NbdFuseRunning() => FusePids().Any();

    IEnumerable<int> FusePids()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            string cmd;
            try { cmd = File.ReadAllText(Path.Combine(dir, "cmdline")); } catch (IOException) { continue; } catch (UnauthorizedAccessException) { continue; }
            if (cmd.StartsWith("nbdfuse\0", StringComparison.Ordinal) && cmd.Contains("\0" + BackingFile + "\0", StringComparison.Ordinal)) yield return pid;
        }
    }

    public async Task DetachAsync(AttachRecord record, CancellationToken ct)
    {
        if (record.BackingFile is { } file && LoopBackingFile(record.Device) == file)
        {
            await tool.RunAsync("flush", settings.StepTimeout, new[] { "blockdev", "--flushbufs", record.Device }, ct).ConfigureAwait(false);
            await tool.RunCheckedAsync("detach (losetup)", MirrorFsErrorCodes.DetachFailed, settings.StepTimeout, new[] { "losetup", "--detach", record.Device }, ct).ConfigureAwait(false);
            tool.Log($"{record.Device} detached");
        }
        await StopFuseAsync(record.HelperPid, ct).ConfigureAwait(false);
    }

    async Task StopFuseAsync(int? pid, CancellationToken ct)
    {
        if (MountTable.At(settings.FuseDir) is not null)
        {
            var r = await tool.RunAsync("detach (fusermount3)", settings.StepTimeout, new[] { "fusermount3", "-u", settings.FuseDir }, ct).ConfigureAwait(false);
            if (!r.Succeeded)
                await tool.RunCheckedAsync("detach (fusermount3 -z)", MirrorFsErrorCodes.DetachFailed, settings.StepTimeout, new[] { "fusermount3", "-u", "-z", settings.FuseDir }, ct).ConfigureAwait(false);
        }
        // nbdfuse flushes and exits once unmounted; wait for that so the export is closed when the stop returns.
        var deadline = DateTime.UtcNow + settings.StepTimeout;
        while (FusePids().Any())
        {
            if (DateTime.UtcNow > deadline)
                throw new ResourceException(ResourceErrorCodes.Timeout, $"detach of {settings.Resource}: nbdfuse did not exit within {settings.StepTimeout.TotalSeconds:0} s after its unmount (mountTimeoutSeconds)");
            await Task.Delay(50, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The file a loop device carries, from sysfs; null when the device is not set up.</summary>
    static string? LoopBackingFile(string device)
    {
        var path = $"/sys/block/{Path.GetFileName(device)}/loop/backing_file";
        try { return File.Exists(path) ? File.ReadAllText(path).Trim() : null; }
        catch (IOException) { return null; }
    }
}
