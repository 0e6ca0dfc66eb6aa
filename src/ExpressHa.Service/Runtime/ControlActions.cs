using ExpressHa.Policy;

namespace ExpressHa.Service.Runtime;

/// <summary>Operator steps that every node carries out for itself, sent like plan steps (not planned by the engine).</summary>
public sealed record SetMonitorSuspended(string Node, string Monitor, bool Suspended) : PlanAction(Node)
{
    public override string Describe() => $"{Node}: {(Suspended ? "suspend" : "resume")} monitor {Monitor}";
}

/// <summary>running, suspended (monitors off, not a failover target, groups keep running) or stopped (groups stopped).</summary>
public sealed record SetServiceState(string Node, ServiceState State) : PlanAction(Node)
{
    public override string Describe() => $"{Node}: service {State.Wire()}";
}

/// <summary>A pseudo-failure of a monitor on the node: while set, each check reports an error without running the
/// probe (an operation test: the monitor's recovery runs as for a real error); cleared, the real probe runs again.</summary>
public sealed record SetMonitorPseudoFailure(string Node, string Monitor, bool Failing) : PlanAction(Node)
{
    public override string Describe() => $"{Node}: {(Failing ? "start" : "end")} pseudo-failure of monitor {Monitor}";
}

/// <summary>Ends the node's service at once with SIGKILL, as a crash would (an operation test; groups are not stopped,
/// what they started keeps running until the node is fenced or the service probes it at its next start).</summary>
public sealed record KillService(string Node) : PlanAction(Node)
{
    public override string Describe() => $"{Node}: kill the service";
}
