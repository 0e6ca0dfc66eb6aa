namespace ExpressHa.Service.Runtime;

/// <summary>How a batch of plan steps for one node went: all done, or which step failed and why (the steps before it ran,
/// none after it).</summary>
public sealed record StepsOutcome(int? FailedIndex, string Reason)
{
    public static readonly StepsOutcome Done = new(null, "");

    public bool Ok => FailedIndex == null;

    public static StepsOutcome Failed(int index, string reason) => new(index, reason);

    /// <summary>Why a step failed, as the policy engine's failure event or the runner put it.</summary>
    public static string ReasonOf(ActionOutcome o) => o.Failure switch
    {
        ExpressHa.Policy.ResourceStartFailed f => f.Reason,
        ExpressHa.Policy.ResourceStopFailed f => f.Reason,
        _ => o.Message,
    };
}
