using System.Net.Sockets;
using ExpressHa.Api;

namespace ExpressHa.Service.Mirror;

/// <summary>An established session: receives the peer's frames on a thread of its own and handles them in arrival
/// order (writes, flushes, role changes, resync, outdate, leaving), answers requests, pings, and ends the session when
/// nothing arrives for LinkTimeout.</summary>
internal sealed class SessionHandler(MirrorSide side, MirrorBreak breaks, ResyncTarget resync)
{
    MirrorOptions O => side.O;

    public Task RunAsync(MirrorSession s) => OnOwnThread(() => Loop(s), "mirror " + side.Name);

    /// <summary>Runs a loop on a thread of its own: the session blocks in its socket reads there, so a frame is handled
    /// on the thread the kernel woke rather than after a hop through the thread pool (write latency).</summary>
    static Task OnOwnThread(Action loop, string name)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var t = new Thread(() =>
        {
            try { loop(); done.TrySetResult(); }
            catch (Exception e) { done.TrySetException(e); }
        }) { IsBackground = true, Name = name };
        t.Start();
        return done.Task;
    }

    /// <summary>Frames are handled one after the other, each to its end, on this thread: an answer that completes
    /// asynchronously blocks it rather than moving the loop to the thread pool for the rest of the session.</summary>
    void Loop(MirrorSession s)
    {
        var pinger = Task.Run(() => PingLoopAsync(s));
        try
        {
            while (!s.Ended)
            {
                var f = s.Link.Receive();
                s.Received();
                if (Interlocked.Exchange(ref side.StallReceiveForTest, null) is { } stall) stall.Task.WaitAsync(s.Token).GetAwaiter().GetResult();
                DispatchAsync(s, f).GetAwaiter().GetResult();
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException or EndOfStreamException)
        {
            if (!s.Ended) side.Log($"link to {O.PeerNode} lost: {e.Message}");
        }
        catch (Exception e)
        {
            side.Log($"link to {O.PeerNode} closed on a protocol error: {e.Message}");
        }
        finally
        {
            breaks.EndSession(s, "link closed");
            try { pinger.GetAwaiter().GetResult(); } catch { }
        }
    }

    async Task PingLoopAsync(MirrorSession s)
    {
        try
        {
            while (!s.Ended)
            {
                await Task.Delay(O.PingInterval, s.Token).ConfigureAwait(false);
                if (Environment.TickCount64 - s.LastReceive > (long)O.LinkTimeout.TotalMilliseconds)
                {
                    breaks.EndSession(s, $"nothing received for {O.LinkTimeout.TotalSeconds:0} s");
                    return;
                }
                await s.Link.SendAsync(new MirrorFrame(FrameType.Ping), s.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException) { breaks.EndSession(s, $"ping failed: {e.Message}"); }
        catch (OperationCanceledException) { }
    }

    async Task DispatchAsync(MirrorSession s, MirrorFrame f)
    {
        switch (f.Type)
        {
            case FrameType.Ping:
                return;
            case FrameType.Role:
            {
                bool conflict;
                lock (side.Lock)
                {
                    // Refused while this side is primary or asking to become it: never two primaries.
                    conflict = f.A != 0 && side.Machine.Role != MirrorRole.Secondary;
                    if (!conflict) s.PeerRoleChanged(f.A != 0);
                }
                side.Log(conflict ? $"{O.PeerNode} wants to be primary while this node is (or is becoming) primary: refused"
                    : $"{O.PeerNode} is now {(f.A != 0 ? "primary" : "secondary")}");
                await s.Link.SendAsync(new MirrorFrame(FrameType.RoleAck, f.Id, A: conflict ? 1 : 0), s.Token).ConfigureAwait(false);
                return;
            }
            case FrameType.Write:
                ApplyPeerWrite(f);
                await s.Link.SendAsync(new MirrorFrame(FrameType.WriteAck, f.Id), s.Token).ConfigureAwait(false);
                return;
            case FrameType.Flush:
                side.OpenCopy.Flush();
                await s.Link.SendAsync(new MirrorFrame(FrameType.FlushAck, f.Id), s.Token).ConfigureAwait(false);
                return;
            case FrameType.WriteAck or FrameType.FlushAck or FrameType.RoleAck or FrameType.LeavingAck or FrameType.ResyncAck or FrameType.SyncEndAck or FrameType.OutdateAck
                or FrameType.TargetBitmap:
                s.Complete(f);
                return;
            case FrameType.SyncBegin:
                await resync.OnSyncBeginAsync(s, f).ConfigureAwait(false);
                return;
            case FrameType.ResyncBlock:
                resync.OnResyncBlock(f);
                await s.Link.SendAsync(new MirrorFrame(FrameType.ResyncAck, f.Id), s.Token).ConfigureAwait(false);
                return;
            case FrameType.SyncEnd:
                resync.OnSyncEnd(s, f);
                await s.Link.SendAsync(new MirrorFrame(FrameType.SyncEndAck, f.Id), s.Token).ConfigureAwait(false);
                return;
            case FrameType.Outdate:
                OnOutdate(s, suspended: f.A == 1);
                await s.Link.SendAsync(new MirrorFrame(FrameType.OutdateAck, f.Id), s.Token).ConfigureAwait(false);
                return;
            case FrameType.Leaving:
                OnPeerLeaving(s);
                await s.Link.SendAsync(new MirrorFrame(FrameType.LeavingAck, f.Id), s.Token).ConfigureAwait(false);
                return;
            default:
                throw new InvalidDataException($"unexpected {f.Type} in a session");
        }
    }

    /// <summary>The primary suspends replication: this copy stays at the rest point, outdated, until a resync.</summary>
    void OnOutdate(MirrorSession s, bool suspended)
    {
        lock (side.Lock)
        {
            if (side.Machine.IsPrimary) throw new InvalidDataException("the peer asked the primary to outdate itself");
            var m = side.Meta;
            m.Set(MetaFlags.Outdated, true);
            if (suspended) m.Set(MetaFlags.SuspendedTarget, true);
            m.WriteHeader();
            if (side.Session == s) side.Machine.MoveReplication(ReplicationState.StartingSyncTarget);
            side.Settle();
        }
        side.Log(suspended ? $"{O.PeerNode} suspended replication; this copy stays at the rest point (outdated)" : "outdated by the peer");
    }

    /// <summary>The secondary shuts down cleanly and has persisted Outdated: the primary goes on alone without a freeze
    /// (a new generation; writes from now on set bitmap bits).</summary>
    void OnPeerLeaving(MirrorSession s)
    {
        bool wasReplicating;
        lock (side.Lock)
        {
            wasReplicating = side.IsReplicating(s);
            s.CloseOnPurpose();
            if (wasReplicating)
            {
                side.Meta.Gen.StartNew();
                side.Meta.WriteHeader();
            }
            side.Settle();
        }
        if (wasReplicating)
            side.Alert(AlertEvents.Mm.Break,
                $"mirror break: mirror {side.Name} lost {O.PeerNode} (it shut down and marked its copy outdated); {O.LocalNode} goes on alone and records the changes for a differential resync");
        else side.Log($"{O.PeerNode} is shutting down");
    }

    void ApplyPeerWrite(MirrorFrame f)
    {
        lock (side.Lock)
            if (side.Machine.IsPrimary) throw new InvalidDataException("the peer sent a write to the primary");
        var copy = side.OpenCopy;
        long len = (f.Flags & MirrorFrame.FlagZero) != 0 ? f.B : f.Payload.Length;
        if (f.A < 0 || f.A + len > O.SizeBytes) throw new InvalidDataException($"peer write at {f.A}+{len} is outside the device");
        if ((f.Flags & MirrorFrame.FlagZero) != 0) copy.WriteZeroes(f.A, f.B);
        else RandomAccess.Write(copy.Handle, f.Payload.Span, f.A);
        if ((f.Flags & MirrorFrame.FlagFua) != 0) copy.FlushData();
    }
}
