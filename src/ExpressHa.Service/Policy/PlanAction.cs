namespace ExpressHa.Service.Policy;

/// <summary>One step of a plan, carried out on <see cref="Node"/>. Steps run in order; a failed step aborts the rest and
/// comes back to the engine as an event.</summary>
public abstract record PlanAction(string Node)
{
    /// <summary>One line in the golden files: "server1: start failover1/app".</summary>
    public abstract string Describe();
    public override string ToString() => Describe();
}

public sealed record StartResource(string Node, string Group, string Resource) : PlanAction(Node)
{
    public override string Describe() => $"{Node}: start {Group}/{Resource}";
}

public sealed record StopResource(string Node, string Group, string Resource) : PlanAction(Node)
{
    public override string Describe() => $"{Node}: stop {Group}/{Resource}";
}

/// <summary>Records the group's state and owner (and raises the generation when it becomes Starting on a new owner).</summary>
public sealed record SetGroupState(string Node, string Group, GroupState State, string? Owner) : PlanAction(Node)
{
    public override string Describe() => $"{Node}: group {Group} {State.ToString().ToLowerInvariant()}" + (Owner != null ? $" on {Owner}" : "");
}

/// <summary>Blocks the rest of the plan until the lost node is fenced or confirmed down (safety rule 1).</summary>
public sealed record WaitForNodeDown(string Node, string LostNode) : PlanAction(Node)
{
    public override string Describe() => $"{Node}: wait until {LostNode} is fenced or confirmed down";
}

/// <summary>Asks the fencing subsystem to fence a node (the fencing issue supplies the mechanism).</summary>
public sealed record FenceNode(string Node, string Target, string Reason) : PlanAction(Node)
{
    public override string Describe() => $"{Node}: fence {Target} ({Reason})";
}

/// <summary>A final action: none is never planned; stopGroup, stopService, shutdown, reboot.</summary>
public sealed record RunFinalAction(string Node, string Action, string Reason) : PlanAction(Node)
{
    public override string Describe() => $"{Node}: final action {Action} ({Reason})";
}

/// <summary>Resets a monitor's or resource's counters, or counts a failover, so the state the next decision sees is right.</summary>
public sealed record RecordCounter(string Node, string Subject, string Counter, int Value) : PlanAction(Node)
{
    public override string Describe() => $"{Node}: set {Subject} {Counter} = {Value}";
}

/// <summary>An entry of the alert log.</summary>
public sealed record RaiseAlert(string Node, string Level, string Module, int EventId, string Message) : PlanAction(Node)
{
    public override string Describe() => $"{Node}: alert {Level} {Module} {EventId}: {Message}";
}
