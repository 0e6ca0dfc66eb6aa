using System;
using System.Collections.Generic;
using System.Linq;
namespace ExpressHa.Policy;

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

/// <summary>Records the group's state and owner (and raises the generation when it becomes Starting on a new owner).
/// <see cref="Next"/> is stored in <see cref="GroupStatus.Next"/> as is (null clears it): the node the group is headed for
/// while it is stopped for a move or a failover.</summary>
public sealed record SetGroupState(string Node, string Group, GroupState State, string? Owner, string? Next = null) : PlanAction(Node)
{
    public override string Describe() => $"{Node}: group {Group} {State.ToString().ToLowerInvariant()}" + (Owner != null ? $" on {Owner}" : "")
        + (Next != null ? $", next {Next}" : "");
}

/// <summary>Blocks the rest of the plan until the lost node is fenced or confirmed down (safety rule 1).</summary>
public sealed record WaitForNodeDown(string Node, string LostNode) : PlanAction(Node)
{
    public override string Describe() => $"{Node}: wait until {LostNode} is fenced or confirmed down";
}

/// <summary>Asks the fencing subsystem to fence a node: the node's runtime carries it out with the Fencing/ subsystem of
/// ExpressHa.Service (Fencer: levels aws and script, delays, race check).</summary>
public sealed record FenceNode(string Node, string Target, string Reason) : PlanAction(Node)
{
    public override string Describe() => $"{Node}: fence {Target} ({Reason})";
}

/// <summary>A final action run on <see cref="PlanAction.Node"/> itself: stopService, shutdown or reboot. The engine never plans
/// none, and expands stopGroup into the group's own stop steps, so the runtime only has to take the node out.</summary>
public sealed record RunFinalAction(string Node, string Action, string Reason) : PlanAction(Node)
{
    public override string Describe() => $"{Node}: final action {Action} ({Reason})";
}

/// <summary>Resets a monitor's or group's counters, or counts a failover, so the state the next decision sees is right.
/// Subject is "group NAME" or "monitor NAME"; Counter is "failovers" or "restarts" (see <see cref="Counters"/>).</summary>
public sealed record RecordCounter(string Node, string Subject, string Counter, int Value) : PlanAction(Node)
{
    public override string Describe() => $"{Node}: set {Subject} {Counter} = {Value}";
}

/// <summary>An entry of the alert log.</summary>
public sealed record RaiseAlert(string Node, string Level, string Module, int EventId, string Message) : PlanAction(Node)
{
    public override string Describe() => $"{Node}: alert {Level} {Module} {EventId}: {Message}";
}

/// <summary>The subjects and counters <see cref="RecordCounter"/> uses.</summary>
public static class Counters
{
    public const string Failovers = "failovers";
    public const string Restarts = "restarts";
    public static string GroupSubject(string group) => "group " + group;
    public static string MonitorSubject(string monitor) => "monitor " + monitor;
}
