using System.Diagnostics;
using System.Net.Sockets;
using ExpressHa.Api;

namespace ExpressHa.Service.Mirror;

/// <summary>One node's side of one mirror (DRBD-like): data file + metadata (generations, flags, dirty bitmap),
/// the authenticated (optionally encrypted) link to the peer, synchronous replication from the primary, bitmap
/// resync, mirror break handling, split-brain detection and repair. Split over partial files:
/// MirrorEngine.Link.cs (connect, handshake, session), Resync.cs, PrimaryDevice.cs (write path).</summary>
public sealed partial class MirrorEngine : IMirrorEngine
{
    public const string AlertModule = "mm";
    public const int EventBreak = 1, EventResyncStarted = 2, EventResyncFinished = 3, EventSplitBrain = 4,
        EventKeyMismatch = 5, EventAuthFailed = 6, EventConnected = 7;

    readonly MirrorOptions _o;
    readonly object _state = new();
    readonly object _bitsLock = new();
    readonly SemaphoreSlim _admin = new(1, 1);
    readonly BlockLocks _blocks = new();
    readonly CancellationTokenSource _cts = new();

    FileStream? _data;
    MirrorMeta? _meta;
    TcpListener? _listener;
    Task? _dialLoop, _acceptLoop;
    bool _started, _disposed;

    // Role and link (under _state).
    readonly MirrorStateMachine _sm;
    int _deviceEpoch;
    PrimaryDevice? _device;
    int _inflight;
    MirrorSession? _session;
    TaskCompletionSource? _frozen;       // link lost while replicating: until the peer is outdated or down
    TaskCompletionSource? _suspendGate;  // SuspendAsync holds writes while it flushes and outdates the peer
    bool _peerDown;
    TaskCompletionSource _peerDownSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    bool _restoring;
    string? _lastError;
    ulong _peerGeneration;
    bool _splitBrainAlerted;

    // Resync progress (under _state).
    long _syncStartBlocks, _targetRemaining, _syncBytesRun;
    readonly Stopwatch _syncWatch = new();
    long _resyncedBytes;

    public MirrorEngine(MirrorOptions options)
    {
        options.Validate();
        _o = options;
        _sm = new MirrorStateMachine(Log);
    }

    /// <summary>How many illegal state changes the state machine saw (zero unless the engine has a bug).</summary>
    internal int IllegalStateChanges { get { lock (_state) return _sm.IllegalChanges; } }

    /// <summary>The disk state rule's facts about this copy now. Caller holds _state.</summary>
    CopyFacts Facts() => new(_meta is not null, _meta?.Flags ?? MetaFlags.None, _meta is { Gen.Current: not 0 },
        _session is { } s && s.Peer.Current != 0);

    /// <summary>After every change of role, session, replication or metadata: the disk state follows. Caller holds _state.</summary>
    void Settle() => _sm.Settle(Facts());

    public string Name => _o.Name;
    public MirrorOptions Options => _o;
    /// <summary>Bytes this engine has sent (source) or received (target) by resync since it started.</summary>
    public long ResyncedBytes => Interlocked.Read(ref _resyncedBytes);
    internal MirrorMeta Meta => _meta ?? throw new InvalidOperationException("mirror not open");
    int BlockSize => _o.BlockSize;

    public async Task StartAsync(CancellationToken ct)
    {
        if (_disposed) throw new ObjectDisposedException(nameof(MirrorEngine));
        if (_started) return;
        EnsureOpen();
        lock (_state)
        {
            _meta!.Set(MetaFlags.CleanShutdown, false);
            _meta.WriteHeader();
            _sm.Started();
        }
        var listener = new TcpListener(_o.ListenEndPoint);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        _listener = listener;
        _started = true;
        var token = _cts.Token;
        _acceptLoop = Task.Run(() => AcceptLoopAsync(token), CancellationToken.None);
        if (IsDialer) _dialLoop = Task.Run(() => DialLoopAsync(token), CancellationToken.None);
        Log($"started: {DescribeMeta()}");
        await Task.CompletedTask;
    }

