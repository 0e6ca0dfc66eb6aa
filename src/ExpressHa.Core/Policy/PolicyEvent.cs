using System;
using System.Collections.Generic;
using System.Linq;
namespace ExpressHa.Policy;

/// <summary>Something that happened; the policy engine answers each with a plan.</summary>
public abstract record PolicyEvent;

/// <summary>The cluster service started (all nodes that will join have joined or the start wait ran out): auto groups start.</summary>
public sealed record ClusterStarted : PolicyEvent;
/// <summary>Every heartbeat path of the node timed out.</summary>
public sealed record NodeLost(string Node) : PolicyEvent;
/// <summary>A lost node was fenced or is known to have stopped itself.</summary>
public sealed record NodeDownConfirmed(string Node) : PolicyEvent;
/// <summary>A node (re)joined and is online.</summary>
public sealed record NodeJoined(string Node) : PolicyEvent;
/// <summary>The service on this node is stopping its groups, for the reason <paramref name="Cause"/> gives: only a stop of
/// the whole cluster leaves them offline; otherwise they stop marked to move (Next set) and another server takes them.</summary>
public sealed record NodeStopping(string Node, NodeStopCause Cause = NodeStopCause.ClusterStop) : PolicyEvent;
/// <summary>The owner stopped the group to move it (Stopping, Next set, every resource offline) and is not lost:
/// the group starts on a server of its policy (see <see cref="ReleasePolicy"/>).</summary>
public sealed record GroupReleased(string Group) : PolicyEvent;
public sealed record NodeSuspended(string Node) : PolicyEvent;
public sealed record NodeResumed(string Node) : PolicyEvent;

/// <summary>Operator requests. Node null: the group's policy chooses.</summary>
public sealed record GroupStartRequested(string Group, string? Node = null) : PolicyEvent;
public sealed record GroupStopRequested(string Group) : PolicyEvent;
public sealed record GroupMoveRequested(string Group, string? Node = null) : PolicyEvent;

/// <summary>Results the executor reports.</summary>
public sealed record ResourceStartFailed(string Group, string Resource, string Node, string Reason) : PolicyEvent;
public sealed record ResourceStopFailed(string Group, string Resource, string Node, string Reason) : PolicyEvent;

/// <summary>A monitor reached its error state (retries used up) on a node.</summary>
public sealed record MonitorFailed(string Monitor, string Node, string Reason) : PolicyEvent;
public sealed record MonitorRecovered(string Monitor, string Node) : PolicyEvent;
