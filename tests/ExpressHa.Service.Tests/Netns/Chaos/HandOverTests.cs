using Xunit.Abstractions;

namespace ExpressHa.Service.Tests.Netns.Chaos;

/// <summary>The group's node (majority, three nodes) loses partition resolution, stops its group marked to move and stops
/// its service, or its service crashes; the service is started again at once, as systemd's Restart= would, and the
/// fault ends with it. Whatever the others saw of it (its last reports, its restart within the heartbeat timeout, its
/// loss just before the restart), the group must come back on another node, never with two owners (the chaos checker
/// judges the history).</summary>
[Trait("Category", TestCategory.Chaos)]
[Collection("Netns")]
public sealed class HandOverTests(ITestOutputHelper output)
{
    public enum Isolation
    {
        /// <summary>Everything arriving at the node is dropped: the others still hear it, up to its last report.</summary>
        InboundLoss,
        /// <summary>Both ports down: nobody hears it stop, only its report from before the cut tells what it ran.</summary>
        CutOff,
        /// <summary>Not isolated: SIGKILL of its service, whose application keeps running.</summary>
        Crash,
    }

    public static TheoryData<Isolation, int> Rows => new()
    {
        // how the owner is isolated, how long after its service exited it is started again
        { Isolation.InboundLoss, 0 },                                          // within the heartbeat timeout
        { Isolation.InboundLoss, ChaosTopology.HeartbeatTimeoutMs + 300 },     // the others just lost it; not yet fenced
        { Isolation.CutOff, 0 },
        { Isolation.Crash, 0 },
        { Isolation.Crash, ChaosTopology.HeartbeatTimeoutMs + 300 },
    };

    void Log(string line)
    {
        try { output.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {line}"); } catch (InvalidOperationException) { }
    }

    [NeedsTheory(Need.Namespaces, "perl", "ping", "nft")]
    [MemberData(nameof(Rows))]
    public async Task TheOwnerStopsOrCrashesAndRestarts_TheGroupComesBackOnAnotherNode(Isolation isolation, int restartAfterMs)
    {
        using var t = new ChaosTopology(ChaosKind.Majority, Log);
        var ok = false;
        try
        {
            t.StartAll();
            var client = new ServiceClient(t.ClientNs, ChaosTopology.Vip, ChaosTopology.AppPort, Path.Combine(t.Dir, "client.log"));
            var windows = new List<FaultWindow>();
            long healMs;
            try
            {
                await Eventually.UntilAsync(() => client.Last?.Node != null, TimeSpan.FromSeconds(60), "the group to answer", pollMs: 100);
                // n2 owns the group, as in the run this reproduces: fencing it waits its 1 s delay.
                using (var api = t.Client("n1"))
                {
                    var moved = await api.MoveGroupAsync("g1", "n2");
                    Assert.True(moved.Ok, moved.Message);
                }
                await Eventually.UntilAsync(() => client.Last?.Node == "n2", TimeSpan.FromSeconds(30), "the group to answer from n2", () => $"answered by {client.Last?.Node}", pollMs: 100);
                await Task.Delay(1000);

                var from = ChaosTopology.NowMs();
                if (isolation == Isolation.Crash) t.Signal("n2", ChaosTopology.SIGKILL);
                else
                    foreach (var lan in new[] { 1, 2 })
                        if (isolation == Isolation.CutOff || !t.DropInbound("n2", lan)) t.SetPort("n2", lan, up: false);
                Log($"n2: {isolation}; waiting until its service exits");
                Assert.True(t.WaitExit("n2", TimeSpan.FromSeconds(20)), "n2's service did not exit");
                if (restartAfterMs > 0) await Task.Delay(restartAfterMs);
                t.ClearDrops("n2");
                foreach (var lan in new[] { 1, 2 }) t.SetPort("n2", lan, up: true);
                t.Start("n2");
                healMs = ChaosTopology.NowMs();
                windows.Add(new FaultWindow("n2", from, healMs, true, $"n2: {isolation}, restarted {restartAfterMs} ms after its exit"));
                await ChaosRun.AwaitConvergenceAsync(t, client, windows, healMs, () => { });
            }
            finally
            {
                await client.DisposeAsync();
            }

            var history = ChaosRun.Gather(t, windows, client.Samples, healMs, ChaosTopology.NowMs());
            var check = HistoryChecker.Check(history, new CheckOptions { RecoveryBoundMs = ChaosRun.RecoveryBoundMs, FenceGraceMs = ChaosRun.FenceGraceMs });
            var report = string.Join("\n", check.Violations) + "\n" + HistoryChecker.Describe(history);
            Log($"time to recover {check.TimeToRecoverMs} ms\n{report}");
            Assert.True(check.Ok, report);
            var owner = Assert.Single(HistoryChecker.Intervals(history).Where(i => i.ToMs >= history.EndMs)).Node;
            Assert.NotEqual("n2", owner);
            ok = true;
        }
        finally
        {
            t.KeepDir = !ok;
        }
    }
}
