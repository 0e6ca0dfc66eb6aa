namespace ExpressHa.Api
{
    // The wire names of MirrorStatus (GET /v1/mirrors, Get-HaMirror, the mirror monitors). PascalCase, as DRBD
    // names them.

    /// <summary>MirrorStatus.Role.</summary>
    public static class MirrorRoles
    {
        public const string Primary = "Primary";
        public const string Secondary = "Secondary";
        public static readonly string[] All = { Primary, Secondary };
    }

    /// <summary>MirrorStatus.Connection: the replication link to the peer.</summary>
    public static class MirrorConnectionStates
    {
        public const string Connected = "Connected";
        public const string Connecting = "Connecting";
        public const string Disconnected = "Disconnected";
        /// <summary>Replication suspended by the operator (a backup's rest point).</summary>
        public const string Suspended = "Suspended";
        public const string SplitBrain = "SplitBrain";
        public const string KeyMismatch = "KeyMismatch";
        public const string AuthFailed = "AuthFailed";
        public static readonly string[] All = { Connected, Connecting, Disconnected, Suspended, SplitBrain, KeyMismatch, AuthFailed };
    }

    /// <summary>MirrorStatus.Disk: what this node's copy is worth.</summary>
    public static class MirrorDiskStates
    {
        public const string UpToDate = "UpToDate";
        /// <summary>Consistent, but the peer's state is unknown.</summary>
        public const string Consistent = "Consistent";
        public const string Outdated = "Outdated";
        /// <summary>A resync target partway through.</summary>
        public const string Inconsistent = "Inconsistent";
        public const string Failed = "Failed";
        public static readonly string[] All = { UpToDate, Consistent, Outdated, Inconsistent, Failed };
    }

    /// <summary>MirrorStatus.Sync: this node's part in a resync.</summary>
    public static class MirrorSyncStates
    {
        public const string None = "None";
        public const string SyncSource = "SyncSource";
        public const string SyncTarget = "SyncTarget";
        public static readonly string[] All = { None, SyncSource, SyncTarget };
    }
}
