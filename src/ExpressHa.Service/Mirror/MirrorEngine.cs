using ExpressHa.Api;

namespace ExpressHa.Service.Mirror;

// The engine's locking rule. Four locks, outermost first; a lock is only ever taken inside those above it:
// 1. The admin gate (MirrorSide.Admin, a SemaphoreSlim): one operation at a time among promote, demote, suspend,
//    resume, repair, outdate, restore and the shutdown's demote. Held across awaits on purpose: an operation is a
//    sequence of steps with the peer.
// 2. The block locks (LocalCopy.Blocks, striped SemaphoreSlims): a write and a resync read of the same blocks never
//    interleave. Held across the send, so the order on the wire is the order of the locks.
// 3. The state lock (MirrorSide.Lock, a monitor): the state machine, the current session and its phase, the device
//    epoch and in-flight count, the write holds (freeze, suspend), the resync progress, the last error, the peer's
//    generation. Nothing is awaited under it: code takes what it needs, lets go, then sends or waits. The state machine
//    counts a change made without it as illegal.
// 4. The bitmap lock (LocalCopy.BitsLock, a monitor): the dirty bitmap and the record of cleared bits; taken alone or
//    inside the state lock, never around it.
// The metadata file's lock (MirrorMeta) and a link's send gate (MirrorLink) are innermost and guard only their own I/O.

/// <summary>One node's side of one mirror (DRBD-like): data file + metadata (generations, flags, dirty bitmap), the
/// authenticated (optionally encrypted) link to the peer, synchronous replication from the primary, bitmap resync,
/// mirror break handling, split-brain detection and repair. This class starts and stops the parts and takes the admin
/// gate for the operations; the state lives in <see cref="MirrorSide"/> (its summary holds the locking rule) and its
/// <see cref="MirrorStateMachine"/>. Parts: <see cref="MirrorConnector"/> and <see cref="LinkHandshake"/> (link),
/// <see cref="SessionHandler"/> (frames), <see cref="MirrorBreak"/> (session end, freeze), <see cref="RoleChanges"/>,
/// <see cref="MirrorMaintenance"/>, <see cref="ResyncSource"/>/<see cref="ResyncTarget"/>, <see cref="PrimaryDevice"/>.</summary>
public sealed class MirrorEngine : IMirrorEngine
{
    readonly MirrorSide _side;
    readonly MirrorBreak _breaks;
    readonly MirrorConnector _connector;
    readonly RoleChanges _roles;
    readonly MirrorMaintenance _maintenance;

    public MirrorEngine(MirrorOptions options)
    {
        options.Validate();
        _side = new MirrorSide(options);
        _breaks = new MirrorBreak(_side);
        var source = new ResyncSource(_side, _breaks);
        var sessions = new SessionHandler(_side, _breaks, new ResyncTarget(_side));
        _connector = new MirrorConnector(_side, _breaks, sessions, source);
        _roles = new RoleChanges(_side, _breaks, source);
        _maintenance = new MirrorMaintenance(_side, _breaks);
    }

    public string Name => _side.Name;
    public MirrorOptions Options => _side.O;
    /// <summary>Bytes this engine has sent (source) or received (target) by resync since it started.</summary>
    public long ResyncedBytes => _side.Progress.ResyncedBytes;

    public Task StartAsync(CancellationToken ct)
    {
        if (_side.Disposed) throw new ObjectDisposedException(nameof(MirrorEngine));
        if (_side.Started) return Task.CompletedTask;
        EnsureOpen();
        lock (_side.Lock)
        {
            _side.Meta.Set(MetaFlags.CleanShutdown, false);
            _side.Meta.WriteHeader();
        }
        _connector.Listen();
        lock (_side.Lock)
        {
            _side.Lifecycle = EngineLifecycle.Started;
            _side.Machine.Started();
        }
        _connector.Run();
        _side.Log($"started: {_side.OpenCopy.Describe()}");
        return Task.CompletedTask;
    }

    void EnsureOpen()
    {
        lock (_side.Lock)
        {
            if (_side.Copy is not null) return;
            _side.Copy = LocalCopy.Open(_side.O);
            _side.Settle();
        }
    }

