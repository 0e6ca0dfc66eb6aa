using System.Diagnostics;
using System.Security.Cryptography;
using ExpressHa.Api;
using ExpressHa.Service.Mirror;
using static ExpressHa.Service.Tests.Mirror.Engine.MirrorPair;

namespace ExpressHa.Service.Tests.Mirror.Engine;

[Trait("Category", TestCategory.Mirror)]
public class MirrorEngineTests
{
    const long MiB = 1 << 20;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Promote_and_write_leaves_both_files_identical(bool encrypted)
    {
        await using var p = new MirrorPair(8 * MiB);
        if (encrypted) p.EncKeyA = p.EncKeyB = MirrorKeyFile.Generate(256);
        var dev = await p.StartSyncedWithPrimaryA();
        Assert.Equal("Primary", p.A!.GetStatus().Role);
        Assert.Equal("Secondary", p.B!.GetStatus().Role);
        Assert.Equal(encrypted, p.B.GetStatus().Encrypted);
        Assert.Equal(1, p.AlertCount(NodeA, 7));

        var rng = new Random(1);
        await WriteRandom(dev, rng, 200);
        // Concurrent writers (pipelined, distinct regions).
        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
        {
            var r = new Random(100 + i);
            for (int k = 0; k < 30; k++)
            {
                var buf = new byte[r.Next(1, 200_000)];
                r.NextBytes(buf);
                await dev.WriteAsync(i * 2 * MiB + r.NextInt64(0, MiB), buf, false, default);
            }
        })));
        await dev.FlushAsync(default);
        Assert.Equal(p.Sha(NodeA), p.Sha(NodeB));
        Assert.NotEqual(Convert.ToHexString(SHA256.HashData(new byte[8 * MiB])), p.Sha(NodeA));

        // The device reads back what was written.
        var probe = RandomNumberGenerator.GetBytes(5000);
        await dev.WriteAsync(123_456, probe, false, default);
        var back = new byte[5000];
        await dev.ReadAsync(123_456, back, default);
        Assert.Equal(probe, back);
        Assert.True(p.InSync(), p.Describe());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Data_on_the_wire_is_sealed_when_encrypted(bool encrypted)
    {
        await using var p = new MirrorPair(MiB);
        await using var proxy = new RecordingProxy(p.PortB);
        p.ProxyPortForA = proxy.Port;
        if (encrypted) p.EncKeyA = p.EncKeyB = MirrorKeyFile.Generate(128);
        var dev = await p.StartSyncedWithPrimaryA();
        var marker = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("EXPRESSHA-MIRROR-MARKER:", 100)));
        await dev.WriteAsync(4096, marker, true, default);
        Assert.Equal(marker, ReadFile(p.DataPath(NodeB), 4096, marker.Length));
        var seen = proxy.Seen();
        bool found = seen.AsSpan().IndexOf("EXPRESSHA-MIRROR-MARKER:EXPRESSHA-MIRROR-MARKER:"u8) >= 0;
        Assert.Equal(!encrypted, found);
        Assert.True(seen.Length > marker.Length, $"the proxy relayed {seen.Length} bytes");
    }

    [Fact]
    public async Task Fua_write_and_flush_reach_the_peer_file_and_the_secondary_refuses_writes()
    {
        await using var p = new MirrorPair(4 * MiB);
        var dev = await p.StartSyncedWithPrimaryA();
        var data = RandomNumberGenerator.GetBytes(70_000);
        await dev.WriteAsync(3 * MiB + 17, data, fua: true, default);
        Assert.Equal(data, ReadFile(p.DataPath(NodeB), 3 * MiB + 17, data.Length));

        var more = RandomNumberGenerator.GetBytes(10_000);
        await dev.WriteAsync(100, more, fua: false, default);
        await dev.FlushAsync(default);
        Assert.Equal(more, ReadFile(p.DataPath(NodeB), 100, more.Length));

        await dev.WriteZeroesAsync(100, 5000, fua: true, default);
        Assert.Equal(new byte[5000], ReadFile(p.DataPath(NodeB), 100, 5000));

        // The secondary gives out no device; the primary's peer is primary.
        var e = await Assert.ThrowsAsync<MirrorException>(() => p.B!.PromoteAsync(default));
        Assert.Equal(ErrorCodes.MirrorPeerPrimary, e.Code);
        // A demoted primary's device refuses writes.
        await p.A!.DemoteAsync(default);
        var io = await Assert.ThrowsAsync<BlockDeviceException>(async () => await dev.WriteAsync(0, new byte[10], false, default));
        Assert.Equal(BlockDeviceException.EPERM, io.Errno);
        Assert.Equal(p.Sha(NodeA), p.Sha(NodeB));
    }

    [Fact]
    public async Task Link_break_while_writing_then_reconnect_moves_only_the_dirty_blocks()
    {
        await using var p = new MirrorPair(32 * MiB);
        var dev = await p.StartSyncedWithPrimaryA();
        long baseline = p.A!.ResyncedBytes;
        Assert.True(baseline >= 32 * MiB, $"initial full copy moved {baseline} bytes");

        // Writers running while the link drops: none of them fails.
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 2).Select(i => Task.Run(async () =>
        {
            var r = new Random(i);
            int n = 0;
            while (!stop.IsCancellationRequested || n < 20)
            {
                var buf = new byte[r.Next(1, 100_000)];
                r.NextBytes(buf);
                await dev.WriteAsync(i * 4 * MiB + r.NextInt64(0, 2 * MiB), buf, r.Next(3) == 0, default);
                n++;
            }
            return n;
        })).ToArray();
        await Task.Delay(300);
        p.A.DropLinkForTest();
        await p.WaitUntil(() => p.AlertCount(NodeA, 1) == 1, "the mirror break alert");
        Assert.Contains(p.Alerts, a => a.Node == NodeA && a.Id == 1 && a.Level == "error" && a.Message.Contains("mirror break"));
        // More writes after the break, in a third region.
        var rng = new Random(9);
        for (int i = 0; i < 20; i++)
        {
            var buf = new byte[10_000];
            rng.NextBytes(buf);
            await dev.WriteAsync(20 * MiB + i * 3 * Block, buf, false, default);
        }
        stop.Cancel();
        await Task.WhenAll(writers);
        await dev.FlushAsync(default);
        await p.WaitInSync();
        await dev.FlushAsync(default);

        long moved = p.A.ResyncedBytes - baseline;
        // Dirty blocks: two writer regions of ~2 MiB (≤ 66 blocks each) plus 20 blocks = at most ~152 blocks = 9.5 MiB.
        Assert.True(moved > 0, "something was resynced");
        Assert.True(moved <= 160L * Block, $"resync moved {moved} bytes: more than the dirty blocks");
        Assert.True(moved < 32 * MiB / 3, $"resync moved {moved} bytes of 32 MiB");
        Assert.Equal(p.Sha(NodeA), p.Sha(NodeB));
        Assert.Equal("UpToDate", p.B!.GetStatus().Disk);
        Assert.True(p.AlertCount(NodeA, 2) >= 2 && p.AlertCount(NodeA, 3) >= 2, "resync started/finished alerts");
    }

    /// <summary>A primary alone with <paramref name="dirty"/> changed; both stopped cleanly. Next start: A is the source.</summary>
    static async Task<MirrorPair> Diverged(long size, long dirty)
    {
        var p = new MirrorPair(size);
        var dev = await p.StartSyncedWithPrimaryA();
        await p.StopB();
        await p.WaitUntil(() => p.A!.GetStatus().Connection != "Connected", "A sees the link gone");
        p.A!.PeerNodeDown();
        var buf = new byte[Block];
        var rng = new Random(5);
        for (long off = 0; off < dirty; off += Block)
        {
            rng.NextBytes(buf);
            await dev.WriteAsync(off, buf, false, default);
        }
        await dev.FlushAsync(default);
        Assert.Equal(dirty, p.A.GetStatus().DirtyBytes);
        await p.StopA();
        return p;
    }

    [Fact]
    public async Task Resync_survives_a_restart_of_the_source()
    {
        await using var p = await Diverged(16 * MiB, 8 * MiB);
        string want = p.Sha(NodeA);
        p.RateA = 2 * MiB;
        await p.StartB();
        await p.StartA();
        await p.WaitUntil(() => p.B!.GetStatus().Sync == "SyncTarget" && p.B.ResyncedBytes >= MiB, "resync under way");
        Assert.Equal("Inconsistent", p.B!.GetStatus().Disk);
        await p.StopA();
        var s = p.B.GetStatus();
        Assert.Equal("Inconsistent", s.Disk);
        var e = await Assert.ThrowsAsync<MirrorException>(() => p.B.PromoteAsync(default));
        Assert.Equal(ErrorCodes.MirrorInconsistent, e.Code);

        p.RateA = 0;
        long before = p.B.ResyncedBytes;
        await p.StartA();
        await p.WaitInSync();
        long second = p.B.ResyncedBytes - before;
        Assert.True(second < 8 * MiB, $"the resumed resync moved {second} bytes: it started over");
        Assert.Equal(want, p.Sha(NodeA));
        Assert.Equal(want, p.Sha(NodeB));
    }

    [Fact]
    public async Task Resync_survives_a_restart_of_the_target()
    {
        await using var p = await Diverged(16 * MiB, 8 * MiB);
        string want = p.Sha(NodeA);
        p.RateA = 2 * MiB;
        await p.StartA();
        await p.StartB();
        await p.WaitUntil(() => p.B!.GetStatus().Sync == "SyncTarget" && p.B.ResyncedBytes >= MiB, "resync under way");
        await p.StopB();
        await p.WaitUntil(() => p.A!.GetStatus().Connection != "Connected", "A sees the target gone");
        var a = p.A!.GetStatus();
        Assert.True(a.DirtyBytes > 0 && a.DirtyBytes < 8 * MiB, $"source keeps the remaining bits: {a.DirtyBytes}");

        await p.StartB();
        Assert.Equal("Inconsistent", p.B!.GetStatus().Disk); // the flag survived the restart
        await p.WaitInSync(60);
        Assert.Equal(want, p.Sha(NodeA));
        Assert.Equal(want, p.Sha(NodeB));
        Assert.True(p.A.ResyncedBytes < 8 * MiB + 4 * Block * 16, $"source sent {p.A.ResyncedBytes} bytes in total");
    }

    [Fact]
    public async Task Rate_limit_bounds_resync_speed()
    {
        await using var p = await Diverged(8 * MiB, 6 * MiB);
        string want = p.Sha(NodeA);
        p.RateA = 2 * MiB;
        await p.StartB();
        var sw = Stopwatch.StartNew();
        await p.StartA();
        long peakRate = 0;
        await p.WaitUntil(() =>
        {
            peakRate = Math.Max(peakRate, p.A!.GetStatus().ResyncBytesPerSecond);
            return p.InSync();
        }, "differential resync", 60);
        sw.Stop();
        // 6 MiB at 2 MiB/s: at least ~2.5 s even with the initial burst.
        Assert.True(sw.Elapsed >= TimeSpan.FromSeconds(2.5), $"6 MiB at 2 MiB/s took only {sw.Elapsed}");
        Assert.True(p.B!.ResyncedBytes >= 6 * MiB);
        Assert.True(peakRate > 0 && peakRate < 4 * MiB, $"measured resync rate {peakRate}");
        Assert.Equal(want, p.Sha(NodeA));
        Assert.Equal(want, p.Sha(NodeB));
    }

    [Fact]
    public async Task First_full_copy_sends_only_used_blocks_over_the_wire()
    {
        await using var p = new MirrorPair(16 * MiB);
        await using var proxy = new RecordingProxy(p.PortB);
        p.ProxyPortForA = proxy.Port;
        // Data before the mirror is ever connected: a used area in an otherwise empty device.
        await p.StartA();
        await p.A!.RepairAsync(NodeA, default); // alone, force this copy to be the data
        var dev = await p.A.PromoteAsync(default);
        await dev.WriteAsync(5 * MiB, RandomNumberGenerator.GetBytes(300_000), false, default);
        await p.StartB();
        await p.WaitInSync();
        await dev.FlushAsync(default);
        Assert.Equal(p.Sha(NodeA), p.Sha(NodeB));
        Assert.True(p.B!.ResyncedBytes >= 16 * MiB, "every block was resynced");
        long wire = proxy.Seen().Length;
        Assert.True(wire < 2 * MiB, $"{wire} bytes on the wire for 300 KB of used data");
    }

    [Fact]
    public async Task Split_brain_is_detected_moves_nothing_and_repair_makes_the_source_win()
    {
        await using var p = new MirrorPair(4 * MiB);
        var devA = await p.StartSyncedWithPrimaryA();
        await devA.WriteAsync(0, RandomNumberGenerator.GetBytes(100_000), false, default);
        await p.A!.DemoteAsync(default);
        // Cut the network with both running; both saw the link go down while up to date, so both may promote.
        p.A.LinkBlockedForTest = p.B!.LinkBlockedForTest = true;
        p.A.DropLinkForTest();
        await p.WaitUntil(() => p.A.GetStatus().Connection != "Connected" && p.B.GetStatus().Connection != "Connected", "disconnected");
        devA = await p.A.PromoteAsync(default);
        var devB = await p.B.PromoteAsync(default);
        await devA.WriteAsync(MiB, RandomNumberGenerator.GetBytes(200_000), false, default);
        await devB.WriteAsync(2 * MiB, RandomNumberGenerator.GetBytes(200_000), false, default);
        await devA.FlushAsync(default);
        await devB.FlushAsync(default);
        string shaA = p.Sha(NodeA), shaB = p.Sha(NodeB);
        Assert.NotEqual(shaA, shaB);
        long movedA = p.A.ResyncedBytes, movedB = p.B.ResyncedBytes;

        p.A.LinkBlockedForTest = p.B.LinkBlockedForTest = false;
        await p.WaitUntil(() => p.A.GetStatus().Connection == "SplitBrain" && p.B.GetStatus().Connection == "SplitBrain", "split brain on both");
        Assert.True(p.AlertCount(NodeA, 4) >= 1 && p.AlertCount(NodeB, 4) >= 1, "split-brain alerts");
        await Task.Delay(1000);
        Assert.Equal(shaA, p.Sha(NodeA));
        Assert.Equal(shaB, p.Sha(NodeB));
        Assert.Equal(movedA, p.A.ResyncedBytes);
        Assert.Equal(movedB, p.B.ResyncedBytes);

        // The loser steps down and may not come back.
        await p.B.DemoteAsync(default);
        var e = await Assert.ThrowsAsync<MirrorException>(() => p.B.PromoteAsync(default));
        Assert.Equal(ErrorCodes.MirrorSplitBrain, e.Code);

        await p.B.RepairAsync(NodeA, default);
        await p.WaitInSync();
        await devA.FlushAsync(default);
        Assert.Equal(shaA, p.Sha(NodeB));
        Assert.Equal(p.Sha(NodeA), p.Sha(NodeB));
        Assert.True(p.A.ResyncedBytes - movedA >= 4 * MiB, "repair is a full resync");
        Assert.Equal("Primary", p.A.GetStatus().Role);
        Assert.Null(p.B.GetStatus().LastError);
    }

    [Fact]
    public async Task Different_mirror_keys_are_a_key_mismatch_on_both_sides()
    {
        await using var p = new MirrorPair(MiB);
        p.EncKeyA = MirrorKeyFile.Generate(128);
        p.EncKeyB = MirrorKeyFile.Generate(128);
        await p.StartA();
        await p.StartB();
        await p.WaitUntil(() => p.A!.GetStatus().Connection == "KeyMismatch" && p.B!.GetStatus().Connection == "KeyMismatch", "key mismatch");
        Assert.Contains("key mismatch with node-b: both nodes need the same key file", p.A!.GetStatus().LastError);
        Assert.Contains("key mismatch with node-a", p.B!.GetStatus().LastError);
        Assert.True(p.AlertCount(NodeA, 5) == 1 && p.AlertCount(NodeB, 5) == 1, "one alert each, not one per retry");
        await Task.Delay(1000);
        Assert.Equal(0, p.AlertCount(NodeA, 7));
        Assert.Equal("KeyMismatch", p.A.GetStatus().Connection);
    }

    [Fact]
    public async Task Encrypted_on_one_side_only_is_a_key_mismatch()
    {
        await using var p = new MirrorPair(MiB);
        p.EncKeyB = MirrorKeyFile.Generate(192);
        await p.StartA();
        await p.StartB();
        await p.WaitUntil(() => p.A!.GetStatus().Connection == "KeyMismatch" && p.B!.GetStatus().Connection == "KeyMismatch", "key mismatch");
        Assert.Equal(0, p.AlertCount(NodeB, 7));
    }

    [Fact]
    public async Task Different_cluster_keys_fail_authentication()
    {
        await using var p = new MirrorPair(MiB);
        p.ClusterKeyB = "another cluster"u8.ToArray();
        await p.StartA();
        await p.StartB();
        await p.WaitUntil(() => p.A!.GetStatus().Connection == "AuthFailed" && p.B!.GetStatus().Connection == "AuthFailed", "auth failed");
        Assert.Contains("authentication", p.A!.GetStatus().LastError);
        Assert.True(p.AlertCount(NodeA, 6) == 1 && p.AlertCount(NodeB, 6) == 1);
        Assert.Equal(0, p.AlertCount(NodeA, 7));
    }

    [Fact]
    public async Task Outdated_secondary_refuses_promotion()
    {
        await using var p = new MirrorPair(2 * MiB);
        await p.StartSyncedWithPrimaryA();
        await p.StopA(); // clean stop of the primary: B saw the link go down while up to date
        await p.WaitUntil(() => p.B!.GetStatus().Connection != "Connected", "B disconnected");
        await p.B!.OutdateAsync(default);
        Assert.Equal("Outdated", p.B.GetStatus().Disk);
        var e = await Assert.ThrowsAsync<MirrorException>(() => p.B.PromoteAsync(default));
        Assert.Equal(ErrorCodes.MirrorOutdated, e.Code);
        // Persisted: still outdated after a restart.
        await p.StopB();
        await p.StartB();
        Assert.Equal("Outdated", p.B!.GetStatus().Disk);
    }

    [Fact]
    public async Task Secondary_that_saw_the_primary_leave_may_promote_and_becomes_the_source()
    {
        await using var p = new MirrorPair(2 * MiB);
        var devA = await p.StartSyncedWithPrimaryA();
        await devA.WriteAsync(0, RandomNumberGenerator.GetBytes(50_000), false, default);
        await p.StopA();
        await p.WaitUntil(() => p.B!.GetStatus().Connection != "Connected", "B disconnected");
        long before = p.B!.ResyncedBytes;
        var devB = await p.B!.PromoteAsync(default);
        await devB.WriteAsync(MiB, RandomNumberGenerator.GetBytes(3 * Block), false, default);
        Assert.Equal(3 * Block, p.B.GetStatus().DirtyBytes);
        await p.StartA();
        await p.WaitInSync();
        await devB.FlushAsync(default);
        Assert.Equal(p.Sha(NodeB), p.Sha(NodeA));
        long moved = p.B.ResyncedBytes - before;
        Assert.True(moved > 0 && moved <= 4 * Block, $"moved {moved}");
    }

    [Fact]
    public async Task Restarted_lone_secondary_refuses_with_PeerUnknown_until_repaired()
    {
        await using var p = new MirrorPair(2 * MiB);
        var devA = await p.StartSyncedWithPrimaryA();
        await devA.WriteAsync(0, RandomNumberGenerator.GetBytes(50_000), false, default);
        await p.StopA();
        await p.StopB();
        await p.StartB();
        Assert.Equal("Consistent", p.B!.GetStatus().Disk);
        var e = await Assert.ThrowsAsync<MirrorException>(() => p.B.PromoteAsync(default));
        Assert.Equal(ErrorCodes.MirrorPeerUnknown, e.Code);
        Assert.Contains("Repair-HaMirror -Source node-b", e.Message);

        await p.B.RepairAsync(NodeB, default);
        var devB = await p.B.PromoteAsync(default);
        await devB.WriteAsync(12345, RandomNumberGenerator.GetBytes(10_000), false, default);
        await p.StartA();
        await p.WaitInSync();
        await devB.FlushAsync(default);
        Assert.Equal(p.Sha(NodeB), p.Sha(NodeA));
    }

    [Fact]
    public async Task Suspend_freezes_the_standby_for_copy_out_and_resume_resyncs()
    {
        await using var p = new MirrorPair(4 * MiB);
        var dev = await p.StartSyncedWithPrimaryA();
        await WriteRandom(dev, new Random(3), 50);
        await dev.FlushAsync(default);
        string restPoint = p.Sha(NodeA);

        var notSuspended = await Assert.ThrowsAsync<MirrorException>(() => p.B!.CopyOutAsync(Path.Combine(p.Dir, "x.img"), null, default));
        Assert.Equal(ErrorCodes.MirrorNotSuspended, notSuspended.Code);

        await p.A!.SuspendAsync(default);
        Assert.Equal("Suspended", p.A.GetStatus().Connection);
        await p.WaitUntil(() => p.B!.GetStatus().Connection == "Suspended", "B knows it is suspended");
        Assert.Equal("Outdated", p.B!.GetStatus().Disk);
        await WriteRandom(dev, new Random(4), 30);
        await dev.FlushAsync(default);
        Assert.True(p.A.GetStatus().DirtyBytes > 0);
        await Task.Delay(700); // reconnect attempts must not resume anything
        Assert.Equal(restPoint, p.Sha(NodeB));

        var image = Path.Combine(p.Dir, "backup.img");
        var progress = new RecordingProgress();
        await p.B.CopyOutAsync(image, progress, default);
        Assert.Equal(restPoint, ShaFile(image));
        Assert.Equal(4 * MiB, progress.Values.Last());
        Assert.True(progress.Values.Count >= 4 && progress.Values.SequenceEqual(progress.Values.Order()), "progress grows in steps");

        var refused = await Assert.ThrowsAsync<MirrorException>(() => p.B.ResumeAsync(default));
        Assert.Equal(ErrorCodes.MirrorNotSuspended, refused.Code);
        await p.A.ResumeAsync(default);
        await p.WaitInSync();
        await dev.FlushAsync(default);
        Assert.Equal(p.Sha(NodeA), p.Sha(NodeB));
        Assert.NotEqual(restPoint, p.Sha(NodeB));
    }

    [Fact]
    public async Task Restore_overwrites_this_copy_and_the_peer_gets_a_full_resync()
    {
        await using var p = new MirrorPair(2 * MiB);
        var dev = await p.StartSyncedWithPrimaryA();
        await dev.WriteAsync(0, RandomNumberGenerator.GetBytes(100_000), false, default);
        var image = Path.Combine(p.Dir, "image.img");
        File.WriteAllBytes(image, RandomNumberGenerator.GetBytes((int)(2 * MiB)));

        var busy = await Assert.ThrowsAsync<MirrorException>(() => p.A!.RestoreAsync(image, null, default));
        Assert.Equal(ErrorCodes.MirrorBusy, busy.Code);
        var busyPeer = await Assert.ThrowsAsync<MirrorException>(() => p.B!.RestoreAsync(image, null, default));
        Assert.Equal(ErrorCodes.MirrorBusy, busyPeer.Code);

        await p.A!.DemoteAsync(default);
        long before = p.B!.ResyncedBytes;
        await p.B.RestoreAsync(image, null, default);
        await p.WaitInSync();
        Assert.Equal(ShaFile(image), p.Sha(NodeB));
        Assert.Equal(ShaFile(image), p.Sha(NodeA));
        Assert.True(p.B.ResyncedBytes - before >= 2 * MiB, "full resync to the peer");
        // The restored copy is the newest: it can be promoted.
        await p.B.PromoteAsync(default);
    }

    [Fact]
    public async Task Primary_freezes_writes_on_link_loss_until_the_peer_is_known_down()
    {
        await using var p = new MirrorPair(2 * MiB);
        var dev = await p.StartSyncedWithPrimaryA();
        await p.CrashB(); // gone without a word; OutdatePeer cannot reach it
        await p.WaitUntil(() => p.A!.GetStatus().Connection != "Connected", "A sees the link gone");
        var write = dev.WriteAsync(5 * Block + 3, RandomNumberGenerator.GetBytes(1000), false, default).AsTask();
        await Task.Delay(1500);
        Assert.False(write.IsCompleted, "a write completed while the peer's state was unknown");
        Assert.Equal(0, p.AlertCount(NodeA, 1));
        p.A!.PeerNodeDown();
        await write.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(1, p.AlertCount(NodeA, 1));
        var s = p.A.GetStatus();
        Assert.Equal(Block, s.DirtyBytes);
        Assert.Equal("UpToDate", s.Disk);
        Assert.NotEqual(s.BitmapGeneration, new string('0', 16)); // went on alone: the bitmap generation names the peer's point
    }

    [Fact]
    public async Task Peer_that_stops_acknowledging_is_treated_as_a_broken_link()
    {
        await using var p = new MirrorPair(2 * MiB) { AckTimeout = TimeSpan.FromSeconds(2) };
        var dev = await p.StartSyncedWithPrimaryA();
        p.B!.StallReceiveForTest = new TaskCompletionSource();
        var sw = Stopwatch.StartNew();
        var data = RandomNumberGenerator.GetBytes(3000);
        await dev.WriteAsync(7 * Block, data, false, default).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(sw.Elapsed >= TimeSpan.FromSeconds(1.8), $"write acknowledged after {sw.Elapsed} without the peer's ack");
        Assert.Equal(1, p.AlertCount(NodeA, 1));
        // The hung peer was outdated (OutdatePeer) before the write was acknowledged; then the link comes back and resyncs.
        await p.WaitInSync();
        await dev.FlushAsync(default);
        Assert.Equal(p.Sha(NodeA), p.Sha(NodeB));
    }

    [Fact]
    public async Task Clean_stop_of_the_standby_outdates_it_without_freezing_the_primary()
    {
        await using var p = new MirrorPair(2 * MiB);
        var dev = await p.StartSyncedWithPrimaryA();
        await p.StopB();
        await dev.WriteAsync(3 * Block, RandomNumberGenerator.GetBytes(100), false, default).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, p.AlertCount(NodeA, 1));
        Assert.Equal(Block, p.A!.GetStatus().DirtyBytes);
        await p.StartB();
        Assert.Equal("Outdated", p.B!.GetStatus().Disk);
        await p.WaitInSync();
        await dev.FlushAsync(default);
        Assert.Equal(p.Sha(NodeA), p.Sha(NodeB));
    }

    [Fact]
    public async Task Crashed_primary_gets_a_full_resync_when_it_returns()
    {
        await using var p = new MirrorPair(2 * MiB);
        var devA = await p.StartSyncedWithPrimaryA();
        await devA.WriteAsync(0, RandomNumberGenerator.GetBytes(50_000), false, default);
        await p.CrashA();
        // A write that reached A's disk but never the peer (the crash hit between).
        using (var f = new FileStream(p.DataPath(NodeA), FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
            RandomAccess.Write(f.SafeFileHandle, RandomNumberGenerator.GetBytes(4096), 20 * Block);
        await p.WaitUntil(() => p.B!.GetStatus().Connection != "Connected", "B sees the link gone");
        var devB = await p.B!.PromoteAsync(default);
        await devB.WriteAsync(MiB, RandomNumberGenerator.GetBytes(Block), false, default);
        long before = p.B.ResyncedBytes;
        await p.StartA();
        await p.WaitInSync();
        await devB.FlushAsync(default);
        Assert.True(p.B.ResyncedBytes - before >= 2 * MiB, $"moved {p.B.ResyncedBytes - before}: not a full resync");
        Assert.Equal(p.Sha(NodeB), p.Sha(NodeA));
        Assert.Equal("Secondary", p.A!.GetStatus().Role);
    }

    [Fact]
    public async Task Crashed_primary_returning_to_an_idle_peer_copies_everything_to_it()
    {
        await using var p = new MirrorPair(2 * MiB);
        var devA = await p.StartSyncedWithPrimaryA();
        await devA.WriteAsync(0, RandomNumberGenerator.GetBytes(50_000), false, default);
        string genBefore = p.A!.GetStatus().CurrentGeneration;
        await p.CrashA();
        var lost = RandomNumberGenerator.GetBytes(4096); // reached A's disk, never the peer
        using (var f = new FileStream(p.DataPath(NodeA), FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
            RandomAccess.Write(f.SafeFileHandle, lost, 9 * Block);
        long before = p.B!.ResyncedBytes;
        await p.StartA();
        await p.WaitInSync();
        Assert.Equal(genBefore, p.B.GetStatus().CurrentGeneration);
        Assert.Equal(lost, ReadFile(p.DataPath(NodeB), 9 * Block, lost.Length));
        Assert.Equal(p.Sha(NodeA), p.Sha(NodeB));
        Assert.True(p.B.ResyncedBytes - before >= 2 * MiB, "full copy from the crashed primary");
        // Once copied, the next connect is a plain one (WasPrimary cleared on the source).
        long after = p.B.ResyncedBytes;
        p.A!.DropLinkForTest();
        await p.WaitInSync();
        Assert.Equal(after, p.B.ResyncedBytes);
    }

    [Fact]
    public async Task Concurrent_promotions_while_connected_leave_at_most_one_primary()
    {
        await using var p = new MirrorPair(MiB);
        await p.StartSyncedWithPrimaryA();
        await p.A!.DemoteAsync(default);
        for (int round = 0; round < 5; round++)
        {
            var results = await Task.WhenAll(
                Try(p.A!.PromoteAsync(default)), Try(p.B!.PromoteAsync(default)));
            Assert.True(results.Count(ok => ok) <= 1, $"round {round}: both promoted");
            int primaries = new[] { p.A.GetStatus(), p.B.GetStatus() }.Count(st => st.Role == "Primary");
            Assert.Equal(results.Count(ok => ok), primaries);
            await p.A.DemoteAsync(default);
            await p.B.DemoteAsync(default);
        }
        // Afterwards a single promotion works and replicates.
        var dev = await p.B!.PromoteAsync(default);
        await dev.WriteAsync(0, RandomNumberGenerator.GetBytes(1000), true, default);
        Assert.Equal(p.Sha(NodeA), p.Sha(NodeB));

        static async Task<bool> Try(Task<IBlockDevice> t)
        {
            try { await t; return true; }
            catch (MirrorException e) when (e.Code == ErrorCodes.MirrorPeerPrimary) { return false; }
        }
    }

    [Fact]
    public async Task Stopped_mirror_can_be_copied_out()
    {
        await using var p = new MirrorPair(MiB);
        var dev = await p.StartSyncedWithPrimaryA();
        await dev.WriteAsync(1000, RandomNumberGenerator.GetBytes(20_000), true, default);
        await p.StopA();
        await p.StopB();
        await using var stopped = new MirrorEngine(p.Options(NodeB));
        var image = Path.Combine(p.Dir, "stopped.img");
        await stopped.CopyOutAsync(image, null, default);
        Assert.Equal(p.Sha(NodeA), ShaFile(image));
    }

    [Fact]
    public async Task Existing_smaller_device_is_refused()
    {
        await using var p = new MirrorPair(MiB);
        await p.StartA();
        await p.StopA();
        var o = p.Options(NodeA);
        o.SizeBytes = 2 * MiB;
        await using var big = new MirrorEngine(o);
        var e = await Assert.ThrowsAsync<MirrorException>(() => big.StartAsync(default));
        Assert.Equal(ErrorCodes.MirrorSizeMismatch, e.Code);
    }

    sealed class RecordingProgress : IProgress<long>
    {
        public List<long> Values { get; } = [];
        public void Report(long value) { lock (Values) Values.Add(value); }
    }

    static byte[] ReadFile(string path, long offset, int length)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var buf = new byte[length];
        RandomAccess.Read(f.SafeFileHandle, buf, offset);
        return buf;
    }
}
