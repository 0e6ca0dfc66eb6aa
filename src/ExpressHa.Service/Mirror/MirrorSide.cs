using ExpressHa.Api;

namespace ExpressHa.Service.Mirror;

/// <summary>The shared state of one node's side of one mirror: what is marked "under Lock" below is read and changed
/// only while holding <see cref="Lock"/>, following the locking rule at the top of MirrorEngine.cs.</summary>
internal sealed class MirrorSide
{
    string? _lastLinkLog;

    public MirrorSide(MirrorOptions options)
    {
        O = options;
        Machine = new MirrorStateMachine(Log, () => Monitor.IsEntered(Lock));
        Progress = new ResyncProgress(this);
    }

    public MirrorOptions O { get; }
    public string Name => O.Name;
    public int BlockSize => O.BlockSize;
    public object Lock { get; } = new();
    public SemaphoreSlim Admin { get; } = new(1, 1);
    /// <summary>Cancelled when the engine stops: ends the link loops and the freeze resolution.</summary>
    public CancellationTokenSource Stopping { get; } = new();

    // Under Lock.
    public MirrorStateMachine Machine { get; }
    public ResyncProgress Progress { get; }
    /// <summary>Set once the data and metadata areas are open.</summary>
    public LocalCopy? Copy { get; set; }
    /// <summary>The established session (null when not connected).</summary>
    public MirrorSession? Session { get; set; }
    public EngineLifecycle Lifecycle { get; set; }
    /// <summary>Incremented at every promote and demote: a device of an older epoch is dead.</summary>
    public int DeviceEpoch { get; set; }
    public PrimaryDevice? Device { get; set; }
    /// <summary>Writes and flushes between <see cref="PrimaryDevice"/>'s enter and exit (read without the lock by the
    /// waits for it to drain).</summary>
    public int Inflight;
    /// <summary>Link lost while replicating: writes wait until the peer is outdated or known down (<see cref="MirrorBreak"/>).</summary>
    public TaskCompletionSource? Frozen { get; set; }
    /// <summary>Suspend holds writes while it flushes and outdates the peer.</summary>
    public TaskCompletionSource? SuspendHold { get; set; }
    /// <summary>A restore is overwriting the data: no link meanwhile.</summary>
    public bool Restoring { get; set; }
    public string? LastError { get; set; }
    public ulong PeerGeneration { get; set; }
    public bool SplitBrainAlerted { get; set; }

    // Test hooks.
    public volatile bool LinkBlockedForTest;
    public TaskCompletionSource? StallReceiveForTest;

    public LocalCopy OpenCopy => Copy ?? throw new InvalidOperationException($"mirror {Name} is not open");
    public MirrorMeta Meta => OpenCopy.Meta;
    public bool Disposed => Lifecycle == EngineLifecycle.Disposed;
    /// <summary>Started once (also after a later dispose): the state machine left StandAlone.</summary>
    public bool Started => Machine.Connection != ConnectionState.StandAlone;
    /// <summary>The node whose name sorts lower dials; the other accepts.</summary>
    public bool IsDialer => string.CompareOrdinal(O.LocalNode, O.PeerNode) < 0;

    /// <summary>After every change of role, session, replication or metadata: the disk state follows. Caller holds Lock.</summary>
    public void Settle() => Machine.Settle(new CopyFacts(Copy is not null, Copy?.Meta.Flags ?? MetaFlags.None,
        Copy is { Meta.Gen.Current: not 0 }, Session is { } s && s.Peer.Current != 0));

    public void EnsureStarted()
    {
        if (Disposed) throw new ObjectDisposedException(nameof(MirrorEngine));
        if (!Started) throw new InvalidOperationException($"mirror {Name} is not started");
    }

    /// <summary>The primary sends every write over <paramref name="s"/>: it is the current session, not closing, and
    /// this side is primary and in sync or the resync's source. Caller holds Lock.</summary>
    public bool IsReplicating(MirrorSession s) =>
        Session == s && s.Phase == SessionPhase.Established && Machine.IsPrimary && DiskStateRule.IsNewestSide(Machine.Replication);

    // ---------------------------------------------------------------- the primary device's questions

    /// <summary>Throws unless the device of <paramref name="epoch"/> is the live one (this side primary since then).</summary>
    public void CheckDevice(int epoch)
    {
        lock (Lock) CheckDeviceLocked(epoch);
    }

    void CheckDeviceLocked(int epoch)
    {
        if (!Machine.IsPrimary || epoch != DeviceEpoch)
            throw new BlockDeviceException(BlockDeviceException.EPERM, $"mirror {Name} is not primary on {O.LocalNode}");
    }

    /// <summary>A write or flush of the device of <paramref name="epoch"/> may start: null once it is counted in, or the
    /// hold (freeze after a link loss, or a suspend) to wait for before asking again.</summary>
    public Task? TryEnterWrite(int epoch)
    {
        lock (Lock)
        {
            if (Disposed) throw new BlockDeviceException(BlockDeviceException.ESHUTDOWN, $"mirror {Name} is shutting down");
            CheckDeviceLocked(epoch);
            if ((Frozen ?? SuspendHold) is { } hold) return hold.Task;
            Inflight++;
            return null;
        }
    }

    public void ExitWrite() { lock (Lock) Inflight--; }

    /// <summary>The session every write goes over, or null: alone, the write sets its bitmap bits.</summary>
    public MirrorSession? ReplicatingSession()
    {
        lock (Lock) return Session is { } s && IsReplicating(s) ? s : null;
    }

    /// <summary>What the handshake tells the peer. Caller holds Lock.</summary>
    public MirrorNodeState LocalState()
    {
        var m = Meta;
        return new MirrorNodeState
        {
            Node = O.LocalNode, Size = O.SizeBytes, BlockSize = BlockSize, Current = m.Gen.Current, BitmapGen = m.Gen.BitmapGen,
            History1 = m.Gen.History1, History2 = m.Gen.History2, Flags = m.Flags, SyncTowards = m.SyncTowards, Primary = Machine.IsPrimary,
            DirtyBlocks = OpenCopy.DirtyBlocks,
        };
    }

    public void Log(string message) => O.Log?.Invoke($"mirror {Name} on {O.LocalNode}: {message}");

    /// <summary>Logs a link message unless it repeats the last one (a peer that keeps failing the same way).</summary>
    public void LinkLog(string message)
    {
        if (message == _lastLinkLog) return;
        _lastLinkLog = message;
        Log(message);
    }

    /// <summary>Raises an alert of the catalog's mm module (<see cref="AlertEvents.Mm"/>).</summary>
    public void Alert(AlertEvent e, string message)
    {
        Log($"[{e.Level} {e.Module} {e.Id}] {message}");
        try { O.Alert?.Invoke(e, message); } catch { }
    }
}

public enum EngineLifecycle { Created, Started, Disposed }
