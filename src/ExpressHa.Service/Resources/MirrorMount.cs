using ExpressHa.Service.Alerts;
using ExpressHa.Api;
using ExpressHa.Service.Resources.MirrorFs;

namespace ExpressHa.Service.Resources;

/// <summary>The file-system part of a mirror resource on the active node: attach the NBD export as a block device,
/// tear down what an unclean stop here left behind, create the file system on first use only, check it after an
/// unclean stop, mount it; and the reverse (unmount, killing holders after the grace period; flush; detach).
/// What was attached is recorded in the state directory until the clean detach.</summary>
public static class MirrorMount
{
    public static async Task MountAsync(ResourceContext context, MountSettings settings, string endpoint, CancellationToken ct)
    {
        var tool = Tool(context);
        var attach = Attacher(tool, settings);
        var unclean = File.Exists(settings.RecordFile);
        if (unclean)
        {
            tool.Log($"the last stop on {context.Node.Name} left the file system attached: unmounting and detaching it first");
            await UnmountAsync(context, settings, ct).ConfigureAwait(false);
        }
        var target = NbdTarget.Parse(context.Resource.Name, endpoint);
        var record = await attach.AttachAsync(target, ct).ConfigureAwait(false);
        record.Save(settings.RecordFile);
        tool.Log($"export {target.Uri} attached as {record.Device} ({AttachMethods.Name(record.Method)})");
        try
        {
            var probe = new FileSystemProbe(tool, settings);
            var (content, found) = await probe.ContentAsync(record.Device, ct).ConfigureAwait(false);
            var lastStop = content == DeviceContent.ExpectedFileSystem
                ? (unclean ? LastStop.Unclean : await probe.LastStopAsync(record.Device, ct).ConfigureAwait(false))
                : LastStop.Unknown;
            var plan = MountDecision.Decide(content, lastStop, settings.FsType, found);
            tool.Log($"{record.Device}: {content}{(found is null ? "" : " (" + found + ")")}, last stop {lastStop}: {plan}");
            if (plan.Refusal is { } refusal)
                throw new ResourceException(MirrorFsErrorCodes.NotFormatted, $"{context.Resource.Name}: {refusal}");
            var steps = new FileSystemSteps(tool, settings, line => context.Alerts.Raise(AlertEvents.Mm.FsckCorrected, line));
            foreach (var action in plan.Actions)
            {
                switch (action)
                {
                    case MountAction.MakeFileSystem: await steps.MakeAsync(record.Device, ct).ConfigureAwait(false); break;
                    case MountAction.Check: await steps.CheckAsync(record.Device, ct).ConfigureAwait(false); break;
                    case MountAction.Mount: await new Mounter(tool, settings).MountAsync(record.Device, ct).ConfigureAwait(false); break;
                }
            }
            tool.Log($"{record.Device} mounted on {settings.MountPoint}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            try { await UnmountAsync(context, settings, CancellationToken.None).ConfigureAwait(false); }
            catch (ResourceException cleanup) { tool.Log($"cleanup after the failed mount also failed: {cleanup.Message}"); }
            throw;
        }
    }

    /// <summary>Unmounts (holders killed after the grace period), flushes and detaches. A failure leaves the record,
    /// so the next start here knows the stop was not clean.</summary>
    public static async Task UnmountAsync(ResourceContext context, MountSettings settings, CancellationToken ct)
    {
        var tool = Tool(context);
        await new Mounter(tool, settings).UnmountAsync(ct).ConfigureAwait(false);
        var record = AttachRecord.Load(settings.RecordFile);
        if (record is not null)
            await Attacher(tool, settings, record.Method).DetachAsync(record, ct).ConfigureAwait(false);
        else if (settings.Attach == AttachMethod.NbdFuse && MountTable.At(settings.FuseDir) is not null)
            await new NbdFuseAttach(tool, settings).DetachAsync(new AttachRecord(AttachMethod.NbdFuse, "", null, null), ct).ConfigureAwait(false);
        File.Delete(settings.RecordFile);
    }

    static MountTool Tool(ResourceContext context) => new(context.Resource.Name, line => context.Alerts.Log(MirrorResource.LogModule, line));

    static IBlockAttach Attacher(MountTool tool, MountSettings settings, AttachMethod? method = null)
        => (method ?? settings.Attach) == AttachMethod.NbdFuse
            ? new NbdFuseAttach(tool, settings)
            : new NbdClientAttach(tool, settings.StepTimeout);
}
