namespace ExpressHa.Api
{
    // The wire names of the states in GET /v1/status (ClusterStatus), the web UI's event stream and the heartbeat's
    // group reports. Changing one breaks scripts and older nodes: they are part of the contract.

    /// <summary>ClusterStatus.ServiceState and NodeStatusInfo.ServiceState: the node's cluster service.</summary>
    public static class ServiceStates
    {
        public const string Running = "running";
        public const string Stopped = "stopped";
        public const string Suspended = "suspended";
        /// <summary>The orderly stop of the service is under way (heartbeats say so, so no node picks it as coordinator).</summary>
        public const string Stopping = "stopping";
        public static readonly string[] All = { Running, Stopped, Suspended, Stopping };
    }

    /// <summary>NodeStatusInfo.State (<see cref="Policy.NodeState"/>).</summary>
    public static class NodeStates
    {
        public const string Online = "online";
        public const string Offline = "offline";
        public const string Suspended = "suspended";
        public const string Lost = "lost";
        public static readonly string[] All = { Online, Offline, Suspended, Lost };
    }

    /// <summary>PathStatusInfo.State: one heartbeat path as the reporting node sees it.</summary>
    public static class PathStates
    {
        public const string Up = "up";
        public const string Down = "down";
        /// <summary>The reporting node's own path.</summary>
        public const string Self = "self";
        public static readonly string[] All = { Up, Down, Self };
    }

    /// <summary>GroupStatusInfo.State (<see cref="Policy.GroupState"/>).</summary>
    public static class GroupStates
    {
        public const string Offline = "offline";
        public const string Starting = "starting";
        public const string Online = "online";
        public const string Stopping = "stopping";
        public const string Failed = "failed";
        public const string Pending = "pending";
        public static readonly string[] All = { Offline, Starting, Online, Stopping, Failed, Pending };
    }

    /// <summary>ResourceStatusInfo.State (<see cref="Policy.ResourceState"/>).</summary>
    public static class ResourceStates
    {
        public const string Offline = "offline";
        public const string Starting = "starting";
        public const string Online = "online";
        public const string Stopping = "stopping";
        public const string StartFailed = "startfailed";
        public const string StopFailed = "stopfailed";
        public static readonly string[] All = { Offline, Starting, Online, Stopping, StartFailed, StopFailed };
    }

    /// <summary>MonitorStatusInfo.State (<see cref="Policy.MonitorState"/>).</summary>
    public static class MonitorStates
    {
        public const string Normal = "normal";
        public const string Warning = "warning";
        public const string Error = "error";
        public const string Suspended = "suspended";
        public const string Inactive = "inactive";
        public static readonly string[] All = { Normal, Warning, Error, Suspended, Inactive };
    }

    /// <summary>GroupEpisode.Kind: how the group came to run where it runs.</summary>
    public static class EpisodeKinds
    {
        public const string Start = "start";
        public const string Move = "move";
        public const string Failover = "failover";
        public const string Restart = "restart";
        public static readonly string[] All = { Start, Move, Failover, Restart };
    }

    /// <summary>GroupEpisode.Outcome.</summary>
    public static class EpisodeOutcomes
    {
        public const string Online = "online";
        public const string Failed = "failed";
        public const string Unfinished = "unfinished";
        public static readonly string[] All = { Online, Failed, Unfinished };
    }
}
