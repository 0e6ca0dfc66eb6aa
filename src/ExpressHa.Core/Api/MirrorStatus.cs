namespace ExpressHa.Api
{
    /// <summary>One node's view of one mirror: what Get-HaMirror shows and the mirror monitors check.</summary>
    public sealed class MirrorStatus
    {
        public string Name { get; set; } = "";
        public string Node { get; set; } = "";
        public string Peer { get; set; } = "";
        /// <summary>Primary or Secondary.</summary>
        public string Role { get; set; } = MirrorRoles.Secondary;
        /// <summary>Connected, Connecting, Disconnected, Suspended, SplitBrain, KeyMismatch, AuthFailed.</summary>
        public string Connection { get; set; } = MirrorConnectionStates.Connecting;
        /// <summary>UpToDate, Consistent (peer unknown), Outdated, Inconsistent (resync target), Failed.</summary>
        public string Disk { get; set; } = MirrorDiskStates.Consistent;
        /// <summary>None, SyncSource, SyncTarget.</summary>
        public string Sync { get; set; } = MirrorSyncStates.None;
        public double SyncPercent { get; set; } = 100;
        public long DirtyBytes { get; set; }
        public long ResyncBytesPerSecond { get; set; }
        public long SizeBytes { get; set; }
        public int BlockSize { get; set; }
        public string CurrentGeneration { get; set; } = "";
        public string BitmapGeneration { get; set; } = "";
        public string PeerGeneration { get; set; } = "";
        public bool Encrypted { get; set; }
        public string? ExportAddress { get; set; }
        public string? LastError { get; set; }

        public override string ToString() => $"{Name} on {Node}: {Role}, {Connection}, {Disk}";
    }
}
