using ExpressHa.Service.Mirror;

namespace ExpressHa.Service.Tests.Mirror.Engine;

public class SyncDecisionTests
{
    const ulong G0 = 0x1000, G1 = 0x2000, G2 = 0x3000, G3 = 0x4000, X = 0x9999;

    static MirrorNodeState N(string node, ulong cur, ulong bm = 0, ulong h1 = 0, MetaFlags flags = MetaFlags.Consistent,
        bool primary = false, long dirty = 0, ulong towards = 0, long size = 1 << 24) =>
        new() { Node = node, Size = size, BlockSize = 65536, Current = cur, BitmapGen = bm, History1 = h1, Flags = flags, Primary = primary, DirtyBlocks = dirty, SyncTowards = towards };

    public static TheoryData<string, MirrorNodeState, MirrorNodeState, SyncAction, bool> Table => new()
    {
        { "same generation, no bits", N("a", G1), N("b", G1), SyncAction.InSync, false },
        { "both new", N("a", 0), N("b", 0), SyncAction.InSync, false },
        { "same generation, primary has bits: merge from primary", N("a", G1, primary: true, dirty: 3), N("b", G1, dirty: 1), SyncAction.Source, false },
        { "same generation, peer outdated", N("a", G1), N("b", G1, flags: MetaFlags.Consistent | MetaFlags.Outdated), SyncAction.Source, false },
        { "same generation, local crashed while primary: full from it", N("a", G1, flags: MetaFlags.Consistent | MetaFlags.WasPrimary), N("b", G1), SyncAction.Source, true },
        { "local went on alone from the peer's point", N("a", G2, bm: G1, dirty: 5), N("b", G1), SyncAction.Source, false },
        { "the peer went on alone", N("a", G1), N("b", G2, bm: G1, dirty: 5), SyncAction.Target, false },
        { "went on alone twice (history)", N("a", G3, bm: G1, h1: G2), N("b", G1), SyncAction.Source, false },
        { "both went on from the same point", N("a", G2, bm: G1), N("b", G3, bm: G1), SyncAction.SplitBrain, false },
        { "split brain even when one is primary", N("a", G2, bm: G1, primary: true), N("b", G3, bm: G1), SyncAction.SplitBrain, false },
        { "local is new", N("a", 0), N("b", G1), SyncAction.Target, true },
        { "peer is new", N("a", G1), N("b", 0), SyncAction.Source, true },
        { "unrelated, both were primary", N("a", G1, flags: MetaFlags.Consistent | MetaFlags.WasPrimary), N("b", X, primary: true), SyncAction.SplitBrain, false },
        { "unrelated, only local was primary", N("a", G1, primary: true), N("b", X), SyncAction.Source, true },
        { "unrelated, nobody was primary", N("a", G1), N("b", X), SyncAction.SplitBrain, false },
        { "crashed primary becomes target: full", N("a", G1, flags: MetaFlags.Consistent | MetaFlags.WasPrimary, dirty: 2), N("b", G2, bm: G1, primary: true), SyncAction.Target, true },
        { "peer crashed primary: full", N("a", G2, bm: G1), N("b", G1, flags: MetaFlags.Consistent | MetaFlags.WasPrimary), SyncAction.Source, true },
        { "repair chose local", N("a", G2, bm: G1, flags: MetaFlags.ForcedSource), N("b", G3, bm: G1, flags: MetaFlags.SplitBrain), SyncAction.Source, true },
        { "repair discards local", N("a", G2, bm: G1, flags: MetaFlags.DiscardMine | MetaFlags.SplitBrain), N("b", G3, bm: G1, primary: true), SyncAction.Target, true },
        { "repair cannot overwrite the primary", N("a", G2, bm: G1, flags: MetaFlags.ForcedSource), N("b", G3, bm: G1, primary: true), SyncAction.SplitBrain, false },
        { "repair chose both", N("a", G2, flags: MetaFlags.ForcedSource), N("b", G3, flags: MetaFlags.ForcedSource), SyncAction.SplitBrain, false },
        { "resume interrupted resync on local", N("a", G0, flags: MetaFlags.SyncTargetInProgress, towards: G2), N("b", G2, bm: G1), SyncAction.Target, false },
        { "resume after the source went on again", N("a", G0, flags: MetaFlags.SyncTargetInProgress, towards: G2), N("b", G3, bm: G1, h1: G2), SyncAction.Target, false },
        { "interrupted resync, source lost the point: full", N("a", G0, flags: MetaFlags.SyncTargetInProgress, towards: G2), N("b", X), SyncAction.Target, true },
        { "resume interrupted resync of the peer", N("a", G2, bm: G1), N("b", G0, flags: MetaFlags.SyncTargetInProgress, towards: G2), SyncAction.Source, false },
        { "both inconsistent", N("a", G0, flags: MetaFlags.SyncTargetInProgress), N("b", G0, flags: MetaFlags.SyncTargetInProgress), SyncAction.SplitBrain, false },
        { "suspended", N("a", G2, bm: G1, flags: MetaFlags.SuspendedSource), N("b", G1), SyncAction.Suspended, false },
        { "size differs", N("a", G1), N("b", G1, size: 1 << 20), SyncAction.Incompatible, false },
        { "both primary", N("a", G1, primary: true), N("b", G1, primary: true), SyncAction.SplitBrain, false },
        { "the primary is never a target", N("a", G1, primary: true), N("b", G2, bm: G1), SyncAction.SplitBrain, false },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Decides_as_the_table_says_and_the_peer_agrees(string why, MirrorNodeState local, MirrorNodeState peer, SyncAction action, bool full)
    {
        var d = SyncDecision.Decide(local, peer);
        Assert.True(d.Action == action && d.Full == full, $"{why}: expected {action}{(full ? " full" : "")}, got {d}");
        // The peer computes the mirrored answer from the same two states.
        var m = SyncDecision.Decide(peer, local);
        Assert.Equal(SyncDecision.Mirror(action), m.Action);
        Assert.Equal(full, m.Full);
    }

    [Fact]
    public void Generations_keep_the_peer_point_in_the_bitmap_generation()
    {
        var g = new Generations { Current = G1 };
        g.StartNew();
        Assert.Equal(G1, g.BitmapGen);
        var second = g.Current;
        Assert.NotEqual(G1, second);
        g.StartNew();
        Assert.Equal(G1, g.BitmapGen);      // still since the peer's point
        Assert.Equal(second, g.History1);
        g.CompleteSync();
        Assert.Equal(0UL, g.BitmapGen);
        Assert.Equal(G1, g.History1);
        Assert.Equal(second, g.History2);
    }
}
