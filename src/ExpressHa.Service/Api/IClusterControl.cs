using ExpressHa.Api;

namespace ExpressHa.Service.Api;

/// <summary>What the management API asks of the running node. The API layer only authenticates, parses and routes;
/// every decision is the node's. Operations return when the request is accepted and planned; callers poll status to wait.</summary>
public interface IClusterControl
{
    ClusterStatus GetStatus();
    IReadOnlyList<AlertEntry> GetAlerts(AlertQuery query);

    Task<OperationResult> StartGroupAsync(string group, string? node, CancellationToken ct);
    Task<OperationResult> StopGroupAsync(string group, CancellationToken ct);
    Task<OperationResult> MoveGroupAsync(string group, string? node, CancellationToken ct);
    Task<OperationResult> SuspendNodeAsync(string node, CancellationToken ct);
    Task<OperationResult> ResumeNodeAsync(string node, CancellationToken ct);
    Task<OperationResult> SuspendMonitorAsync(string monitor, CancellationToken ct);
    Task<OperationResult> ResumeMonitorAsync(string monitor, CancellationToken ct);
    /// <summary>Starts (failing) or clears a pseudo-failure of a monitor on a node; no node: where its group runs
    /// (start) or every online node (clear).</summary>
    Task<OperationResult> PseudoFailMonitorAsync(string monitor, string? node, bool failing, CancellationToken ct);
    /// <summary>Stops or starts the cluster service of one node (the process keeps running and answers the API).</summary>
    Task<OperationResult> StopNodeAsync(string node, CancellationToken ct);
    Task<OperationResult> StartNodeAsync(string node, CancellationToken ct);
    /// <summary>Kills the service process of a node as a crash would (operation tests).</summary>
    Task<OperationResult> KillNodeAsync(string node, CancellationToken ct);
    Task<OperationResult> StartClusterAsync(CancellationToken ct);
    Task<OperationResult> StopClusterAsync(CancellationToken ct);

    /// <summary>Validates, diffs, and (unless dry run) applies the config on every node in two phases.</summary>
    Task<ConfigPushResult> PushConfigAsync(string yaml, bool dryRun, CancellationToken ct);

    /// <summary>Node-to-node, phase one: validate and stage the config under the generation; refuse with reasons.</summary>
    Task<NodeRefusal?> PrepareConfigAsync(string yaml, long generation, CancellationToken ct);
    /// <summary>Node-to-node, phase two: switch to the staged config (commit) or drop it (abort).</summary>
    Task<OperationResult> FinishConfigAsync(long generation, bool commit, CancellationToken ct);
    /// <summary>Node-to-node: carry out plan steps addressed to this node, in order; the answer says how far it got.</summary>
    Task<OperationResult> RunActionsAsync(IReadOnlyList<Policy.PlanAction> actions, CancellationToken ct);

    /// <summary>Every node's view of every mirror; nodes that do not answer are listed as missing.</summary>
    Task<MirrorReport> GetMirrorsAsync(CancellationToken ct);
    /// <summary>Suspend or resume replication: sent to the node where the mirror is primary.</summary>
    Task<OperationResult> SuspendMirrorAsync(string mirror, CancellationToken ct);
    Task<OperationResult> ResumeMirrorAsync(string mirror, CancellationToken ct);
    /// <summary>The copy on <paramref name="source"/> wins; every node holding the mirror repairs, the source first.</summary>
    Task<OperationResult> RepairMirrorAsync(string mirror, string source, CancellationToken ct);
    Task<JobStart> StartMirrorBackupAsync(string mirror, BackupRequest request, CancellationToken ct);
    /// <summary>Refused (ExpressHa.GroupActive) while the mirror's group is online anywhere.</summary>
    Task<JobStart> StartMirrorRestoreAsync(string mirror, RestoreRequest request, CancellationToken ct);
    /// <summary>A job of this node; null when it has none with that id.</summary>
    JobStatus? GetJob(string id);
    /// <summary>Node-to-node: this node's own mirror copies (the internal mirror routes).</summary>
    IMirrorNode LocalMirrors { get; }
}

public sealed record AlertQuery(string? MinLevel = null, string? Module = null, DateTimeOffset? Since = null, int? Last = null);
