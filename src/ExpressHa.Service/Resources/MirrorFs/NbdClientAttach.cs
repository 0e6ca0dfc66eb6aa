namespace ExpressHa.Service.Resources.MirrorFs;

/// <summary>The kernel NBD client: the first free /dev/nbdN, connected with nbd-client, disconnected with nbd-client -d.</summary>
public sealed class NbdClientAttach(MountTool tool, TimeSpan timeout) : IBlockAttach
{
    public async Task<AttachRecord> AttachAsync(NbdTarget target, CancellationToken ct)
    {
        await tool.RunAsync("modprobe nbd", timeout, new[] { "modprobe", "nbd" }, ct).ConfigureAwait(false);
        var device = FreeDevice()
            ?? throw new ResourceException(MirrorFsErrorCodes.AttachFailed,
                $"attach of {target.ExportName}: no free /dev/nbd device (is the nbd kernel module loaded? without it, set attach: {AttachMethods.NbdFuseName})");
        var argv = target.UnixSocket is { } s
            ? new[] { "nbd-client", "-N", target.ExportName, "-u", s, device }
            : new[] { "nbd-client", "-N", target.ExportName, target.Host!, target.Port.ToString(), device };
        await tool.RunCheckedAsync("attach", MirrorFsErrorCodes.AttachFailed, timeout, argv, ct).ConfigureAwait(false);
        return new AttachRecord(AttachMethod.NbdClient, device, null, null);
    }

    public async Task DetachAsync(AttachRecord record, CancellationToken ct)
    {
        var name = Path.GetFileName(record.Device);
        if (!File.Exists($"/sys/block/{name}/pid")) return;
        await tool.RunAsync("flush", timeout, new[] { "blockdev", "--flushbufs", record.Device }, ct).ConfigureAwait(false);
        await tool.RunCheckedAsync("detach", MirrorFsErrorCodes.DetachFailed, timeout, new[] { "nbd-client", "-d", record.Device }, ct).ConfigureAwait(false);
        tool.Log($"{record.Device} detached");
    }

    static string? FreeDevice()
    {
        if (!Directory.Exists("/sys/block")) return null;
        return Directory.GetDirectories("/sys/block", "nbd*")
            .Select(Path.GetFileName)
            .OrderBy(n => int.TryParse(n!.AsSpan(3), out var i) ? i : int.MaxValue)
            .FirstOrDefault(n => !File.Exists($"/sys/block/{n}/pid") && File.ReadAllText($"/sys/block/{n}/size").Trim() == "0")
            is { } free ? "/dev/" + free : null;
    }
}