    // ---------------------------------------------------------------- operations (under the admin gate)

    public async Task<IBlockDevice> PromoteAsync(CancellationToken ct)
    {
        _side.EnsureStarted();
        return await Admin(() => _roles.PromoteAsync(ct), ct).ConfigureAwait(false);
    }

    public async Task DemoteAsync(CancellationToken ct)
    {
        if (!_side.Started) return;
        await Admin(async () => { await _roles.DemoteAsync(ct).ConfigureAwait(false); return 0; }, ct).ConfigureAwait(false);
    }

    public Task SuspendAsync(CancellationToken ct)
    {
        _side.EnsureStarted();
        return Admin(async () => { await _maintenance.SuspendAsync(ct).ConfigureAwait(false); return 0; }, ct);
    }

    public Task ResumeAsync(CancellationToken ct)
    {
        _side.EnsureStarted();
        return Admin(() => { _maintenance.Resume(); return Task.FromResult(0); }, ct);
    }

    public Task RepairAsync(string sourceNode, CancellationToken ct)
    {
        _side.EnsureStarted();
        var o = _side.O;
        if (sourceNode != o.LocalNode && sourceNode != o.PeerNode)
            throw new ArgumentException($"mirror {Name}: '{sourceNode}' is neither {o.LocalNode} nor {o.PeerNode}", nameof(sourceNode));
        return Admin(() => { _maintenance.Repair(sourceNode); return Task.FromResult(0); }, ct);
    }

    public Task OutdateAsync(CancellationToken ct)
    {
        EnsureOpen();
        return Admin(() => { _maintenance.Outdate(); return Task.FromResult(0); }, ct);
    }

    public void PeerNodeDown() => _breaks.PeerNodeDown();

    public Task CopyOutAsync(string targetPath, IProgress<long>? progress, CancellationToken ct) =>
        _maintenance.CopyOutAsync(targetPath, progress, ct);

    public Task RestoreAsync(string sourcePath, IProgress<long>? progress, CancellationToken ct)
    {
        EnsureOpen();
        return Admin(async () => { await _maintenance.RestoreAsync(sourcePath, progress, ct).ConfigureAwait(false); return 0; }, ct);
    }

    async Task<T> Admin<T>(Func<Task<T>> operation, CancellationToken ct)
    {
        await _side.Admin.WaitAsync(ct).ConfigureAwait(false);
        try { return await operation().ConfigureAwait(false); }
        finally { _side.Admin.Release(); }
    }

    public MirrorStatus GetStatus()
    {
        lock (_side.Lock)
        {
            var sm = _side.Machine;
            var st = new MirrorStatus
            {
                Name = Name, Node = _side.O.LocalNode, Peer = _side.O.PeerNode, SizeBytes = _side.O.SizeBytes, BlockSize = _side.BlockSize,
                Role = MirrorStatusNames.Role(sm.Role), Encrypted = _side.O.EncryptionKey is not null, LastError = _side.LastError,
                PeerGeneration = _side.PeerGeneration == 0 ? "" : Generations.Hex(_side.PeerGeneration),
                Connection = MirrorStatusNames.Connection(sm.ShownConnection, sm.Replication, _side.Copy?.Meta.Flags ?? MetaFlags.None),
                Disk = MirrorStatusNames.Disk(sm.Disk),
                Sync = MirrorStatusNames.Sync(sm.Replication),
            };
            if (_side.Copy is not { } copy) return st;
            st.CurrentGeneration = Generations.Hex(copy.Meta.Gen.Current);
            st.BitmapGeneration = Generations.Hex(copy.Meta.Gen.BitmapGen);
            _side.Progress.Fill(st, sm.Replication, sm.Disk, copy);
            return st;
        }
    }

    // ---------------------------------------------------------------- test hooks

    /// <summary>How many illegal state changes the state machine saw (zero unless the engine has a bug).</summary>
    internal int IllegalStateChanges { get { lock (_side.Lock) return _side.Machine.IllegalChanges; } }

    /// <summary>Test hook: no dialing, incoming connections closed (a cut network, with both engines running).</summary>
    internal bool LinkBlockedForTest { get => _side.LinkBlockedForTest; set => _side.LinkBlockedForTest = value; }

