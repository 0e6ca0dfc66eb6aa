using ExpressHa.Api;
using ExpressHa.Service.Alerts;
using ExpressHa.Service.Mirror;
using ExpressHa.Service.Resources;
using ExpressHa.Service.Security;

namespace ExpressHa.Service.Runtime;

/// <summary>The mirror engines of this node: one per mirror resource of a group this node serves, started with the
/// service (before any group starts: the standby must receive from the first write) and stopped after its groups.
/// They live in the node's <see cref="MirrorRegistry"/>, where the mirror driver and monitors find them. A primary that
/// lost its link asks the peer over the management API to outdate its copy; a peer that counts as down (fenced, or it
/// stopped itself) releases a primary frozen on that.</summary>
public sealed class MirrorHost(ConfigStore config, string self, ClusterKey key, MirrorRegistry mirrors, PeerClients peers, IAlertSink alerts)
{
    public async Task StartAsync(CancellationToken stopping)
    {
        var c = config.Current;
        foreach (var (group, resource) in MirrorSettings.MirrorsOf(c, self))
        {
            try
            {
                var options = MirrorSettings.For(c, group, resource, self, key.Key);
                var peer = options.PeerNode;
                var name = resource.Name;
                options.Alert = (e, message) => alerts.Raise(e, message);
                options.Log = line => alerts.Log(MirrorResource.LogModule, $"{name}: {line}");
                options.OutdatePeer = ct => OutdatePeerAsync(peer, name, ct);
                var engine = new MirrorEngine(options);
                await engine.StartAsync(stopping);
                mirrors.Add(engine);
            }
            catch (Exception ex) when (ex is ArgumentException or IOException or MirrorException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
            {
                alerts.Raise(AlertEvents.Mm.EngineCannotStart, $"The mirror {resource.Name} cannot start on {self}: {ex.Message}; the group {group.Name} cannot start here.");
            }
        }
    }

    async Task<bool> OutdatePeerAsync(string peer, string mirror, CancellationToken ct)
    {
        try
        {
            using var client = peers.For(peer, TimeSpan.FromSeconds(5));
            var result = await client.OutdateMirrorAsync(mirror, ct);
            if (!result.Ok) alerts.Log(MirrorResource.LogModule, $"{mirror}: {peer} did not outdate its copy: {result.Message}");
            return result.Ok;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            alerts.Log(MirrorResource.LogModule, $"{mirror}: cannot ask {peer} to outdate its copy: {ex.Message}");
            return false;
        }
    }

    /// <summary>The node counts as down: the mirrors whose peer it is may go on without it.</summary>
    public void PeerDown(string node)
    {
        foreach (var e in mirrors.All)
            if (e.GetStatus().Peer == node) e.PeerNodeDown();
    }

    public async Task StopAsync()
    {
        foreach (var e in mirrors.All)
        {
            mirrors.Remove(e);
            try { await e.DisposeAsync(); }
            catch (Exception ex) { alerts.Log(MirrorResource.LogModule, $"{e.Name}: stopping the engine: {ex.Message}"); }
        }
    }
}
