using ExpressHa.Api;
using ExpressHa.Client;
using ExpressHa.Config;
using ExpressHa.Service.Api;
using ExpressHa.Service.Runtime;

namespace ExpressHa.Service.Support;

/// <summary>What one node needs to serve the operations routes: its own records and a way to reach each peer.</summary>
public sealed class SupportSources
{
    public required string Self { get; init; }
    public required string StateDir { get; init; }
    public required Func<ClusterConfig> Config { get; init; }
    public required Func<RunningConfig> RunningConfig { get; init; }
    public required Func<ClusterStatus> Status { get; init; }
    public required Func<AlertQuery, IReadOnlyList<AlertEntry>> LocalAlerts { get; init; }
    public required Func<CancellationToken, Task<IReadOnlyList<MirrorStatus>>> LocalMirrors { get; init; }
    /// <summary>The secrets this node holds (token, cluster key, mirror keys): removed from every file it hands out.</summary>
    public required Func<SecretRedactor> Redactor { get; init; }
    public required Func<string, PeerClient> Peer { get; init; }
    /// <summary>False for a node membership knows to be down: reported missing at once instead of after a connect timeout.</summary>
    public Func<string, bool> IsOnline { get; init; } = _ => true;
}

/// <summary>The cluster-wide reads of the operations routes, done by the node the client talks to: it asks every peer
/// and reports the ones that do not answer as missing (never an error for the whole request).</summary>
public sealed class SupportOperations(SupportSources s)
{
    /// <summary>Read once at start: whether systemd's journal holds this node's log.</summary>
    readonly bool _journal = ServiceLog.StdoutIsJournal();

    public string Self => s.Self;

    public async Task<ClusterAlertReport> GetClusterAlertsAsync(AlertQuery query, CancellationToken ct)
    {
        var (answers, missing) = await GatherAsync(_ => Task.FromResult(s.LocalAlerts(query)),
            async (peer, c) => (IReadOnlyList<AlertEntry>)await peer.GetAlertsAsync(query, c), ct);
        return new ClusterAlertReport { Alerts = AlertMerge.Merge(answers.Select(a => a.Value), query.Last), MissingNodes = missing };
    }

    /// <summary>Null when the group is not in the running config.</summary>
    public async Task<GroupHistoryReport?> GetGroupHistoryAsync(string group, CancellationToken ct)
    {
        var g = s.Config().FindGroup(group);
        if (g == null) return null;
        var (answers, missing) = await GatherAsync(
            _ => Task.FromResult((Records: (IReadOnlyList<OwnershipRecord>)LocalOwnership(group), Alerts: s.LocalAlerts(new AlertQuery()))),
            async (peer, c) => (Records: (IReadOnlyList<OwnershipRecord>)await peer.GetOwnershipAsync(group, c), Alerts: (IReadOnlyList<AlertEntry>)await peer.GetAlertsAsync(new AlertQuery(), c)),
            ct);
        var episodes = GroupTimeline.Build(g.Name, g.Resources.Select(r => r.Name).ToList(),
            answers.SelectMany(a => a.Value.Records), answers.SelectMany(a => a.Value.Alerts));
        return new GroupHistoryReport { Group = g.Name, Episodes = episodes, MissingNodes = missing };
    }

    /// <summary>This node's ownership journal, one group's records or all.</summary>
    public List<OwnershipRecord> LocalOwnership(string? group)
        => OwnershipJournal.Read(s.StateDir).Where(r => group == null || r.Group == group).ToList();

    /// <summary>This node's support bundle, written to <paramref name="output"/> as it is read (synchronous writes).</summary>
    public async Task WriteLocalBundleAsync(Stream output, DateTimeOffset? since, CancellationToken ct)
    {
        var running = s.RunningConfig();
        var status = s.Status();
        object mirrors;
        try { mirrors = await s.LocalMirrors(ct); }
        catch (Exception e) when (e is not OperationCanceledException) { mirrors = new { error = e.Message }; }
        var input = new NodeBundleInput(s.Self, status.ClusterName, s.StateDir, running.Yaml, running.Generation, status, mirrors, s.Redactor(), _journal, since);
        await Task.Run(() => NodeBundle.Write(output, input, ct), ct);
    }

    /// <summary>A peer's bundle, still to be read; throws <see cref="HaApiException"/> when the peer does not answer.</summary>
    public Task<HttpResponseMessage> OpenPeerBundleAsync(string node, DateTimeOffset? since, CancellationToken ct)
    {
        if (s.Config().FindNode(node) == null) throw new HaApiException(404, ErrorCodes.NodeNotFound, $"Node '{node}' is not in the running config.");
        if (!s.IsOnline(node)) throw new HaApiException(0, ErrorCodes.ConnectionFailed, $"{node} is not online in the cluster");
        return s.Peer(node).OpenSupportBundleAsync(since, ct);
    }

    /// <summary>One answer per node that gave one (this node first, then the config's order) and the nodes that did not.</summary>
    async Task<(List<(string Node, T Value)> Answers, List<string> Missing)> GatherAsync<T>(
        Func<CancellationToken, Task<T>> local, Func<PeerClient, CancellationToken, Task<T>> remote, CancellationToken ct)
    {
        var nodes = s.Config().Nodes.Select(n => n.Name).Where(n => n != s.Self).Prepend(s.Self).ToList();
        var results = await Task.WhenAll(nodes.Select(async n =>
        {
            if (n == s.Self) return (Node: n, Ok: true, Value: await local(ct));
            if (!s.IsOnline(n)) return (Node: n, Ok: false, Value: default(T)!);
            try
            {
                using var peer = s.Peer(n);
                return (Node: n, Ok: true, Value: await remote(peer, ct));
            }
            catch (Exception e) when (e is HaApiException or HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                return (Node: n, Ok: false, Value: default(T)!);
            }
        }));
        return (results.Where(r => r.Ok).Select(r => (r.Node, r.Value)).ToList(), results.Where(r => !r.Ok).Select(r => r.Node).ToList());
    }
}

/// <summary>A control that serves the operations routes (cluster alerts, group history, support bundles).</summary>
public interface ISupportControl
{
    SupportOperations Support { get; }
}
