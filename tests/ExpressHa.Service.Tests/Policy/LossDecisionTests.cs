using ExpressHa.Service.Partition;
using ExpressHa.Service.Runtime;

namespace ExpressHa.Service.Tests.Policy;

/// <summary>What a node does about a lost peer: partition resolution first, then fencing, then the lost-node wait.</summary>
public sealed class LossDecisionTests
{
    /// <summary>Resolution: "-" not configured, "survive" or "stop"; watchdog: the lost node's, 0 for none.</summary>
    public static TheoryData<string, string, bool, bool, int, LossAction, WaitBasis?> Cases => new()
    {
        { "lost resolution, fencing on, coordinator", "stop", true, true, 0, LossAction.StopSelf, null },
        { "lost resolution, fencing on, not coordinator", "stop", true, false, 0, LossAction.StopSelf, null },
        { "lost resolution, no fencing", "stop", false, true, 0, LossAction.StopSelf, null },
        { "lost resolution, no fencing, watchdog", "stop", false, false, 2000, LossAction.StopSelf, null },
        { "survived, fencing on, coordinator", "survive", true, true, 0, LossAction.Fence, null },
        { "survived, fencing on, not coordinator", "survive", true, false, 0, LossAction.Nothing, null },
        { "no resolution, fencing on, coordinator", "-", true, true, 0, LossAction.Fence, null },
        { "no resolution, fencing on, not coordinator", "-", true, false, 0, LossAction.Nothing, null },
        { "survived, no fencing, no watchdog: the self-stop estimate", "survive", false, true, 0, LossAction.WaitThenTakeOver, WaitBasis.SelfStopEstimate },
        { "survived, no fencing, lost node's watchdog", "survive", false, false, 2000, LossAction.WaitThenTakeOver, WaitBasis.Watchdog },
        { "neither: unprotected, down at once", "-", false, true, 0, LossAction.TakeOver, WaitBasis.Unprotected },
        { "neither, a watchdog does not help: nothing tells the lost node it lost", "-", false, true, 2000, LossAction.TakeOver, WaitBasis.Unprotected },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decides(string scenario, string resolution, bool fencing, bool coordinator, int watchdogMs, LossAction expected, WaitBasis? basis)
    {
        var verdict = LossDecision.Decide(new LossInputs
        {
            FencingEnabled = fencing,
            IsCoordinator = coordinator,
            Resolution = resolution switch
            {
                "-" => null,
                "survive" => new PartitionVerdict(PartitionOutcome.Survive, "the witness sees this side", [], []),
                _ => new PartitionVerdict(PartitionOutcome.Stop, "the witness is unreachable", [], []),
            },
            Wait = new LostNodeWaitInputs
            {
                FencingEnabled = fencing, ResolutionConfigured = resolution != "-", HeartbeatIntervalMs = 500, HeartbeatTimeoutMs = 3000,
                ResolutionCheckMs = 1000, LostNodeWatchdogMs = watchdogMs > 0 ? watchdogMs : null, SinceLastHeardMs = 3000,
            },
        });
        Assert.True(expected == verdict.Action, $"{scenario}: expected {expected}, got {verdict.Action} ({verdict.Reason})");
        Assert.Equal(basis, verdict.Wait?.Basis);
        if (expected == LossAction.StopSelf) Assert.Contains("unreachable", verdict.Reason);
        if (expected == LossAction.WaitThenTakeOver) Assert.True(verdict.Wait!.WaitMs > 0, scenario);
    }

    [Theory]
    [InlineData(true, true, LossAction.Fence)]
    [InlineData(true, false, LossAction.TakeOver)]
    [InlineData(false, true, LossAction.TakeOver)]
    [InlineData(false, false, LossAction.TakeOver)]
    public void A_restarted_peer_is_fenced_only_when_its_old_run_may_still_run_a_group(bool ranSomething, bool fencing, LossAction expected)
        => Assert.Equal(expected, LossDecision.ForRestart(ranSomething, fencing));
}
