using ExpressHa.Config;
using ExpressHa.Policy;

namespace ExpressHa.Service.Runtime;

/// <summary>What the previous run of this node's service left: the groups whose last journal record shows this node
/// holding them (starting, online, stopping, failed). A crashed service leaves their resources running; a service
/// that stopped them to move and then restarted before anyone took them over leaves only the intent. Either way the
/// record is the only trace once the others have accepted the new incarnation, so the new service stops what may be
/// left and records each group released (stopping, next set, every resource offline) under its old generation before
/// it sends its first heartbeat: the others then start it elsewhere (ReleasePolicy).</summary>
public static class Leftovers
{
    static readonly GroupState[] Held = { GroupState.Starting, GroupState.Online, GroupState.Stopping, GroupState.Failed };

    /// <summary>The state the NodeStopping decision runs on: this node online, the others unknown (offline), each
    /// leftover group owned here with every resource taken as running.</summary>
    public static ClusterState StateOf(ClusterConfig config, string self, IEnumerable<OwnershipRecord> lastRecords)
    {
        var state = new ClusterState();
        foreach (var n in config.Nodes) state.Nodes[n.Name] = new NodeStatus { State = n.Name == self ? NodeState.Online : NodeState.Offline };
        foreach (var r in lastRecords)
        {
            var group = config.FindGroup(r.Group);
            if (group == null || r.Owner != self || !Enum.TryParse<GroupState>(r.State, ignoreCase: true, out var held) || !Held.Contains(held)) continue;
            var status = new GroupStatus { State = held, Owner = self, Generation = r.Generation };
            foreach (var res in group.Resources) status.Resources[res.Name] = new ResourceStatus { State = ResourceState.Online };
            state.Groups[group.Name] = status;
        }
        return state;
    }
}

public sealed partial class NodeAgent
{
    /// <summary>Before the first heartbeat: stops what the previous run left (see <see cref="Leftovers"/>).</summary>
    async Task ReleaseLeftoversAsync(CancellationToken ct)
    {
        var state = Leftovers.StateOf(Config, Self, OwnershipJournal.LastRecords(_o.StateDir));
        var plan = PolicyEngine.Decide(Config, state, new NodeStopping(Self, NodeStopCause.Restarted));
        if (plan.IsEmpty) return;
        Alerts.Alert("warning", "pm", 6, plan.Reason);
        foreach (var (name, st) in state.Groups)
            _local.Update(name, g =>
            {
                g.State = st.State;
                g.Generation = st.Generation;
                g.Owner = Self;
                foreach (var r in st.Resources.Keys) g.Resources[r] = ResourceState.Online;
            });
        foreach (var step in plan.Actions)
        {
            var outcome = await _runner.RunAsync(step, ct);
            if (outcome.Ok) continue;
            Alerts.Alert("error", "pm", 7, $"Stopping what the previous run of {Self} left failed ({outcome.Message}); the group is left with a failed stop here and is not started elsewhere until {Self} is fenced or the resource is stopped by hand.");
            return;
        }
    }
}
