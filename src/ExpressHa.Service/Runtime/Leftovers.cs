using ExpressHa.Config;
using ExpressHa.Policy;
using ExpressHa.Service.Heartbeat;
using ExpressHa.Service.Resources;

namespace ExpressHa.Service.Runtime;

/// <summary>What the previous run of this node's service left: the groups whose last journal record shows this node
/// holding them (starting, online, stopping, failed). A crashed service leaves their resources running; a service
/// that stopped them to move and then restarted before anyone took them over leaves only the intent. Either way the
/// record is the only trace once the others have accepted the new incarnation, so the new service stops what may be
/// left and records each group released (stopping, next set, every resource offline) under its old generation before
/// it sends its first heartbeat: the others then start it elsewhere (ReleasePolicy). The exception is a group adopted
/// as it runs (<see cref="LeftoverDecision"/>): such a group is no leftover and is left out of this state.</summary>
public static class Leftovers
{
    static readonly GroupState[] Held = { GroupState.Starting, GroupState.Online, GroupState.Stopping, GroupState.Failed };

    /// <summary>The state the NodeStopping decision runs on: this node online, the others unknown (offline), each
    /// leftover group owned here with every resource taken as running. <paramref name="probedActive"/> (group → the
    /// resources whose probe found them active here) adds the groups a journal does not name (lost, or a state
    /// directory replaced): such a group is a leftover too, under the journal's last generation for it if any.</summary>
    public static ClusterState StateOf(ClusterConfig config, string self, IEnumerable<OwnershipRecord> lastRecords,
        IReadOnlyDictionary<string, IReadOnlyCollection<string>>? probedActive = null)
    {
        var records = lastRecords.ToList();
        var state = new ClusterState();
        foreach (var n in config.Nodes) state.Nodes[n.Name] = new NodeStatus { State = n.Name == self ? NodeState.Online : NodeState.Offline };
        foreach (var r in records)
        {
            var group = config.FindGroup(r.Group);
            if (group == null || r.Owner != self || !Enum.TryParse<GroupState>(r.State, ignoreCase: true, out var held) || !Held.Contains(held)) continue;
            var status = new GroupStatus { State = held, Owner = self, Generation = r.Generation };
            foreach (var res in group.Resources) status.Resources[res.Name] = new ResourceStatus { State = ResourceState.Online };
            state.Groups[group.Name] = status;
        }
        foreach (var (name, active) in probedActive ?? new Dictionary<string, IReadOnlyCollection<string>>())
        {
            var group = config.FindGroup(name);
            if (group == null || active.Count == 0 || state.Groups.ContainsKey(name)) continue;
            var status = new GroupStatus
            {
                State = GroupState.Online,
                Owner = self,
                Generation = records.Where(r => r.Group == name).Select(r => r.Generation).DefaultIfEmpty(0).Max(),
            };
            foreach (var res in group.Resources) status.Resources[res.Name] = new ResourceStatus { State = ResourceState.Online };
            state.Groups[name] = status;
        }
        return state;
    }
}
