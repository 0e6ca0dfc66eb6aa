using System;
using System.Collections.Generic;
using System.Linq;
namespace ExpressHa.Policy;

public enum NodeState { Online, Offline, Suspended, Lost }
public enum GroupState { Offline, Starting, Online, Stopping, Failed, Pending }
public enum ResourceState { Offline, Starting, Online, Stopping, StartFailed, StopFailed }
public enum MonitorState { Normal, Warning, Error, Suspended, Inactive }

/// <summary>What the cluster knows at one instant: the input of the policy engine. Plain data, no behaviour.</summary>
public sealed class ClusterState
{
    public Dictionary<string, NodeStatus> Nodes { get; init; } = new(StringComparer.Ordinal);
    public Dictionary<string, GroupStatus> Groups { get; init; } = new(StringComparer.Ordinal);
    /// <summary>Keyed by monitor name. A monitor runs on every server of its target's group; its counters belong to its
    /// recovery target (restarts on the current owner, failovers across the cluster), so there is one set per monitor.</summary>
    public Dictionary<string, MonitorStatus> Monitors { get; init; } = new(StringComparer.Ordinal);
}

public sealed class NodeStatus
{
    public NodeState State { get; set; } = NodeState.Offline;
    /// <summary>Lost nodes only: fenced or known to have stopped itself, so what it ran is no longer running.</summary>
    public bool ConfirmedDown { get; set; }
}

public sealed class GroupStatus
{
    public GroupState State { get; set; } = GroupState.Offline;
    /// <summary>The node running (or starting, stopping, failed on) the group; null when offline everywhere.</summary>
    public string? Owner { get; set; }
    /// <summary>Ownership generation: raised every time the group is started on a node.</summary>
    public long Generation { get; set; }
    /// <summary>Failovers caused by activation failures since the group was last started by an operator or the cluster start.</summary>
    public int Failovers { get; set; }
    /// <summary>Where the group goes next while it is being stopped (move or failover), copied from
    /// <see cref="SetGroupState.Next"/>; null when it is stopped for good or not moving. It tells the engine, after a failed stop
    /// or a lost node, whether the group must be started elsewhere or left offline.</summary>
    public string? Next { get; set; }
    /// <summary>Resources by name, each on the owner.</summary>
    public Dictionary<string, ResourceStatus> Resources { get; init; } = new(StringComparer.Ordinal);
}

public sealed class ResourceStatus
{
    public ResourceState State { get; set; } = ResourceState.Offline;
    /// <summary>Failed start attempts on the current owner. The runtime increments it BEFORE it asks the engine about a
    /// ResourceStartFailed event, and resets it to 0 when the resource starts successfully and when its group enters Starting.</summary>
    public int StartFailures { get; set; }
    /// <summary>Failed stop attempts on the current owner. Same convention: incremented before ResourceStopFailed is decided,
    /// reset to 0 when the resource stops successfully and when its group enters Starting.</summary>
    public int StopFailures { get; set; }
}

public sealed class MonitorStatus
{
    public MonitorState State { get; set; } = MonitorState.Normal;
    /// <summary>Restarts of the recovery target this monitor caused on the current owner.</summary>
    public int Restarts { get; set; }
    /// <summary>Failovers this monitor caused.</summary>
    public int Failovers { get; set; }
}
