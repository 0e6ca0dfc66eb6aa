using ExpressHa.Api;
using ExpressHa.Service.Api;
using ExpressHa.Service.Membership;
using ExpressHa.Service.Mirror;

namespace ExpressHa.Service.Runtime;

/// <summary>The node's mirrors as the management API operates them; the work is <see cref="MirrorOperations"/>'s.</summary>
public sealed partial class NodeAgent
{
    /// <summary>The mirror engines of this node (filled when the mirror resources' engines start).</summary>
    public IMirrorRegistry Mirrors => _parts.Mirrors;

    readonly JobTable _jobs = new();
    MirrorOperations? _mirrorOps;

    MirrorOperations MirrorOps => LazyInitializer.EnsureInitialized(ref _mirrorOps, () => new MirrorOperations(
        Self,
        new LocalMirrorNode(Self, Mirrors, _jobs, Alerts, _stopping.Token),
        node => new PeerMirrorNode(node, timeout => PeerClientFor(node, timeout)),
        () => Config, CurrentState, Alerts, _jobs, _stopping.Token)
    {
        IsOnline = node => { lock (_gate) return _membership.StateOf(node) == PeerState.Online; },
    });

    public IMirrorNode LocalMirrors => MirrorOps.Local;

    public Task<MirrorReport> GetMirrorsAsync(CancellationToken ct) => MirrorOps.GetAllAsync(ct);
    public Task<OperationResult> SuspendMirrorAsync(string mirror, CancellationToken ct) => MirrorOps.SuspendAsync(mirror, ct);
    public Task<OperationResult> ResumeMirrorAsync(string mirror, CancellationToken ct) => MirrorOps.ResumeAsync(mirror, ct);
    public Task<OperationResult> RepairMirrorAsync(string mirror, string source, CancellationToken ct) => MirrorOps.RepairAsync(mirror, source, ct);
    public Task<JobStart> StartMirrorBackupAsync(string mirror, BackupRequest request, CancellationToken ct) => MirrorOps.StartBackupAsync(mirror, request, ct);
    public Task<JobStart> StartMirrorRestoreAsync(string mirror, RestoreRequest request, CancellationToken ct) => MirrorOps.StartRestoreAsync(mirror, request, ct);
    public JobStatus? GetJob(string id) => MirrorOps.GetJob(id);
}
