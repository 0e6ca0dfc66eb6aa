using ExpressHa.Api;

namespace ExpressHa.Service.Mirror;

/// <summary>One node's side of one mirror resource. It runs on every server of the mirror's group for as long as the
/// service runs (the standby must keep receiving), apart from whether the group is active here.
/// The resource driver calls <see cref="PromoteAsync"/> on start and <see cref="DemoteAsync"/> on stop.</summary>
public interface IMirrorEngine : IAsyncDisposable
{
    string Name { get; }
    /// <summary>Opens (creating on first use) the data and metadata areas, listens on the mirror-connect address and
    /// keeps trying to reach the peer. Starts as secondary.</summary>
    Task StartAsync(CancellationToken ct);

    /// <summary>Makes this copy the primary and returns the writable device. Throws <see cref="MirrorException"/>
    /// when the copy is outdated, inconsistent (resync target), in split-brain, or the peer is primary.</summary>
    Task<IBlockDevice> PromoteAsync(CancellationToken ct);
    /// <summary>Flushes and returns to secondary; idempotent.</summary>
    Task DemoteAsync(CancellationToken ct);

    MirrorStatus GetStatus();

    /// <summary>Primary: stop replicating (writes are recorded in the bitmap); the standby copy stays frozen at this point.</summary>
    Task SuspendAsync(CancellationToken ct);
    /// <summary>Primary: reconnect replication and resync the recorded difference.</summary>
    Task ResumeAsync(CancellationToken ct);
    /// <summary>Split-brain or forced recovery: the copy on <paramref name="sourceNode"/> wins; the other is overwritten
    /// by a resync (full when the difference is unknown).</summary>
    Task RepairAsync(string sourceNode, CancellationToken ct);
    /// <summary>Peer asks this (secondary) copy to mark itself outdated before it writes without us; persisted.</summary>
    Task OutdateAsync(CancellationToken ct);
    /// <summary>Membership says the peer node is down (fenced or stopped itself): a primary frozen on link loss may go on alone.</summary>
    void PeerNodeDown();

    /// <summary>Copies this node's data area (a suspended secondary, or a stopped mirror) to a file, reporting bytes copied.</summary>
    Task CopyOutAsync(string targetPath, IProgress<long>? progress, CancellationToken ct);
    /// <summary>With the group stopped: overwrites this node's data area from an image and makes this copy the newest
    /// (the peer gets a full resync).</summary>
    Task RestoreAsync(string sourcePath, IProgress<long>? progress, CancellationToken ct);
}

/// <summary>A refused mirror operation, with a stable code (an ExpressHa.Mirror* id of <see cref="ErrorCodes"/>) for
/// alerts and API answers.</summary>
public sealed class MirrorException : Exception
{
    public MirrorException(string code, string message, Exception? inner = null) : base(message, inner) { Code = code; }
    public string Code { get; }
}
