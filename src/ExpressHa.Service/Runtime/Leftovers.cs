using ExpressHa.Config;
using ExpressHa.Policy;
using ExpressHa.Service.Resources;

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

public sealed partial class NodeAgent
{
    /// <summary>Before the first heartbeat: probes every resource this node may run, then stops what the previous run
    /// left (see <see cref="Leftovers"/>).</summary>
    async Task ReleaseLeftoversAsync(CancellationToken ct)
    {
        var probed = await ProbeResourcesAsync(ct);
        var state = Leftovers.StateOf(Config, Self, OwnershipJournal.LastRecords(_o.StateDir), probed);
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

    /// <summary>Asks each driver whether its resource is active here (Pacemaker's probe), for every group whose servers
    /// include this node; returns group → the resources found active.</summary>
    async Task<Dictionary<string, IReadOnlyCollection<string>>> ProbeResourcesAsync(CancellationToken ct)
    {
        var found = new Dictionary<string, IReadOnlyCollection<string>>(StringComparer.Ordinal);
        var config = Config;
        var node = config.FindNode(Self)!;
        foreach (var g in config.Groups.Where(g => g.Servers.Contains(Self)))
        {
            var active = new List<string>();
            foreach (var r in g.Resources)
            {
                if (_drivers.Find(r.Type) is not { } driver) continue;
                var context = new ResourceContext { Config = config, Group = g, Resource = r, Node = node, StateDir = _o.StateDir, Alerts = Alerts };
                ResourceProbe result;
                try { result = await driver.ProbeAsync(context, ct); }
                catch (Exception ex) when (ex is not OperationCanceledException) { result = ResourceProbe.Unknown; }
                if (result == ResourceProbe.Active) active.Add(r.Name);
            }
            if (active.Count > 0)
            {
                found[g.Name] = active;
                Alerts.Alert("warning", "pm", 8, $"Probe on {Self}: {string.Join(", ", active)} of group {g.Name} already active here before the service joined.");
            }
        }
        return found;
    }
}
