using System.Net;

namespace ExpressHa.Service.Mirror;

/// <summary>Everything one node's side of one mirror needs. The host builds it from the cluster config.</summary>
public sealed class MirrorOptions
{
    /// <summary>The replication unit and the granularity of the dirty bitmap: 64 KiB (one bit per block).</summary>
    public const int DefaultBlockSize = 65536;

    public string Name { get; set; } = "";
    public string LocalNode { get; set; } = "";
    public string PeerNode { get; set; } = "";
    /// <summary>The data area: a fixed-size file (or block device) of <see cref="SizeBytes"/>.</summary>
    public string DataPath { get; set; } = "";
    /// <summary>The metadata area: header (generations, flags) and the dirty bitmap.</summary>
    public string MetaPath { get; set; } = "";
    public long SizeBytes { get; set; }
    /// <summary>This node's mirror-connect address and port (listened on).</summary>
    public IPEndPoint ListenEndPoint { get; set; } = new(IPAddress.Loopback, 0);
    /// <summary>The peer's mirror-connect address and port.</summary>
    public IPEndPoint PeerEndPoint { get; set; } = new(IPAddress.Loopback, 0);
    /// <summary>Authenticates the link (HMAC-SHA256 challenge-response in both directions).</summary>
    public byte[] ClusterKey { get; set; } = [];
    /// <summary>16, 24 or 32 bytes: every frame after the handshake is AES-GCM sealed; null = plain.</summary>
    public byte[]? EncryptionKey { get; set; }
    /// <summary>Resync bandwidth cap in bytes per second; 0 = unlimited. Normal replication is never limited.</summary>
    public long SyncRateBytesPerSecond { get; set; }
    /// <summary>Block size in bytes (default 64 KiB, a power of two of at least 4 KiB); fixed for the life of the metadata.</summary>
    public int BlockSize { get; set; } = DefaultBlockSize;

    /// <summary>Called by a primary that lost the link: asks the peer node (management API) to mark its copy outdated;
    /// true = the peer confirmed. Until it returns true (or <see cref="IMirrorEngine.PeerNodeDown"/>), writes are frozen.</summary>
    public Func<CancellationToken, Task<bool>>? OutdatePeer { get; set; }
    /// <summary>(level, eventId, message): the host maps it to its alert log (module "mm").</summary>
    public Action<string, int, string>? Alert { get; set; }
    public Action<string>? Log { get; set; }

    /// <summary>A replicated write or flush the peer does not acknowledge within this time breaks the link.</summary>
    public TimeSpan AckTimeout { get; set; } = TimeSpan.FromSeconds(5);
    public TimeSpan ConnectRetryInterval { get; set; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>Nothing received for this long = the link is dead.</summary>
    public TimeSpan LinkTimeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>Resync blocks in flight (sent, not yet acknowledged).</summary>
    public int ResyncWindow { get; set; } = 16;
    /// <summary>The sync source persists cleared bitmap bits every this many blocks (and at the end).</summary>
    public int BitmapPersistInterval { get; set; } = 64;

    internal void Validate()
    {
        static void Need(bool ok, string what) { if (!ok) throw new ArgumentException($"mirror options: {what}"); }
        Need(Name.Length > 0, "Name is required");
        Need(LocalNode.Length > 0 && PeerNode.Length > 0, "LocalNode and PeerNode are required");
        Need(!string.Equals(LocalNode, PeerNode, StringComparison.Ordinal), "LocalNode and PeerNode must differ");
        Need(DataPath.Length > 0 && MetaPath.Length > 0, "DataPath and MetaPath are required");
        Need(SizeBytes > 0, "SizeBytes must be positive");
        Need(BlockSize >= 4096 && (BlockSize & (BlockSize - 1)) == 0, "BlockSize must be a power of two of at least 4096");
        Need(ClusterKey.Length > 0, "ClusterKey is required");
        Need(EncryptionKey is null || EncryptionKey.Length is 16 or 24 or 32, "EncryptionKey must be 16, 24 or 32 bytes");
        Need(SyncRateBytesPerSecond >= 0, "SyncRateBytesPerSecond must not be negative");
        Need(ResyncWindow >= 1, "ResyncWindow must be at least 1");
    }
}
