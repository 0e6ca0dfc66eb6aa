using ExpressHa.Api;
using ExpressHa.Config;
using ExpressHa.Service.Alerts;
using ExpressHa.Service.Api;
using ExpressHa.Policy;

namespace ExpressHa.Service.Runtime;

/// <summary>Operates the cluster's mirrors from the node that took the operator's request: gathers every node's view,
/// sends suspend/resume to the primary, repair to every copy (the winner first), and runs backup and restore jobs
/// (<see cref="MirrorJobs"/>). Each node's own copies are reached through an <see cref="IMirrorNode"/>.</summary>
public sealed class MirrorOperations
{
    readonly string _self;
    readonly IMirrorNode _local;
    readonly Func<string, IMirrorNode> _peer;
    readonly Func<ClusterConfig> _config;
    readonly Func<ClusterState> _state;
    readonly IAlertSink _alerts;
    readonly JobTable _jobs;
    readonly CancellationToken _stopping;

    public MirrorOperations(string self, IMirrorNode local, Func<string, IMirrorNode> peer, Func<ClusterConfig> config, Func<ClusterState> state,
        IAlertSink alerts, JobTable jobs, CancellationToken stopping)
    {
        _self = self;
        _local = local;
        _peer = peer;
        _config = config;
        _state = state;
        _alerts = alerts;
        _jobs = jobs;
        _stopping = stopping;
    }

    /// <summary>False for a node membership knows to be down: it is reported missing at once instead of after a
    /// connect timeout.</summary>
    public Func<string, bool> IsOnline { get; init; } = _ => true;

    /// <summary>How often a job polls a copy or restore running on a node.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    public IMirrorNode Local => _local;

    IMirrorNode Node(string node) => node == _self ? _local : _peer(node);

    /// <summary>The node's copies: this node's own, or a peer's through the API.</summary>
    internal IMirrorNode NodeOf(string node) => Node(node);

    MirrorJobs? _jobRunner;
    MirrorJobs Jobs => LazyInitializer.EnsureInitialized(ref _jobRunner, () => new MirrorJobs(this, _self, _config, _state, _alerts, _jobs, _stopping));

    public Task<JobStart> StartBackupAsync(string mirror, BackupRequest request, CancellationToken ct) => Jobs.StartBackupAsync(mirror, request, ct);

    public Task<JobStart> StartRestoreAsync(string mirror, RestoreRequest request, CancellationToken ct) => Jobs.StartRestoreAsync(mirror, request, ct);

    string ClusterName => _config().Cluster.Name;

    public JobStatus? GetJob(string id) => _jobs.Get(id);

    /// <summary>Every node's copies; a node that does not answer is listed as missing.</summary>
    public async Task<MirrorReport> GetAllAsync(CancellationToken ct)
    {
        var nodes = _config().Nodes.Select(n => n.Name).ToList();
        if (!nodes.Contains(_self)) nodes.Insert(0, _self);
        var answers = await Task.WhenAll(nodes.Select(async n =>
        {
            if (n != _self && !IsOnline(n)) return (Node: n, List: (IReadOnlyList<MirrorStatus>?)null);
            try
            {
                return (Node: n, List: await Node(n).GetMirrorsAsync(ct));
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                _alerts.Log("mirror", $"{n} did not report its mirrors: {ex.Message}");
                return (Node: n, List: (IReadOnlyList<MirrorStatus>?)null);
            }
        }));
        var report = new MirrorReport();
        foreach (var (node, list) in answers)
            if (list == null) report.MissingNodes.Add(node);
            else report.Mirrors.AddRange(list);
        report.Mirrors.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name) is var c && c != 0 ? c : string.CompareOrdinal(a.Node, b.Node));
        return report;
    }

    /// <summary>Null when the mirror is a mirror resource of the config or runs anywhere reachable.</summary>
    internal OperationResult? Unknown(string mirror, MirrorReport? report = null)
    {
        var r = _config().FindResource(mirror, out _);
        if (r != null && r.Type == "mirror") return null;
        if (report != null && report.Mirrors.Any(m => m.Name == mirror)) return null;
        return OperationResult.Failure(ErrorCodes.MirrorNotFound, $"Mirror '{mirror}' does not exist in cluster '{ClusterName}'.");
    }

    internal static string MissingNote(MirrorReport report)
        => report.MissingNodes.Count == 0 ? "" : $" ({string.Join(", ", report.MissingNodes)} did not answer)";

    public Task<OperationResult> SuspendAsync(string mirror, CancellationToken ct)
        => OnPrimary(mirror, "suspend", (n, c) => n.SuspendAsync(mirror, c), ct);

    public Task<OperationResult> ResumeAsync(string mirror, CancellationToken ct)
        => OnPrimary(mirror, "resume", (n, c) => n.ResumeAsync(mirror, c), ct);

    async Task<OperationResult> OnPrimary(string mirror, string verb, Func<IMirrorNode, CancellationToken, Task<OperationResult>> call, CancellationToken ct)
    {
        var report = await GetAllAsync(ct);
        if (Unknown(mirror, report) is { } unknown) return unknown;
        var primary = report.Mirrors.FirstOrDefault(m => m.Name == mirror && m.Role == MirrorRoles.Primary);
        if (primary == null)
            return OperationResult.Failure(ErrorCodes.MirrorNoPrimary,
                $"No node is primary of mirror '{mirror}'{MissingNote(report)}, so there is no replication to {verb}; start its group first.");
        var r = await call(Node(primary.Node), ct);
        if (r.Ok) _alerts.Raise(AlertEvents.Mirror.SuspendedOrResumed, $"Mirror '{mirror}': replication {(verb == "suspend" ? "suspended" : "resumed")} on {primary.Node} by the operator.");
        return r;
    }

    /// <summary>The copy on <paramref name="source"/> wins: RepairAsync on it first, then on every other copy that answers.</summary>
    public async Task<OperationResult> RepairAsync(string mirror, string source, CancellationToken ct)
    {
        var report = await GetAllAsync(ct);
        if (Unknown(mirror, report) is { } unknown) return unknown;
        if (_config().FindNode(source) == null)
            return OperationResult.Failure(ErrorCodes.NodeNotFound, $"Node '{source}' does not exist in cluster '{ClusterName}'.");
        var holders = report.Mirrors.Where(m => m.Name == mirror).Select(m => m.Node).Distinct().ToList();
        if (!holders.Contains(source))
            return OperationResult.Failure(ErrorCodes.MirrorCopyUnavailable,
                $"{source} does not report a copy of mirror '{mirror}'{MissingNote(report)}; the winning copy must be reachable.");
        var order = holders.Where(n => n != source).Prepend(source).ToList();
        foreach (var node in order)
        {
            var r = await Node(node).RepairAsync(mirror, source, ct);
            if (!r.Ok)
                return OperationResult.Failure(r.Code ?? ErrorCodes.MirrorCommandFailed, $"Repairing mirror '{mirror}' on {node} failed: {r.Message}");
        }
        var losers = order.Skip(1).ToList();
        var message = $"Mirror '{mirror}': the copy on {source} wins; " +
            (losers.Count > 0 ? $"the copy on {string.Join(", ", losers)} is overwritten by a resync" : "no other copy answered; it resyncs when it connects") +
            MissingNote(report) + ".";
        _alerts.Raise(AlertEvents.Mirror.Repaired, message);
        return OperationResult.Success(message);
    }
}
