namespace ExpressHa.Policy;

/// <summary>Why a node stops its groups; it decides whether they move to another server.</summary>
public enum NodeStopCause
{
    /// <summary>Stop-HaCluster: the whole cluster stops, its groups stay offline.</summary>
    ClusterStop,
    /// <summary>An orderly stop of this node only (SIGTERM, OS shutdown or reboot, a stopService final action): its groups move.</summary>
    Shutdown,
    /// <summary>The node lost partition resolution: its groups move, like a group lost while online.</summary>
    LostResolution,
    /// <summary>The service starts and its journal says its previous run held groups (it crashed, or stopped or
    /// restarted before anyone took them over): what may be left of them stops, and they move.</summary>
    Restarted,
}
