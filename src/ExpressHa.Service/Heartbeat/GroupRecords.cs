using ExpressHa.Api;
using ExpressHa.Policy;

namespace ExpressHa.Service.Heartbeat;

/// <summary>What a group record in a node's report says about that node.</summary>
public static class GroupRecords
{
    /// <summary>The node holds the group in some form (running, starting, stopping, failed, pending, or released).</summary>
    public static bool Held(GroupReport g) => g.State != GroupStates.Offline;

    /// <summary>Stopped to move with every resource offline: nothing of it runs on that node any more
    /// (the report form of <see cref="ReleasePolicy.IsReleased"/>).</summary>
    public static bool Released(GroupReport g)
        => g.State == GroupStates.Stopping && g.Next != null && g.Resources.Values.All(r => r == nameof(ResourceState.Offline));

    /// <summary>Something of the group may still run on that node.</summary>
    public static bool MayRun(GroupReport g) => Held(g) && !Released(g);
}
