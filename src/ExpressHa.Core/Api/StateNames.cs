using System;
using ExpressHa.Policy;

namespace ExpressHa.Api
{
    /// <summary>The policy engine's state enums to and from their wire names (<see cref="GroupStates"/>,
    /// <see cref="NodeStates"/>, <see cref="ResourceStates"/>, <see cref="MonitorStates"/>).</summary>
    public static class StateNames
    {
        public static string Of(NodeState s) => s switch
        {
            NodeState.Online => NodeStates.Online,
            NodeState.Offline => NodeStates.Offline,
            NodeState.Suspended => NodeStates.Suspended,
            NodeState.Lost => NodeStates.Lost,
            _ => throw Unknown(s),
        };

        public static string Of(GroupState s) => s switch
        {
            GroupState.Offline => GroupStates.Offline,
            GroupState.Starting => GroupStates.Starting,
            GroupState.Online => GroupStates.Online,
            GroupState.Stopping => GroupStates.Stopping,
            GroupState.Failed => GroupStates.Failed,
            GroupState.Pending => GroupStates.Pending,
            _ => throw Unknown(s),
        };

        public static string Of(ResourceState s) => s switch
        {
            ResourceState.Offline => ResourceStates.Offline,
            ResourceState.Starting => ResourceStates.Starting,
            ResourceState.Online => ResourceStates.Online,
            ResourceState.Stopping => ResourceStates.Stopping,
            ResourceState.StartFailed => ResourceStates.StartFailed,
            ResourceState.StopFailed => ResourceStates.StopFailed,
            _ => throw Unknown(s),
        };

        public static string Of(MonitorState s) => s switch
        {
            MonitorState.Normal => MonitorStates.Normal,
            MonitorState.Warning => MonitorStates.Warning,
            MonitorState.Error => MonitorStates.Error,
            MonitorState.Suspended => MonitorStates.Suspended,
            MonitorState.Inactive => MonitorStates.Inactive,
            _ => throw Unknown(s),
        };

        /// <summary>The enum value of a wire name (any case, as older reports wrote the enum's own name); false when unknown.</summary>
        public static bool TryParse<T>(string? wire, out T value) where T : struct, Enum
        {
            value = default;
            if (string.IsNullOrEmpty(wire)) return false;
            foreach (T v in Enum.GetValues(typeof(T)))
                if (string.Equals(Name(v), wire, StringComparison.OrdinalIgnoreCase)) { value = v; return true; }
            return false;
        }

        static string Name<T>(T v) where T : struct, Enum => v switch
        {
            NodeState n => Of(n),
            GroupState g => Of(g),
            ResourceState r => Of(r),
            MonitorState m => Of(m),
            _ => throw new ArgumentException($"{typeof(T).Name} has no wire names"),
        };

        static ArgumentOutOfRangeException Unknown<T>(T s) => new ArgumentOutOfRangeException(nameof(s), s, $"no wire name for {typeof(T).Name} {s}");
    }
}
