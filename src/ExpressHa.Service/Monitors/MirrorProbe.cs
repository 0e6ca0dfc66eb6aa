using ExpressHa.Api;

namespace ExpressHa.Service.Monitors;

/// <summary>mirror: the health of this node's copy. An error when the copy is failed, in split brain, or outdated or
/// inconsistent while connected without a resync under way to fix it; a resync in progress, a lone primary and a copy
/// waiting for its peer are healthy here (the mirrorconnect monitor reports the link).</summary>
public sealed class MirrorProbe : IMonitorProbe
{
    public string Type => "mirror";

    public Task<ProbeResult> ProbeAsync(MonitorContext context, CancellationToken cancellationToken)
    {
        var name = context.Target?.Name ?? "";
        if (context.Mirrors.Find(name) is not { } engine)
            return Task.FromResult(ProbeResult.Fail($"the mirror engine of {name} is not running on {context.Node.Name}"));
        var s = engine.GetStatus();
        var text = $"{name}: {s.Role}, disk {s.Disk}, link {s.Connection}" + (s.Sync == MirrorSyncStates.None ? "" : $", {s.Sync} {s.SyncPercent:0.#}%");
        if (s.Connection == MirrorConnectionStates.SplitBrain) return Task.FromResult(ProbeResult.Fail(text + ": split brain, run Repair-HaMirror -Source <node>"));
        if (s.Disk == MirrorDiskStates.Failed) return Task.FromResult(ProbeResult.Fail(text + (s.LastError is null ? "" : ": " + s.LastError)));
        if (s.Disk is MirrorDiskStates.Outdated or MirrorDiskStates.Inconsistent && s.Sync == MirrorSyncStates.None && s.Connection == MirrorConnectionStates.Connected)
            return Task.FromResult(ProbeResult.Fail(text + ": this copy is not up to date and no resync is running"));
        return Task.FromResult(ProbeResult.Ok(text));
    }
}
