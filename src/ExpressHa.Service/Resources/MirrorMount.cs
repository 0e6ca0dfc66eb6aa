namespace ExpressHa.Service.Resources;

/// <summary>The optional file-system step of a mirror resource on a real server: attach the NBD export to a kernel
/// device with nbd-client, create the file system when the device has none (the first start), mount it; and the reverse.
/// The device is the first free /dev/nbdN; the one used is remembered in the state directory for the stop.</summary>
public static class MirrorMount
{
    public static async Task MountAsync(ResourceContext context, string endpoint, string mountPoint, string fsType, CancellationToken ct)
    {
        var r = context.Resource;
        var (host, port) = SplitEndpoint(endpoint);
        var deviceFile = DeviceFile(context);
        var script = $$"""
            set -e
            modprobe nbd 2>/dev/null || true
            dev=""
            for d in /sys/block/nbd*; do n=${d##*/}; [ "$(cat $d/size)" = 0 ] && { dev=/dev/$n; break; }; done
            [ -n "$dev" ] || { echo "no free /dev/nbd device (is the nbd kernel module loaded?)"; exit 1; }
            nbd-client -N '{{r.Name}}' {{host}} {{port}} $dev
            echo $dev > '{{deviceFile}}'
            blkid $dev >/dev/null 2>&1 || mkfs -t '{{fsType}}' $dev
            mkdir -p '{{mountPoint}}'
            mount $dev '{{mountPoint}}'
            """;
        await Run(context, script, "mount", ct);
    }

    public static async Task UnmountAsync(ResourceContext context, string mountPoint, CancellationToken ct)
    {
        var deviceFile = DeviceFile(context);
        var script = $$"""
            if mountpoint -q '{{mountPoint}}'; then umount '{{mountPoint}}'; fi
            if [ -s '{{deviceFile}}' ]; then nbd-client -d $(cat '{{deviceFile}}') && rm -f '{{deviceFile}}'; fi
            """;
        await Run(context, script, "unmount", ct);
    }

    static string DeviceFile(ResourceContext context) => Path.Combine(context.StateDir, $"mirror-{context.Resource.Name}.nbd");

    static (string Host, string Port) SplitEndpoint(string endpoint)
    {
        if (endpoint.StartsWith("unix:", StringComparison.Ordinal))
            throw new ResourceException(ResourceErrorCodes.BadParameter, "mountPoint needs a TCP exportAddress (host:port); nbd-client is given host and port");
        var colon = endpoint.LastIndexOf(':');
        return (endpoint[..colon], endpoint[(colon + 1)..]);
    }

    static async Task Run(ResourceContext context, string script, string what, CancellationToken ct)
    {
        var result = await CommandRunner.RunAsync(new CommandSpec(new[] { "/bin/sh", "-c", script })
        {
            Timeout = TimeSpan.FromMinutes(5),
            MergeStderr = true,
            OnLine = line => context.Alerts.Log(MirrorResource.LogModule, $"{context.Resource.Name} {what}: {line}"),
        }, ct);
        if (!result.Succeeded)
            throw new ResourceException(result.TimedOut ? ResourceErrorCodes.Timeout : ResourceErrorCodes.CommandFailed,
                $"{what} of {context.Resource.Name} failed: {result.LastLine ?? "exit " + result.ExitCode}");
    }
}
