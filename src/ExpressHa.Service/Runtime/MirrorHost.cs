using ExpressHa.Service.Mirror;
using ExpressHa.Service.Resources;

namespace ExpressHa.Service.Runtime;

/// <summary>The mirror engines of this node: one per mirror resource of a group this node serves, started with the
/// service (before any group starts: the standby must receive from the first write) and stopped after its groups.
/// A primary that lost its link asks the peer over the management API to outdate its copy; a peer that counts as
/// down (fenced, or it stopped itself) releases a primary frozen on that.</summary>
public sealed partial class NodeAgent
{
    async Task StartMirrorsAsync()
    {
        var config = Config;
        foreach (var (group, resource) in MirrorSettings.MirrorsOf(config, Self))
        {
            try
            {
                var options = MirrorSettings.For(config, group, resource, Self, _o.Key.Key);
                var peer = options.PeerNode;
                var name = resource.Name;
                options.Alert = (level, id, message) => Alerts.Alert(level, MirrorResource.LogModule, id, message);
                options.Log = line => Alerts.Log(MirrorResource.LogModule, $"{name}: {line}");
                options.OutdatePeer = ct => OutdatePeerMirrorAsync(peer, name, ct);
                var engine = new MirrorEngine(options);
                await engine.StartAsync(_stopping.Token);
                _parts.Mirrors.Add(engine);
            }
            catch (Exception ex) when (ex is ArgumentException or IOException or MirrorException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
            {
                Alerts.Alert("error", MirrorResource.LogModule, 10, $"The mirror {resource.Name} cannot start on {Self}: {ex.Message}; the group {group.Name} cannot start here.");
            }
        }
    }

    async Task<bool> OutdatePeerMirrorAsync(string peer, string mirror, CancellationToken ct)
    {
        try
        {
            using var client = PeerClientFor(peer, TimeSpan.FromSeconds(5));
            var result = await client.OutdateMirrorAsync(mirror, ct);
            if (!result.Ok) Alerts.Log(MirrorResource.LogModule, $"{mirror}: {peer} did not outdate its copy: {result.Message}");
            return result.Ok;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Alerts.Log(MirrorResource.LogModule, $"{mirror}: cannot ask {peer} to outdate its copy: {ex.Message}");
            return false;
        }
    }

    void MirrorPeerDown(string node)
    {
        foreach (var e in _parts.Mirrors.All)
            if (e.GetStatus().Peer == node) e.PeerNodeDown();
    }

    async Task StopMirrorsAsync()
    {
        foreach (var e in _parts.Mirrors.All)
        {
            _parts.Mirrors.Remove(e);
            try { await e.DisposeAsync(); }
            catch (Exception ex) { Alerts.Log(MirrorResource.LogModule, $"{e.Name}: stopping the engine: {ex.Message}"); }
        }
    }
}