    void EnsureOpen()
    {
        if (_meta is not null) return;
        var meta = MirrorMeta.OpenOrCreate(_o.MetaPath, _o.SizeBytes, _o.BlockSize);
        try
        {
            var data = new FileStream(_o.DataPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite, 1, FileOptions.None);
            try
            {
                long len = data.Length;
                bool isFile = File.Exists(_o.DataPath) && !_o.DataPath.StartsWith("/dev/", StringComparison.Ordinal);
                if (len < _o.SizeBytes)
                {
                    if (!meta.Created || !isFile)
                        throw new MirrorException(MirrorErrorCodes.SizeMismatch,
                            $"mirror {Name}: data area '{_o.DataPath}' holds {len} bytes, smaller than the configured {_o.SizeBytes}");
                    data.SetLength(_o.SizeBytes);
                    data.Flush(true);
                }
            }
            catch { data.Dispose(); throw; }
            _data = data;
            lock (_state)
            {
                _meta = meta;
                Settle();
            }
        }
        catch { meta.Dispose(); throw; }
    }

    // ---------------------------------------------------------------- role

    public async Task<IBlockDevice> PromoteAsync(CancellationToken ct)
    {
        EnsureStarted();
        await _admin.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            MirrorSession? s;
            bool fullSync;
            PrimaryDevice device;
            lock (_state)
            {
                if (_sm.IsPrimary) return _device!;
                var m = _meta!;
                s = _session is { Established: true, Ended: false } x ? x : null;
                if (m.Has(MetaFlags.SyncTargetInProgress) || _sm.Replication is ReplicationState.SyncTarget or ReplicationState.StartingSyncTarget)
                    throw new MirrorException(MirrorErrorCodes.Inconsistent,
                        $"mirror {Name}: the copy on {_o.LocalNode} is inconsistent (resync from {_o.PeerNode} in progress)");
                if (m.Has(MetaFlags.Outdated))
                    throw new MirrorException(MirrorErrorCodes.Outdated,
                        $"mirror {Name}: the copy on {_o.LocalNode} is outdated (the peer went on without it); resync from {_o.PeerNode}, or run Repair-HaMirror -Source {_o.LocalNode} to force it");
                if ((m.Has(MetaFlags.SplitBrain) && !m.Has(MetaFlags.ForcedSource)) || _sm.Replication == ReplicationState.SplitBrain)
                    throw new MirrorException(MirrorErrorCodes.SplitBrain,
                        $"mirror {Name}: split brain between {_o.LocalNode} and {_o.PeerNode}; run Repair-HaMirror -Source <node whose data wins>");
                if (s is not null)
                {
                    if (s.PeerPrimary)
                        throw new MirrorException(MirrorErrorCodes.PeerPrimary, $"mirror {Name}: {_o.PeerNode} is primary");
                    if (m.Gen.Current == 0 && s.Peer.Current != 0)
                        throw new MirrorException(MirrorErrorCodes.Inconsistent, $"mirror {Name}: the copy on {_o.LocalNode} holds no data yet");
                }
                else if (!(_sm.UpToDateAtLinkLoss || m.Has(MetaFlags.ForcedSource) || m.Has(MetaFlags.SuspendedSource)))
                {
                    if (m.Gen.Current == 0)
                        throw new MirrorException(MirrorErrorCodes.Inconsistent,
                            $"mirror {Name}: the copy on {_o.LocalNode} holds no data yet and {_o.PeerNode} is not connected");
                    throw new MirrorException(MirrorErrorCodes.PeerUnknown,
                        $"mirror {Name}: the copy on {_o.LocalNode} is Consistent but the peer's state is unknown; connect the peer or run Repair-HaMirror -Source {_o.LocalNode} to force");
                }
                if (s is not null) _sm.MoveRole(MirrorRole.Promoting);
            }
            if (s is not null)
            {
                // The peer must agree: it refuses when it is primary or being promoted itself (both then fail: never two primaries).
                MirrorFrame ack;
                try { ack = await s.RequestAsync(new MirrorFrame(FrameType.Role, s.NextId(), A: 1), _o.AckTimeout, ct).ConfigureAwait(false); }
                catch (Exception e)
                {
                    lock (_state) { _sm.MoveRole(MirrorRole.Secondary); Settle(); }
                    EndSession(s, $"role change not acknowledged: {e.Message}");
                    throw new MirrorException(MirrorErrorCodes.Busy, $"mirror {Name}: the link to {_o.PeerNode} failed during promotion; retry", e);
                }
                if (ack.A != 0)
                {
                    lock (_state) { _sm.MoveRole(MirrorRole.Secondary); Settle(); }
                    throw new MirrorException(MirrorErrorCodes.PeerPrimary, $"mirror {Name}: {_o.PeerNode} is primary or being promoted");
                }
            }
            lock (_state)
            {
                var m = _meta!;
                if (s is not null && (s.Ended || _session != s))
                {
                    _sm.MoveRole(MirrorRole.Secondary);
                    Settle();
                    _ = SendRoleQuietly(s, false);
                    throw new MirrorException(MirrorErrorCodes.Busy, $"mirror {Name}: the link to {_o.PeerNode} changed during promotion; retry");
                }
                fullSync = s is not null && m.Gen.Current == 0;
                if (s is null || fullSync) m.Gen.StartNew();
                m.Set(MetaFlags.WasPrimary, true);
                m.WriteHeader();
                _sm.MoveRole(MirrorRole.Primary);
                _deviceEpoch++;
                _device = device = new PrimaryDevice(this, _deviceEpoch);
                if (s is not null && DiskStateRule.IsNewestSide(_sm.Replication)) s.Replicating = true;
                Settle();
            }
            Log($"promoted ({(s is null ? "alone" : "connected")}); generation {Generations.Hex(_meta!.Gen.Current)}");
            if (s is not null && fullSync) StartResyncSource(s, full: true);
            return device;
        }
        finally { _admin.Release(); }
    }

    public async Task DemoteAsync(CancellationToken ct)
    {
        if (!_started) return;
        await _admin.WaitAsync(ct).ConfigureAwait(false);
        try { await DemoteCoreAsync(ct).ConfigureAwait(false); }
        finally { _admin.Release(); }
    }

    async Task DemoteCoreAsync(CancellationToken ct)
    {
        int epoch;
        lock (_state)
        {
            if (!_sm.IsPrimary) return;
            epoch = _deviceEpoch;
        }
        try { await FlushCoreAsync(epoch, ct).ConfigureAwait(false); }
        catch (Exception e) when (e is not OperationCanceledException) { Log($"flush on demote: {e.Message}"); }
        lock (_state)
        {
            _sm.MoveRole(MirrorRole.Secondary);
            _deviceEpoch++;
            _device = null;
            if (_session is { } s0) s0.Replicating = false;
            Settle();
        }
        var sw = Stopwatch.StartNew();
        while (Volatile.Read(ref _inflight) > 0 && sw.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(5, ct).ConfigureAwait(false);
        FlushLocal();
        MirrorSession? s;
        lock (_state)
        {
            _meta!.Set(MetaFlags.WasPrimary, false);
            _meta.WriteHeader();
            s = _session is { Established: true, Ended: false } x ? x : null;
        }
        Log("demoted");
        if (s is not null)
        {
            try { await s.RequestAsync(new MirrorFrame(FrameType.Role, s.NextId(), A: 0), _o.AckTimeout, ct).ConfigureAwait(false); }
            catch (Exception e) { EndSession(s, $"send failed: {e.Message}"); }
        }
    }

    async Task SendRoleQuietly(MirrorSession s, bool primary)
    {
        try { await s.RequestAsync(new MirrorFrame(FrameType.Role, s.NextId(), A: primary ? 1 : 0), _o.AckTimeout, CancellationToken.None).ConfigureAwait(false); }
        catch { }
    }

    // ---------------------------------------------------------------- suspend / resume

    public async Task SuspendAsync(CancellationToken ct)
    {
        EnsureStarted();
        await _admin.WaitAsync(ct).ConfigureAwait(false);
        TaskCompletionSource? gate = null;
        try
        {
            MirrorSession s;
            lock (_state)
            {
                if (_meta!.Has(MetaFlags.SuspendedSource)) return;
                s = _session is { Established: true, Ended: false } x && _sm.Replication == ReplicationState.Established
                    ? x : throw new MirrorException(MirrorErrorCodes.Busy,
                        $"mirror {Name}: replication can be suspended only while connected and in sync");
                if (s.PeerPrimary) throw new MirrorException(MirrorErrorCodes.NotPrimary, $"mirror {Name}: {_o.PeerNode} is primary; suspend there");
                if (_frozen is not null) throw new MirrorException(MirrorErrorCodes.Busy, $"mirror {Name}: writes are frozen after a link loss");
                gate = _suspendGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            // Writes are held at the gate; wait for those in flight, flush end to end.
            while (Volatile.Read(ref _inflight) > 0) await Task.Delay(5, ct).ConfigureAwait(false);
            FlushLocal();
            await s.RequestAsync(new MirrorFrame(FrameType.Flush, s.NextId()), _o.AckTimeout, ct).ConfigureAwait(false);
            await s.RequestAsync(new MirrorFrame(FrameType.Outdate, s.NextId(), A: 1), _o.AckTimeout, ct).ConfigureAwait(false);
            lock (_state)
            {
                _meta!.Set(MetaFlags.SuspendedSource, true);
                _meta.Gen.StartNew();
                _meta.WriteHeader();
                s.Replicating = false;
                s.Planned = true;
                Settle();
            }
            EndSession(s, "replication suspended");
            Log($"replication suspended; generation {Generations.Hex(_meta!.Gen.Current)}");
        }
        finally
        {
            if (gate is not null)
            {
                lock (_state) if (_suspendGate == gate) _suspendGate = null;
                gate.TrySetResult();
            }
            _admin.Release();
        }
    }

    public async Task ResumeAsync(CancellationToken ct)
    {
        EnsureStarted();
        await _admin.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            lock (_state)
            {
                if (!_meta!.Has(MetaFlags.SuspendedSource))
                    throw new MirrorException(MirrorErrorCodes.NotSuspended, $"mirror {Name}: replication is not suspended on {_o.LocalNode}");
                _meta.Set(MetaFlags.SuspendedSource, false);
                _meta.WriteHeader();
                Settle();
            }
            Log("replication resumed");
        }
        finally { _admin.Release(); }
    }

    // ---------------------------------------------------------------- repair / outdate

    public async Task RepairAsync(string sourceNode, CancellationToken ct)
    {
        EnsureStarted();
        if (sourceNode != _o.LocalNode && sourceNode != _o.PeerNode)
            throw new ArgumentException($"mirror {Name}: '{sourceNode}' is neither {_o.LocalNode} nor {_o.PeerNode}", nameof(sourceNode));
        await _admin.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            MirrorSession? s;
            lock (_state)
            {
                var m = _meta!;
                s = _session;
                bool healthy = s is { Established: true, Ended: false } && _sm.Replication != ReplicationState.SplitBrain
                               && !m.Has(MetaFlags.SplitBrain) && !m.Has(MetaFlags.Outdated) && !m.Has(MetaFlags.SyncTargetInProgress);
                if (sourceNode == _o.LocalNode && healthy)
                {
                    Log("repair: connected, and this copy is not behind: nothing to repair");
                    return;
                }
                if (sourceNode == _o.LocalNode)
                {
                    m.Set(MetaFlags.ForcedSource, true);
                    m.Set(MetaFlags.DiscardMine | MetaFlags.SplitBrain | MetaFlags.Outdated | MetaFlags.SyncTargetInProgress | MetaFlags.SuspendedTarget, false);
                    m.Set(MetaFlags.Consistent, true);
                    if (s is not { Established: true, Ended: false }) m.Gen.StartNew(); // alone: this copy becomes the newest
                }
                else
                {
                    if (_sm.IsPrimary)
                        throw new MirrorException(MirrorErrorCodes.Busy, $"mirror {Name}: {_o.LocalNode} is primary; demote it before discarding its copy");
                    m.Set(MetaFlags.DiscardMine, true);
                    m.Set(MetaFlags.ForcedSource, false);
                }
                m.WriteHeader();
                _splitBrainAlerted = false;
                if (s is not null && !(s.Replicating && _sm.IsPrimary)) s.Planned = true;
                Settle();
            }
            Log($"repair: the copy on {sourceNode} wins");
            // Renegotiate: the next handshake applies the repair.
            if (s is not null && s.Planned) EndSession(s, "repair");
        }
        finally { _admin.Release(); }
    }

    public async Task OutdateAsync(CancellationToken ct)
    {
        EnsureOpen();
        await _admin.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            MirrorSession? s;
            lock (_state)
            {
                if (_sm.IsPrimary) throw new MirrorException(MirrorErrorCodes.Busy, $"mirror {Name}: {_o.LocalNode} is primary; it cannot be outdated");
                _meta!.Set(MetaFlags.Outdated, true);
                _meta.WriteHeader();
                _sm.Outdated();
                s = _session;
                if (s is not null) s.Planned = true;
                Settle();
            }
            Log("marked outdated at the peer's request");
            if (s is not null) EndSession(s, "outdated by the peer");
        }
        finally { _admin.Release(); }
    }

    public void PeerNodeDown()
    {
        lock (_state)
        {
            _peerDown = true;
            _peerDownSignal.TrySetResult();
        }
        Log($"{_o.PeerNode} is down (membership)");
    }

    // ---------------------------------------------------------------- copy out / restore

    public async Task CopyOutAsync(string targetPath, IProgress<long>? progress, CancellationToken ct)
    {
        if (_started)
        {
            lock (_state)
                if (_sm.IsPrimary || !_meta!.Has(MetaFlags.SuspendedTarget))
                    throw new MirrorException(MirrorErrorCodes.NotSuspended,
                        $"mirror {Name}: copy out needs a secondary whose replication is suspended (or a stopped mirror)");
        }
        using var src = new FileStream(_o.DataPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
        using var dst = new FileStream(targetPath, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None);
        var buf = new byte[1 << 20];
        long done = 0;
        while (done < _o.SizeBytes)
        {
            int n = (int)Math.Min(buf.Length, _o.SizeBytes - done);
            n = await RandomAccess.ReadAsync(src.SafeFileHandle, buf.AsMemory(0, n), done, ct).ConfigureAwait(false);
            if (n == 0) break;
            await RandomAccess.WriteAsync(dst.SafeFileHandle, buf.AsMemory(0, n), done, ct).ConfigureAwait(false);
            done += n;
            progress?.Report(done);
        }
        dst.Flush(true);
    }

    public async Task RestoreAsync(string sourcePath, IProgress<long>? progress, CancellationToken ct)
    {
        EnsureOpen();
        await _admin.WaitAsync(ct).ConfigureAwait(false);
        MirrorSession? s;
        try
        {
            long len = new FileInfo(sourcePath).Length;
            if (len > _o.SizeBytes)
                throw new MirrorException(MirrorErrorCodes.SizeMismatch, $"mirror {Name}: image '{sourcePath}' holds {len} bytes, more than the mirror's {_o.SizeBytes}");
            lock (_state)
            {
                if (_sm.IsPrimary) throw new MirrorException(MirrorErrorCodes.Busy, $"mirror {Name}: {_o.LocalNode} is primary; stop the group first");
                if (_session is { PeerPrimary: true })
                    throw new MirrorException(MirrorErrorCodes.Busy, $"mirror {Name}: {_o.PeerNode} is primary; stop the group first");
                _restoring = true;
                s = _session;
                if (s is not null) s.Planned = true;
            }
            if (s is not null) EndSession(s, "restore");
            using (var src = new FileStream(sourcePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None))
            {
                var buf = new byte[1 << 20];
                long done = 0;
                while (done < _o.SizeBytes)
                {
                    int n = (int)Math.Min(buf.Length, _o.SizeBytes - done);
                    int r = done < len ? await RandomAccess.ReadAsync(src.SafeFileHandle, buf.AsMemory(0, n), done, ct).ConfigureAwait(false) : 0;
                    if (r < n) Array.Clear(buf, r, n - r);
                    await RandomAccess.WriteAsync(_data!.SafeFileHandle, buf.AsMemory(0, n), done, ct).ConfigureAwait(false);
                    done += n;
                    progress?.Report(Math.Min(done, len));
                }
            }
            FlushLocal();
            lock (_state)
            {
                var m = _meta!;
                m.Gen.StartNew();
                m.Set(MetaFlags.ForcedSource | MetaFlags.Consistent, true);
                m.Set(MetaFlags.Outdated | MetaFlags.SyncTargetInProgress | MetaFlags.DiscardMine | MetaFlags.SplitBrain | MetaFlags.SuspendedTarget, false);
                lock (_bitsLock) { m.Bitmap.SetAll(); m.PersistBitmap(); }
                m.WriteHeader();
                Settle();
            }
            Log($"restored from '{sourcePath}'; generation {Generations.Hex(_meta!.Gen.Current)}; the peer gets a full resync");
        }
        finally
        {
            lock (_state) _restoring = false;
            _admin.Release();
        }
    }

    // ---------------------------------------------------------------- status

    public MirrorStatus GetStatus()
    {
        lock (_state)
        {
            var flags = _meta?.Flags ?? MetaFlags.None;
            var repl = _sm.Replication;
            var st = new MirrorStatus
            {
                Name = Name, Node = _o.LocalNode, Peer = _o.PeerNode, SizeBytes = _o.SizeBytes, BlockSize = BlockSize,
                Role = MirrorStatusNames.Role(_sm.Role), Encrypted = _o.EncryptionKey is not null, LastError = _lastError,
                PeerGeneration = _peerGeneration == 0 ? "" : Generations.Hex(_peerGeneration),
                Connection = MirrorStatusNames.Connection(_sm.ShownConnection, repl, flags),
                Disk = MirrorStatusNames.Disk(_sm.Disk),
                Sync = MirrorStatusNames.Sync(repl),
            };
            if (_meta is not { } m) return st;
            st.CurrentGeneration = Generations.Hex(m.Gen.Current);
            st.BitmapGeneration = Generations.Hex(m.Gen.BitmapGen);
            bool target = repl == ReplicationState.SyncTarget, resyncing = target || repl == ReplicationState.SyncSource;
            long dirtyBlocks;
            lock (_bitsLock) dirtyBlocks = target ? _targetRemaining : m.Bitmap.Count;
            st.DirtyBytes = Math.Min(dirtyBlocks * BlockSize, _o.SizeBytes);
            long start = target ? Math.Max(_syncStartBlocks, _targetRemaining) : _syncStartBlocks;
            st.SyncPercent = !resyncing || start == 0 ? (_sm.Disk == DiskState.Inconsistent ? 0 : 100)
                : Math.Round(100.0 * Math.Clamp(1.0 - (double)dirtyBlocks / start, 0, 1), 2);
            st.ResyncBytesPerSecond = resyncing && _syncWatch.Elapsed.TotalSeconds > 0.05
                ? (long)(_syncBytesRun / _syncWatch.Elapsed.TotalSeconds) : 0;
            return st;
        }
    }

    // ---------------------------------------------------------------- test hooks

    /// <summary>Test hook: drops the current connection as a network failure would (a primary then freezes and outdates the peer).</summary>
    internal void DropLinkForTest()
    {
        MirrorSession? s;
        lock (_state) s = _session;
        if (s is not null) EndSession(s, "dropped by a test");
    }

    /// <summary>Test hook: stops like a crash or power loss: no demote, no final metadata write (WasPrimary stays,
    /// CleanShutdown stays clear); the peer sees the link drop.</summary>
    internal async Task CrashForTest()
    {
        _disposed = true;
        TaskCompletionSource? gate;
        MirrorSession? s;
        lock (_state)
        {
            gate = _frozen;
            s = _session;
            if (s is not null) s.Planned = true;
        }
        gate?.TrySetException(new BlockDeviceException(BlockDeviceException.ESHUTDOWN, "crashed"));
        await StopLinkAsync(s, "crash").ConfigureAwait(false);
        lock (_state)
        {
            _meta?.Dispose();
            _data?.Dispose();
        }
    }

    // ---------------------------------------------------------------- dispose

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        TaskCompletionSource? gate;
        lock (_state) { gate = _frozen; }
        gate?.TrySetException(new BlockDeviceException(BlockDeviceException.ESHUTDOWN, $"mirror {Name} is shutting down"));
        if (_started)
        {
            try
            {
                using var t = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _admin.WaitAsync(t.Token).ConfigureAwait(false);
                try { await DemoteCoreAsync(t.Token).ConfigureAwait(false); }
                finally { _admin.Release(); }
            }
            catch (Exception e) { Log($"demote on shutdown: {e.Message}"); }
        }
        MirrorSession? s;
        lock (_state) s = _session is { Established: true, Ended: false } x ? x : null;
        if (s is not null && s.PeerPrimary && !_sm.IsPrimary)
        {
            // A clean stop of the standby: outdate this copy first and tell the primary, so it goes on without a freeze.
            try
            {
                lock (_state)
                {
                    if (!_meta!.Has(MetaFlags.Outdated) && _meta.Gen.Current != 0)
                    {
                        _meta.Set(MetaFlags.Outdated, true);
                        _meta.WriteHeader();
                        Settle();
                    }
                }
                await s.RequestAsync(new MirrorFrame(FrameType.Leaving, s.NextId()), TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) { Log($"telling {_o.PeerNode} that this node leaves: {e.Message}"); }
        }
        _cts.Cancel();
        lock (_state)
        {
            s = _session;
            if (s is not null) s.Planned = true;
        }
        await StopLinkAsync(s, "shutting down").ConfigureAwait(false);
        lock (_state)
        {
            if (_meta is not null)
            {
                try
                {
                    lock (_bitsLock) _meta.PersistBitmap();
                    _meta.Set(MetaFlags.CleanShutdown, true);
                    _meta.WriteHeader();
                }
                catch (Exception e) { Log($"closing metadata: {e.Message}"); }
                _meta.Dispose();
            }
            _data?.Dispose();
        }
    }

    /// <summary>Ends the session (planned), stops listening and dialling, and lets background session tasks notice
    /// the cancellation before the files close.</summary>
    async Task StopLinkAsync(MirrorSession? s, string why)
    {
        _cts.Cancel();
        if (s is not null) EndSession(s, why);
        try { _listener?.Stop(); } catch { }
        foreach (var t in new[] { _dialLoop, _acceptLoop })
            if (t is not null) try { await t.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false); } catch { }
        var sw = Stopwatch.StartNew();
        while (HasLink() && sw.Elapsed < TimeSpan.FromSeconds(5)) await Task.Delay(10).ConfigureAwait(false);
    }

    // ---------------------------------------------------------------- helpers

    bool HasLink() { lock (_state) return _sm.HasLink; }

    bool IsDialer => string.CompareOrdinal(_o.LocalNode, _o.PeerNode) < 0;

    void EnsureStarted()
    {
        if (_disposed) throw new ObjectDisposedException(nameof(MirrorEngine));
        if (!_started) throw new InvalidOperationException($"mirror {Name} is not started");
    }

    internal void FlushLocal()
    {
        _data!.Flush(true);
        _meta!.Flush();
    }

    void SetBits(long first, long last)
    {
        lock (_bitsLock)
            if (_meta!.Bitmap.SetRange(first, last)) _meta.PersistBits(first, last);
    }

    string DescribeMeta()
    {
        var m = _meta!;
        return $"generation {Generations.Hex(m.Gen.Current)}, bitmap generation {Generations.Hex(m.Gen.BitmapGen)}, flags {m.Flags}, dirty blocks {m.Bitmap.Count}";
    }

    MirrorNodeState LocalState()
    {
        var m = _meta!;
        long dirty;
        lock (_bitsLock) dirty = m.Bitmap.Count;
        return new MirrorNodeState
        {
            Node = _o.LocalNode, Size = _o.SizeBytes, BlockSize = BlockSize, Current = m.Gen.Current, BitmapGen = m.Gen.BitmapGen,
            History1 = m.Gen.History1, History2 = m.Gen.History2, Flags = m.Flags, SyncTowards = m.SyncTowards, Primary = _sm.IsPrimary,
            DirtyBlocks = dirty,
        };
    }

    void Log(string message) => _o.Log?.Invoke($"mirror {Name} on {_o.LocalNode}: {message}");

    void Alert(string level, int eventId, string message)
    {
        Log($"[{level} {AlertModule} {eventId}] {message}");
        try { _o.Alert?.Invoke(level, eventId, message); } catch { }
    }
}
