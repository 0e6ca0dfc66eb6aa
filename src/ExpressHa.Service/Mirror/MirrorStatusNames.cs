using ExpressHa.Api;

namespace ExpressHa.Service.Mirror;

/// <summary>The state names the API, cmdlets and probes show (MirrorStatus), from the state machine: the one place that
/// maps the enums to the wire names of Core's contract (<see cref="MirrorRoles"/>, <see cref="MirrorConnectionStates"/>,
/// <see cref="MirrorDiskStates"/>, <see cref="MirrorSyncStates"/>).</summary>
public static class MirrorStatusNames
{
    public static string Role(MirrorRole r) => r == MirrorRole.Primary ? MirrorRoles.Primary : MirrorRoles.Secondary;

    /// <summary>A connected pair shows Connected (or SplitBrain). Unconnected, the copy's persisted state comes first:
    /// Suspended, then the last handshake's failure, then an unrepaired split brain, then the link state.</summary>
    public static string Connection(ConnectionState c, ReplicationState r, MetaFlags flags)
    {
        if (c == ConnectionState.Connected) return r == ReplicationState.SplitBrain ? MirrorConnectionStates.SplitBrain : MirrorConnectionStates.Connected;
        if ((flags & (MetaFlags.SuspendedSource | MetaFlags.SuspendedTarget)) != 0) return MirrorConnectionStates.Suspended;
        return c switch
        {
            ConnectionState.AuthFailed => MirrorConnectionStates.AuthFailed,
            ConnectionState.KeyMismatch => MirrorConnectionStates.KeyMismatch,
            _ when (flags & MetaFlags.SplitBrain) != 0 => MirrorConnectionStates.SplitBrain,
            ConnectionState.Connecting => MirrorConnectionStates.Connecting,
            _ => MirrorConnectionStates.Disconnected,
        };
    }

    public static string Disk(DiskState d) => d switch
    {
        DiskState.UpToDate => MirrorDiskStates.UpToDate,
        DiskState.Consistent => MirrorDiskStates.Consistent,
        DiskState.Outdated => MirrorDiskStates.Outdated,
        DiskState.Inconsistent => MirrorDiskStates.Inconsistent,
        _ => MirrorDiskStates.Failed,
    };

    public static string Sync(ReplicationState r) => r switch
    {
        ReplicationState.SyncSource => MirrorSyncStates.SyncSource,
        ReplicationState.SyncTarget => MirrorSyncStates.SyncTarget,
        _ => MirrorSyncStates.None,
    };
}
