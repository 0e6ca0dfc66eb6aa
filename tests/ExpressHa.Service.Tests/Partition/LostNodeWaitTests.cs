using ExpressHa.Service.Partition;

namespace ExpressHa.Service.Tests.Partition;

/// <summary>Table of <see cref="LostNodeWait.Decide"/>: what a survivor without fencing waits for, and how long.</summary>
public class LostNodeWaitTests
{
    public static TheoryData<string, bool, bool, int?, long, long?, WaitBasis, long, string> Cases => new()
    {
        // name, fencing, resolution, lost node's watchdog, since heard, witness silence → basis, wait, reason contains
        { "fencing decides", true, true, 5000, 1000, null, WaitBasis.Fencing, 0, "fenced" },
        { "fencing without resolution", true, false, null, 1000, null, WaitBasis.Fencing, 0, "fenced" },
        { "watchdog: timeout + watchdog + interval after the last sign of life", false, true, 5000, 1000, null, WaitBasis.Watchdog, 1000 + 5000 + 100 - 1000, "watchdog" },
        { "watchdog: the witness saw it later than the heartbeats", false, true, 5000, 1500, 300, WaitBasis.Watchdog, 1000 + 5000 + 100 - 300, "300 ms ago" },
        { "watchdog: the witness saw it earlier: the heartbeats count", false, true, 5000, 1100, 4000, WaitBasis.Watchdog, 1000 + 5000 + 100 - 1100, "1100 ms ago" },
        { "watchdog: the bound has already passed", false, true, 400, 9000, null, WaitBasis.Watchdog, 0, "watchdog" },
        { "fast setting: 200/1000, stand-in 300 ms", false, true, 300, 1000, 1000, WaitBasis.Watchdog, 400, "300 ms (watchdog)" },
        { "fast setting with a 1 s watchdog and a 300 ms lease", false, true, 1000, 1000, 1000, WaitBasis.Watchdog, 300 + 1000 + 100 - 1000, "300 ms (its proof lease)" },
        { "no watchdog: the self-stop estimate, said to be one", false, true, null, 1000, null, WaitBasis.SelfStopEstimate, 1000 + 200 + 3000 + 5000, "not a guarantee" },
        { "a watchdog of 0 counts as none", false, true, 0, 1000, null, WaitBasis.SelfStopEstimate, 1000 + 200 + 3000 + 5000, "estimate" },
        { "neither fencing nor resolution", false, false, null, 1000, null, WaitBasis.Unprotected, 0, "unsafe" },
        { "neither, even with a watchdog: nothing tells a node it lost", false, false, 5000, 1000, null, WaitBasis.Unprotected, 0, "unsafe" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decides(string name, bool fencing, bool resolution, int? watchdogMs, long sinceHeard, long? witnessSilence, WaitBasis basis, long waitMs, string reason)
    {
        int? lease = name.Contains("300 ms lease") ? 300 : null;
        var plan = LostNodeWait.Decide(new LostNodeWaitInputs
        {
            FencingEnabled = fencing,
            ResolutionConfigured = resolution,
            HeartbeatIntervalMs = 200,
            HeartbeatTimeoutMs = 1000,
            ResolutionCheckMs = 3000,
            LostNodeWatchdogMs = watchdogMs,
            LostNodeProofLeaseMs = lease,
            SinceLastHeardMs = sinceHeard,
            WitnessSilenceMs = witnessSilence,
        });
        Assert.True(plan.Basis == basis && plan.WaitMs == waitMs, $"{name}: expected {basis} {waitMs} ms, got {plan}");
        Assert.Contains(reason, plan.Reason);
    }

    [Theory]
    [InlineData(300, 300)]
    [InlineData(5000, 1000)]
    [InlineData(0, 1000)]
    [InlineData(null, 1000)]
    public void A_reported_lease_counts_but_never_beyond_the_heartbeat_timeout(int? lease, int used)
    {
        var plan = LostNodeWait.Decide(new LostNodeWaitInputs
        {
            FencingEnabled = false, ResolutionConfigured = true, HeartbeatIntervalMs = 200, HeartbeatTimeoutMs = 1000,
            ResolutionCheckMs = 80, LostNodeWatchdogMs = 1000, LostNodeProofLeaseMs = lease, SinceLastHeardMs = 0,
        });
        Assert.Equal(used + 1000 + LostNodeWait.WatchdogMarginMs, plan.WaitMs);
    }
}
