using ExpressHa.Api;
using ExpressHa.Service.Mirror;
using ExpressHa.Service.Mirror.Nbd;
using ExpressHa.Service.Resources.MirrorFs;

namespace ExpressHa.Service.Resources;

/// <summary>mirror: the group's data, replicated by the mirror engine that runs on both servers whatever the group does.
/// Start promotes this node's copy (refused when it is outdated, inconsistent, split-brained or the peer's state is
/// unknown) and exports it over NBD on <c>exportAddress</c>; with <c>mountPoint</c> it also attaches the export as a
/// block device (nbd-client or nbdfuse, <c>attach</c>), checks or creates the file system and mounts it
/// (<see cref="MirrorMount"/>). Stop reverses that and demotes the copy.</summary>
public sealed class MirrorResource : IResourceDriver
{
    public const string LogModule = AlertEvents.Mm.Module;
    /// <summary>Activation refused by the mirror's safety rules (outdated, inconsistent, split brain, peer unknown).</summary>
    public const int NotPromotableCode = 20;
    /// <summary>The engine of this mirror is not running on this node.</summary>
    public const int NoEngineCode = 21;
    /// <summary>The NBD export could not listen.</summary>
    public const int ExportFailedCode = 22;

    public string Type => "mirror";

    public async Task StartAsync(ResourceContext context, CancellationToken ct)
    {
        var r = context.Resource;
        var exports = context.Mirrors.Exports;
        var engine = context.Mirrors.Find(r.Name)
            ?? throw new ResourceException(NoEngineCode, $"the mirror engine of {r.Name} is not running on {context.Node.Name} (see the mm alerts at service start)");
        var mount = MountSettings.For(r, context.Node.Name, context.StateDir);
        var device = await PromoteAsync(engine, r, ct);
        if (exports.Find(r.Name) is not null) return;
        var endpoint = r.GetParameter("exportAddress", context.Node.Name) ?? "127.0.0.1:10809";
        var server = new NbdServer(r.Name, device, line => context.Alerts.Log(LogModule, $"{r.Name}: {line}"));
        try { await server.StartAsync(endpoint, ct); }
        catch (Exception ex)
        {
            await server.DisposeAsync();
            await engine.DemoteAsync(CancellationToken.None);
            throw new ResourceException(ExportFailedCode, $"the NBD export of {r.Name} cannot listen on {endpoint}: {ex.Message}", ex);
        }
        if (!exports.TryAdd(r.Name, server)) { await server.DisposeAsync(); return; }
        context.Alerts.Log(LogModule, $"{r.Name}: primary on {context.Node.Name}, exported over NBD at {endpoint}");
        if (mount is null) return;
        try { await MirrorMount.MountAsync(context, mount, endpoint, ct); }
        catch
        {
            // Nothing half-started stays behind: the export closes and the copy is demoted again.
            if (exports.Take(r.Name) is { } opened)
            {
                await opened.StopAsync();
                await opened.DisposeAsync();
            }
            await engine.DemoteAsync(CancellationToken.None);
            throw;
        }
    }

    /// <summary>Active when this node's copy is primary or its NBD export runs; no engine for the mirror on this node:
    /// unknown (the engine's start failed, so nothing can be said about the copy).</summary>
    public Task<ResourceProbe> ProbeAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        var r = context.Resource;
        if (context.Mirrors.Exports.Find(r.Name) is not null) return Task.FromResult(ResourceProbe.Active);
        if (context.Mirrors.Find(r.Name) is not { } engine) return Task.FromResult(ResourceProbe.Unknown);
        return Task.FromResult(engine.GetStatus().Role == MirrorRoles.Primary ? ResourceProbe.Active : ResourceProbe.Inactive);
    }

    /// <summary>Promotes, waiting up to connectWaitSeconds while the only obstacle is a peer not yet connected (both
    /// services starting together, a fresh pair): the copy's state is then learnt from the peer, never assumed.</summary>
    static async Task<IBlockDevice> PromoteAsync(IMirrorEngine engine, ExpressHa.Config.ResourceConfig r, CancellationToken ct)
    {
        var wait = TimeSpan.FromSeconds(r.GetParameter("connectWaitSeconds") as long? ?? 30);
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            try { return await engine.PromoteAsync(ct); }
            catch (MirrorException ex)
            {
                var waiting = ex.Code == ErrorCodes.MirrorBusy
                    || (ex.Code is ErrorCodes.MirrorPeerUnknown or ErrorCodes.MirrorInconsistent && engine.GetStatus().Connection is MirrorConnectionStates.Connecting or MirrorConnectionStates.Disconnected);
                if (!waiting || DateTime.UtcNow >= deadline) throw new ResourceException(NotPromotableCode, $"{ex.Message} [{ex.Code}]", ex);
            }
            await Task.Delay(250, ct);
        }
    }

    public async Task StopAsync(ResourceContext context, CancellationToken ct)
    {
        var r = context.Resource;
        var exports = context.Mirrors.Exports;
        if (MountSettings.For(r, context.Node.Name, context.StateDir) is { } mount)
            await MirrorMount.UnmountAsync(context, mount, ct);
        if (exports.Take(r.Name) is { } server)
        {
            await server.StopAsync();
            await server.DisposeAsync();
        }
        if (context.Mirrors.Find(r.Name) is { } engine)
            await engine.DemoteAsync(ct);
        context.Alerts.Log(LogModule, $"{r.Name}: export closed, copy demoted on {context.Node.Name}");
    }
}
