using System.Security.Cryptography;

namespace ExpressHa.Service.Mirror;

/// <summary>Persisted state flags of one copy (metadata header).</summary>
[Flags]
public enum MetaFlags : uint
{
    None = 0,
    /// <summary>The copy is a complete image of some generation (not mid-resync).</summary>
    Consistent = 1,
    /// <summary>The peer went on without us: this copy must not be promoted until a resync completes.</summary>
    Outdated = 2,
    /// <summary>Set while primary; cleared on demote. Still set on a secondary = that primary crashed.</summary>
    WasPrimary = 4,
    CleanShutdown = 8,
    /// <summary>This copy is a resync target (Inconsistent) towards <see cref="MirrorMeta.SyncTowards"/>.</summary>
    SyncTargetInProgress = 16,
    /// <summary>Repair chose this copy: it is the source of a full resync at the next connect.</summary>
    ForcedSource = 32,
    /// <summary>Repair chose the peer: this copy is overwritten by a full resync at the next connect.</summary>
    DiscardMine = 64,
    /// <summary>Split brain detected and not repaired yet.</summary>
    SplitBrain = 128,
    /// <summary>This copy suspended replication (it goes on alone, recording the difference).</summary>
    SuspendedSource = 256,
    /// <summary>The peer suspended replication: this copy is frozen at the rest point (and Outdated).</summary>
    SuspendedTarget = 512,
}

/// <summary>Generation identifiers (DRBD-style UUIDs): the current one names the data; the bitmap generation is
/// the peer's data point since which the bitmap records differences; two history entries keep older points.</summary>
public sealed class Generations
{
    public ulong Current { get; set; }
    public ulong BitmapGen { get; set; }
    public ulong History1 { get; set; }
    public ulong History2 { get; set; }

    public Generations Clone() => (Generations)MemberwiseClone();

    /// <summary>The data goes on without the peer: a new current generation. The bitmap keeps recording since the
    /// first point the peer may hold (bitmap generation); a skipped current goes to history.</summary>
    public void StartNew()
    {
        if (BitmapGen == 0) BitmapGen = Current;
        else PushHistory(Current);
        Current = NewId();
    }

    /// <summary>The peer now holds exactly our data: the bitmap generation goes to history.</summary>
    public void CompleteSync()
    {
        if (BitmapGen != 0) PushHistory(BitmapGen);
        BitmapGen = 0;
    }

    void PushHistory(ulong g)
    {
        if (g == 0 || g == History1) return;
        History2 = History1;
        History1 = g;
    }

    public static ulong NewId()
    {
        Span<byte> b = stackalloc byte[8];
        ulong v;
        do { RandomNumberGenerator.Fill(b); v = BitConverter.ToUInt64(b); } while (v == 0);
        return v;
    }

    public static string Hex(ulong g) => g.ToString("X16");
}

/// <summary>What one side tells the other after the handshake (and the input of <see cref="SyncDecision"/>).</summary>
public sealed record MirrorNodeState
{
    public string Node { get; init; } = "";
    public long Size { get; init; }
    public int BlockSize { get; init; }
    public ulong Current { get; init; }
    public ulong BitmapGen { get; init; }
    public ulong History1 { get; init; }
    public ulong History2 { get; init; }
    public MetaFlags Flags { get; init; }
    public ulong SyncTowards { get; init; }
    public bool Primary { get; init; }
    public long DirtyBlocks { get; init; }

    public bool Has(MetaFlags f) => (Flags & f) == f;
    /// <summary>Meta says it was primary, yet it is not primary now: that primary crashed (a clean demote clears the flag).</summary>
    public bool CrashedPrimary => Has(MetaFlags.WasPrimary) && !Primary;
}
