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

public sealed partial class NodeAgent
{
    /// <summary>The incarnation whose groups this one adopted at start (sent in every heartbeat); null when none.</summary>
    long? _resumedFrom;

    /// <summary>Before the first heartbeat: probes every resource this node may run; a group the previous run held
    /// online whose every resource is still active here is adopted when the peers' first heartbeats show none of them
    /// took it over (<see cref="LeftoverDecision"/>); what else the previous run left is stopped (see <see cref="Leftovers"/>).</summary>
    async Task ReleaseLeftoversAsync(CancellationToken ct)
    {
        var probes = await ProbeResourcesAsync(ct);
        var records = OwnershipJournal.LastRecords(_o.StateDir);
        var adopted = await AdoptAsync(probes, records, ct);
        var probed = probes.Where(p => !adopted.Contains(p.Key))
            .Select(p => (p.Key, Active: (IReadOnlyCollection<string>)p.Value.Where(r => r.Value == ResourceProbe.Active).Select(r => r.Key).ToList()))
            .Where(p => p.Active.Count > 0)
            .ToDictionary(p => p.Key, p => p.Active, StringComparer.Ordinal);
        var state = Leftovers.StateOf(Config, Self, records.Where(r => !adopted.Contains(r.Group)), probed);
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

    /// <summary>The groups this run resumes as they are. Only a group whose journal says online here with every
    /// resource probed active is a candidate; for those, the service listens (without sending) for the peers' first
    /// heartbeats and lets <see cref="LeftoverDecision"/> judge each group. Every peer that answered must echo the same
    /// previous incarnation, which then goes out as <see cref="HeartbeatReport.ResumedFrom"/> so the peers take this run
    /// as its continuation.</summary>
    async Task<HashSet<string>> AdoptAsync(Dictionary<string, Dictionary<string, ResourceProbe>> probes, IReadOnlyList<OwnershipRecord> records, CancellationToken ct)
    {
        var adopted = new HashSet<string>(StringComparer.Ordinal);
        var config = Config;
        var candidates = new List<(GroupConfig Group, LeftoverJournal Journal)>();
        foreach (var r in records)
        {
            if (config.FindGroup(r.Group) is not { } g || r.Owner != Self || !Enum.TryParse<GroupState>(r.State, ignoreCase: true, out var st) || st != GroupState.Online) continue;
            if (!probes.TryGetValue(g.Name, out var p) || g.Resources.Count == 0 || g.Resources.Any(x => p.GetValueOrDefault(x.Name) != ResourceProbe.Active)) continue;
            candidates.Add((g, new LeftoverJournal(st, r.Owner, r.Generation)));
        }
        if (candidates.Count == 0) return adopted;

        var heard = await ListenForPeersAsync(config, candidates.SelectMany(c => c.Group.Servers).Where(s => s != Self).ToHashSet(StringComparer.Ordinal), ct);
        var echoes = heard.Values.Where(r => r.Heard.ContainsKey(Self)).Select(r => r.Heard[Self].Incarnation).Distinct().ToList();
        foreach (var (group, journal) in candidates)
        {
            var peers = group.Servers.Where(s => s != Self).Select(s => PeerView(s, group.Name, heard.GetValueOrDefault(s))).ToList();
            var verdict = LeftoverDecision.Decide(new LeftoverInputs
            {
                Self = Self, Group = group.Name, Journal = journal, Peers = peers,
                Probes = probes[group.Name],
            });
            if (verdict.Choice == LeftoverChoice.Adopt && echoes.Count > 1)
                verdict = new LeftoverVerdict(LeftoverChoice.Stop, $"what is left of group {group.Name} on {Self} stops before it joins: the peers echo different previous runs of {Self}");
            if (verdict.Choice != LeftoverChoice.Adopt)
            {
                Alerts.Log("pm", verdict.Reason);
                continue;
            }
            adopted.Add(group.Name);
            _local.Update(group.Name, g =>
            {
                g.State = GroupState.Online;
                g.Generation = journal.Generation;
                g.Owner = Self;
                foreach (var r in group.Resources) g.Resources[r.Name] = ResourceState.Online;
            });
            Alerts.Alert("info", "pm", 15, $"The previous run of the cluster service on {Self} left group {group.Name} running and no other server took it over: it {verdict.Reason[(verdict.Reason.IndexOf(" resumes ", StringComparison.Ordinal) + 1)..]}.");
        }
        if (adopted.Count > 0 && echoes.Count == 1) _resumedFrom = echoes[0];
        return adopted;
    }

    LeftoverPeer PeerView(string node, string group, HeartbeatReport? report)
    {
        if (report == null) return new LeftoverPeer(node, PeerSight.Silent);
        var sight = report.Heard.ContainsKey(Self) ? PeerSight.CountsPreviousRunOnline : PeerSight.DeclaredLost;
        var g = report.Groups.FirstOrDefault(x => x.Name == group);
        var state = g != null && Enum.TryParse<GroupState>(g.State, ignoreCase: true, out var s) ? s : GroupState.Offline;
        return new LeftoverPeer(node, sight, state, g?.Owner, g?.Generation ?? 0, report.JournalGenerations.GetValueOrDefault(group));
    }

    /// <summary>Asks each driver whether its resource is active here (Pacemaker's probe), for every group whose servers
    /// include this node; returns group → resource → what its probe found (a driver that throws: unknown).</summary>
    async Task<Dictionary<string, Dictionary<string, ResourceProbe>>> ProbeResourcesAsync(CancellationToken ct)
    {
        var found = new Dictionary<string, Dictionary<string, ResourceProbe>>(StringComparer.Ordinal);
        var config = Config;
        var node = config.FindNode(Self)!;
        foreach (var g in config.Groups.Where(g => g.Servers.Contains(Self)))
        {
            var results = new Dictionary<string, ResourceProbe>(StringComparer.Ordinal);
            foreach (var r in g.Resources)
            {
                ResourceProbe result = ResourceProbe.Unknown;
                if (_drivers.Find(r.Type) is { } driver)
                {
                    var context = new ResourceContext { Config = config, Group = g, Resource = r, Node = node, StateDir = _o.StateDir, Alerts = Alerts, Mirrors = Mirrors };
                    try { result = await driver.ProbeAsync(context, ct); }
                    catch (Exception ex) when (ex is not OperationCanceledException) { result = ResourceProbe.Unknown; }
                }
                results[r.Name] = result;
            }
            found[g.Name] = results;
            var active = results.Where(x => x.Value == ResourceProbe.Active).Select(x => x.Key).ToList();
            if (active.Count > 0)
                Alerts.Alert("warning", "pm", 8, $"Probe on {Self}: {string.Join(", ", active)} of group {g.Name} already active here before the service joined.");
        }
        return found;
    }

    /// <summary>Listens on the heartbeat paths without sending, until every node in <paramref name="peers"/> reported or
    /// two heartbeat intervals (at most half the timeout) passed; returns each peer's newest report.</summary>
    async Task<Dictionary<string, HeartbeatReport>> ListenForPeersAsync(ClusterConfig config, HashSet<string> peers, CancellationToken ct)
    {
        var heard = new Dictionary<string, HeartbeatReport>(StringComparer.Ordinal);
        if (peers.Count == 0) return heard;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Receive(HeartbeatReport r, string _)
        {
            lock (heard)
            {
                if (!peers.Contains(r.Node) || (heard.TryGetValue(r.Node, out var old) && old.Incarnation == r.Incarnation && old.Seq >= r.Seq)) return;
                heard[r.Node] = r;
                if (heard.Count == peers.Count) all.TrySetResult();
            }
        }
        var hb = config.Cluster.Heartbeat;
        var wait = Math.Min(2L * hb.IntervalMs + 100, hb.TimeoutMs / 2);
        using (var listener = new HeartbeatTransport(config, Self, _o.Key, Alerts, Receive))
        {
            listener.Start();
            await Task.WhenAny(all.Task, Task.Delay(TimeSpan.FromMilliseconds(wait), ct));
        }
        ct.ThrowIfCancellationRequested();
        lock (heard) return new Dictionary<string, HeartbeatReport>(heard, StringComparer.Ordinal);
    }
}