    /// <summary>Test hook: the next received frame is not handled until this completes or the session ends (a hung peer).</summary>
    internal TaskCompletionSource? StallReceiveForTest { get => _side.StallReceiveForTest; set => _side.StallReceiveForTest = value; }

    /// <summary>Test hook: drops the current connection as a network failure would (a primary then freezes and outdates the peer).</summary>
    internal void DropLinkForTest()
    {
        MirrorSession? s;
        lock (_side.Lock) s = _side.Session;
        if (s is not null) _breaks.EndSession(s, "dropped by a test");
    }

    /// <summary>Test hook: stops like a crash or power loss: no demote, no final metadata write (WasPrimary stays,
    /// CleanShutdown stays clear); the peer sees the link drop.</summary>
    internal async Task CrashForTest()
    {
        TaskCompletionSource? frozen;
        MirrorSession? s;
        lock (_side.Lock)
        {
            _side.Lifecycle = EngineLifecycle.Disposed;
            frozen = _side.Frozen;
            s = _side.Session;
            s?.CloseOnPurpose();
        }
        frozen?.TrySetException(new BlockDeviceException(BlockDeviceException.ESHUTDOWN, "crashed"));
        await StopLinkAsync(s, "crash").ConfigureAwait(false);
        lock (_side.Lock) _side.Copy?.Dispose();
    }

    // ---------------------------------------------------------------- dispose

    public async ValueTask DisposeAsync()
    {
        bool started;
        TaskCompletionSource? frozen;
        lock (_side.Lock)
        {
            if (_side.Disposed) return;
            started = _side.Started;
            _side.Lifecycle = EngineLifecycle.Disposed;
            frozen = _side.Frozen;
        }
        frozen?.TrySetException(new BlockDeviceException(BlockDeviceException.ESHUTDOWN, $"mirror {Name} is shutting down"));
        if (started)
        {
            try
            {
                using var t = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _side.Admin.WaitAsync(t.Token).ConfigureAwait(false);
                try { await _roles.DemoteAsync(t.Token).ConfigureAwait(false); }
                finally { _side.Admin.Release(); }
            }
            catch (Exception e) { _side.Log($"demote on shutdown: {e.Message}"); }
        }
        MirrorSession? s;
        lock (_side.Lock) s = _side.Session;
        if (s is not null && s.PeerPrimary && !_side.Machine.IsPrimary)
        {
            // A clean stop of the standby: outdate this copy first and tell the primary, so it goes on without a freeze.
            try
            {
                lock (_side.Lock)
                {
                    var m = _side.Meta;
                    if (!m.Has(MetaFlags.Outdated) && m.Gen.Current != 0)
                    {
                        m.Set(MetaFlags.Outdated, true);
                        m.WriteHeader();
                        _side.Settle();
                    }
                }
                await s.RequestAsync(new MirrorFrame(FrameType.Leaving, s.NextId()), TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) { _side.Log($"telling {_side.O.PeerNode} that this node leaves: {e.Message}"); }
        }
        _side.Stopping.Cancel();
        lock (_side.Lock)
        {
            s = _side.Session;
            s?.CloseOnPurpose();
        }
        await StopLinkAsync(s, "shutting down").ConfigureAwait(false);
        lock (_side.Lock)
        {
            if (_side.Copy is not { } copy) return;
            try
            {
                lock (copy.BitsLock) copy.Meta.PersistBitmap();
                copy.Meta.Set(MetaFlags.CleanShutdown, true);
                copy.Meta.WriteHeader();
            }
            catch (Exception e) { _side.Log($"closing metadata: {e.Message}"); }
            copy.Dispose();
        }
    }

    /// <summary>Ends the session (planned), stops listening and dialling, and lets background session tasks notice
    /// the cancellation before the files close.</summary>
    async Task StopLinkAsync(MirrorSession? s, string why)
    {
        _side.Stopping.Cancel();
        if (s is not null) _breaks.EndSession(s, why);
        await _connector.StopAsync().ConfigureAwait(false);
    }
}
