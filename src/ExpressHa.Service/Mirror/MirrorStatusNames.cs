namespace ExpressHa.Service.Mirror;

/// <summary>The state names the API, cmdlets and probes show (MirrorStatus), from the state machine: the one place that
/// maps the enums to those names.</summary>
public static class MirrorStatusNames
{
    public static string Role(MirrorRole r) => r == MirrorRole.Primary ? "Primary" : "Secondary";

    /// <summary>A connected pair shows Connected (or SplitBrain). Unconnected, the copy's persisted state comes first:
    /// Suspended, then the last handshake's failure, then an unrepaired split brain, then the link state.</summary>
    public static string Connection(ConnectionState c, ReplicationState r, MetaFlags flags)
    {
        if (c == ConnectionState.Connected) return r == ReplicationState.SplitBrain ? "SplitBrain" : "Connected";
        if ((flags & (MetaFlags.SuspendedSource | MetaFlags.SuspendedTarget)) != 0) return "Suspended";
        return c switch
        {
            ConnectionState.AuthFailed => "AuthFailed",
            ConnectionState.KeyMismatch => "KeyMismatch",
            _ when (flags & MetaFlags.SplitBrain) != 0 => "SplitBrain",
            ConnectionState.Connecting => "Connecting",
            _ => "Disconnected",
        };
    }

    public static string Disk(DiskState d) => d == DiskState.Diskless ? "Failed" : d.ToString();

    public static string Sync(ReplicationState r) => r switch
    {
        ReplicationState.SyncSource => "SyncSource",
        ReplicationState.SyncTarget => "SyncTarget",
        _ => "None",
    };
}
