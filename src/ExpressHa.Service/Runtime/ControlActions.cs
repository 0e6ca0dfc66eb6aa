using ExpressHa.Policy;

namespace ExpressHa.Service.Runtime;

/// <summary>Operator steps that every node carries out for itself, sent like plan steps (not planned by the engine).</summary>
public sealed record SetMonitorSuspended(string Node, string Monitor, bool Suspended) : PlanAction(Node)
{
    public override string Describe() => $"{Node}: {(Suspended ? "suspend" : "resume")} monitor {Monitor}";
}

/// <summary>running, suspended (monitors off, not a failover target, groups keep running) or stopped (groups stopped).</summary>
public sealed record SetServiceState(string Node, string State) : PlanAction(Node)
{
    public override string Describe() => $"{Node}: service {State}";
}
