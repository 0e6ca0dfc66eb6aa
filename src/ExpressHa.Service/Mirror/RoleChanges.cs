using System.Diagnostics;
using ExpressHa.Api;

namespace ExpressHa.Service.Mirror;

/// <summary>Promotion and demotion. A promotion is checked against the copy's state (never an outdated, inconsistent or
/// split-brain copy, never while the peer is primary, never alone without evidence that this copy is the newest), and,
/// connected, asks the peer to agree (the peer refuses while it is primary or promoting itself: both then fail).
/// Callers hold the admin gate.</summary>
internal sealed class RoleChanges(MirrorSide side, MirrorBreak breaks, ResyncSource resync)
{
    MirrorOptions O => side.O;
    string Name => side.Name;

    public async Task<IBlockDevice> PromoteAsync(CancellationToken ct)
    {
        MirrorSession? s;
        bool fullSync;
        PrimaryDevice device;
        lock (side.Lock)
        {
            if (side.Machine.IsPrimary) return side.Device!;
            s = side.Session;
            CheckPromotable(s);
            if (s is not null) side.Machine.MoveRole(MirrorRole.Promoting);
        }
        if (s is not null)
        {
            MirrorFrame ack;
            try { ack = await s.RequestAsync(new MirrorFrame(FrameType.Role, s.NextId(), A: 1), O.AckTimeout, ct).ConfigureAwait(false); }
            catch (Exception e)
            {
                BackToSecondary();
                breaks.EndSession(s, $"role change not acknowledged: {e.Message}");
                throw new MirrorException(ErrorCodes.MirrorBusy, $"mirror {Name}: the link to {O.PeerNode} failed during promotion; retry", e);
            }
            if (ack.A != 0)
            {
                BackToSecondary();
                throw new MirrorException(ErrorCodes.MirrorPeerPrimary, $"mirror {Name}: {O.PeerNode} is primary or being promoted");
            }
        }
        lock (side.Lock)
        {
            var m = side.Meta;
            if (s is not null && (s.Ended || side.Session != s))
            {
                side.Machine.MoveRole(MirrorRole.Secondary);
                side.Settle();
                _ = SendRoleQuietly(s, false);
                throw new MirrorException(ErrorCodes.MirrorBusy, $"mirror {Name}: the link to {O.PeerNode} changed during promotion; retry");
            }
            fullSync = s is not null && m.Gen.Current == 0;
            if (s is null || fullSync) m.Gen.StartNew();
            m.Set(MetaFlags.WasPrimary, true);
            m.WriteHeader();
            side.Machine.MoveRole(MirrorRole.Primary);
            side.DeviceEpoch++;
            side.Device = device = new PrimaryDevice(side, breaks, side.DeviceEpoch);
            side.Settle();
        }
        side.Log($"promoted ({(s is null ? "alone" : "connected")}); generation {Generations.Hex(side.Meta.Gen.Current)}");
        if (s is not null && fullSync) resync.Start(s, full: true);
        return device;
    }

    /// <summary>Throws when this copy must not become primary. Caller holds side.Lock.</summary>
    void CheckPromotable(MirrorSession? s)
    {
        var m = side.Meta;
        if (m.Has(MetaFlags.SyncTargetInProgress) || side.Machine.Replication is ReplicationState.SyncTarget or ReplicationState.StartingSyncTarget)
            throw new MirrorException(ErrorCodes.MirrorInconsistent,
                $"mirror {Name}: the copy on {O.LocalNode} is inconsistent (resync from {O.PeerNode} in progress)");
        if (m.Has(MetaFlags.Outdated))
            throw new MirrorException(ErrorCodes.MirrorOutdated,
                $"mirror {Name}: the copy on {O.LocalNode} is outdated (the peer went on without it); resync from {O.PeerNode}, or run Repair-HaMirror -Source {O.LocalNode} to force it");
        if ((m.Has(MetaFlags.SplitBrain) && !m.Has(MetaFlags.ForcedSource)) || side.Machine.Replication == ReplicationState.SplitBrain)
            throw new MirrorException(ErrorCodes.MirrorSplitBrain,
                $"mirror {Name}: split brain between {O.LocalNode} and {O.PeerNode}; run Repair-HaMirror -Source <node whose data wins>");
        if (s is not null)
        {
            if (s.PeerPrimary)
                throw new MirrorException(ErrorCodes.MirrorPeerPrimary, $"mirror {Name}: {O.PeerNode} is primary");
            if (m.Gen.Current == 0 && s.Peer.Current != 0)
                throw new MirrorException(ErrorCodes.MirrorInconsistent, $"mirror {Name}: the copy on {O.LocalNode} holds no data yet");
        }
        else if (!(side.Machine.UpToDateAtLinkLoss || m.Has(MetaFlags.ForcedSource) || m.Has(MetaFlags.SuspendedSource)))
        {
            if (m.Gen.Current == 0)
                throw new MirrorException(ErrorCodes.MirrorInconsistent,
                    $"mirror {Name}: the copy on {O.LocalNode} holds no data yet and {O.PeerNode} is not connected");
            throw new MirrorException(ErrorCodes.MirrorPeerUnknown,
                $"mirror {Name}: the copy on {O.LocalNode} is Consistent but the peer's state is unknown; connect the peer or run Repair-HaMirror -Source {O.LocalNode} to force");
        }
    }

    void BackToSecondary()
    {
        lock (side.Lock)
        {
            side.Machine.MoveRole(MirrorRole.Secondary);
            side.Settle();
        }
    }

    public async Task DemoteAsync(CancellationToken ct)
    {
        PrimaryDevice? device;
        lock (side.Lock)
        {
            if (!side.Machine.IsPrimary) return;
            device = side.Device;
        }
        try { if (device is not null) await device.FlushAsync(ct).ConfigureAwait(false); }
        catch (Exception e) when (e is not OperationCanceledException) { side.Log($"flush on demote: {e.Message}"); }
        lock (side.Lock)
        {
            side.Machine.MoveRole(MirrorRole.Secondary);
            side.DeviceEpoch++;
            side.Device = null;
            side.Settle();
        }
        var sw = Stopwatch.StartNew();
        while (Volatile.Read(ref side.Inflight) > 0 && sw.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(5, ct).ConfigureAwait(false);
        side.OpenCopy.Flush();
        MirrorSession? s;
        lock (side.Lock)
        {
            side.Meta.Set(MetaFlags.WasPrimary, false);
            side.Meta.WriteHeader();
            s = side.Session;
        }
        side.Log("demoted");
        if (s is not null)
        {
            try { await s.RequestAsync(new MirrorFrame(FrameType.Role, s.NextId(), A: 0), O.AckTimeout, ct).ConfigureAwait(false); }
            catch (Exception e) { breaks.EndSession(s, $"send failed: {e.Message}"); }
        }
    }

    async Task SendRoleQuietly(MirrorSession s, bool primary)
    {
        try { await s.RequestAsync(new MirrorFrame(FrameType.Role, s.NextId(), A: primary ? 1 : 0), O.AckTimeout, CancellationToken.None).ConfigureAwait(false); }
        catch { }
    }
}
