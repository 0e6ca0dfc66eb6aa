using ExpressHa.Api;
using ExpressHa.Config;
using ExpressHa.Policy;
using ExpressHa.Service.Alerts;
using ExpressHa.Service.Heartbeat;
using ExpressHa.Service.Mirror;
using ExpressHa.Service.Resources;
using ExpressHa.Service.Security;

namespace ExpressHa.Service.Runtime;

/// <summary>What a previous run of this node's service left, handled before the first heartbeat: adopted as it runs
/// (<see cref="LeftoverDecision"/>) or stopped (<see cref="Leftovers"/>, the NodeStopping plan).</summary>
public sealed class LeftoverHandler(ConfigStore config, string self, string stateDir, ClusterKey key, LocalState local, ResourceDriverRegistry drivers,
    IMirrorRegistry mirrors, NodeStopper stopper, IAlertSink alerts)
{
    /// <summary>Before the first heartbeat: probes every resource this node may run; a group the previous run held
    /// online whose every resource is still active here is adopted when the peers' first heartbeats show none of them
    /// took it over (<see cref="LeftoverDecision"/>); what else the previous run left is stopped (see <see cref="Leftovers"/>).</summary>
    /// <returns>The previous incarnation whose groups this run adopted (sent in every heartbeat); null when none.</returns>
    public async Task<long?> ReleaseAsync(CancellationToken ct)
    {
        var probes = await ProbeResourcesAsync(ct);
        var records = OwnershipJournal.LastRecords(stateDir);
        var (adopted, resumedFrom) = await AdoptAsync(probes, records, ct);
        var probed = probes.Where(p => !adopted.Contains(p.Key))
            .Select(p => (p.Key, Active: (IReadOnlyCollection<string>)p.Value.Where(r => r.Value == ResourceProbe.Active).Select(r => r.Key).ToList()))
            .Where(p => p.Active.Count > 0)
            .ToDictionary(p => p.Key, p => p.Active, StringComparer.Ordinal);
        var state = Leftovers.StateOf(config.Current, self, records.Where(r => !adopted.Contains(r.Group)), probed);
        var plan = stopper.Decide(state, NodeStopCause.Restarted);
        if (plan.IsEmpty) return resumedFrom;
        alerts.Raise(AlertEvents.Pm.LeftoverFound, plan.Reason);
        foreach (var (name, st) in state.Groups)
            local.Update(name, g =>
            {
                g.State = st.State;
                g.Generation = st.Generation;
                g.Owner = self;
                foreach (var r in st.Resources.Keys) g.Resources[r] = ResourceState.Online;
            });
        await stopper.RunAsync(plan, goOn: false, outcome => alerts.Raise(AlertEvents.Pm.LeftoverStopFailed,
            $"Stopping what the previous run of {self} left failed ({outcome.Message}); the group is left with a failed stop here and is not started elsewhere until {self} is fenced or the resource is stopped by hand."), ct);
        return resumedFrom;
    }

    /// <summary>The groups this run resumes as they are. Only a group whose journal says online here with every
    /// resource probed active is a candidate; for those, the service listens (without sending) for the peers' first
    /// heartbeats and lets <see cref="LeftoverDecision"/> judge each group. Every peer that answered must echo the same
    /// previous incarnation, which then goes out as <see cref="HeartbeatReport.ResumedFrom"/> so the peers take this run
    /// as its continuation.</summary>
    async Task<(HashSet<string> Adopted, long? ResumedFrom)> AdoptAsync(Dictionary<string, Dictionary<string, ResourceProbe>> probes, IReadOnlyList<OwnershipRecord> records, CancellationToken ct)
    {
        var adopted = new HashSet<string>(StringComparer.Ordinal);
        var c = config.Current;
        var candidates = new List<(GroupConfig Group, LeftoverJournal Journal)>();
        foreach (var r in records)
        {
            if (c.FindGroup(r.Group) is not { } g || r.Owner != self || !Enum.TryParse<GroupState>(r.State, ignoreCase: true, out var st) || st != GroupState.Online) continue;
            if (!probes.TryGetValue(g.Name, out var p) || g.Resources.Count == 0 || g.Resources.Any(x => p.GetValueOrDefault(x.Name) != ResourceProbe.Active)) continue;
            candidates.Add((g, new LeftoverJournal(st, r.Owner, r.Generation)));
        }
        if (candidates.Count == 0) return (adopted, null);

        var heard = await ListenForPeersAsync(c, candidates.SelectMany(x => x.Group.Servers).Where(s => s != self).ToHashSet(StringComparer.Ordinal), ct);
        var echoes = heard.Values.Where(r => r.Heard.ContainsKey(self)).Select(r => r.Heard[self].Incarnation).Distinct().ToList();
        foreach (var (group, journal) in candidates)
        {
            var peers = group.Servers.Where(s => s != self).Select(s => PeerView(s, group.Name, heard.GetValueOrDefault(s))).ToList();
            var verdict = LeftoverDecision.Decide(new LeftoverInputs
            {
                Self = self, Group = group.Name, Journal = journal, Peers = peers,
                Probes = probes[group.Name],
            });
            if (verdict.Choice == LeftoverChoice.Adopt && echoes.Count > 1)
                verdict = new LeftoverVerdict(LeftoverChoice.Stop, $"what is left of group {group.Name} on {self} stops before it joins: the peers echo different previous runs of {self}");
            if (verdict.Choice != LeftoverChoice.Adopt)
            {
                alerts.Log("pm", verdict.Reason);
                continue;
            }
            adopted.Add(group.Name);
            local.Update(group.Name, g =>
            {
                g.State = GroupState.Online;
                g.Generation = journal.Generation;
                g.Owner = self;
                foreach (var r in group.Resources) g.Resources[r.Name] = ResourceState.Online;
            });
            alerts.Raise(AlertEvents.Pm.LeftoverAdopted, $"The previous run of the cluster service on {self} left group {group.Name} running and no other server took it over: it {verdict.Reason[(verdict.Reason.IndexOf(" resumes ", StringComparison.Ordinal) + 1)..]}.");
        }
        return (adopted, adopted.Count > 0 && echoes.Count == 1 ? echoes[0] : null);
    }

    LeftoverPeer PeerView(string node, string group, HeartbeatReport? report)
    {
        if (report == null) return new LeftoverPeer(node, PeerSight.Silent);
        var sight = report.Heard.ContainsKey(self) ? PeerSight.CountsPreviousRunOnline : PeerSight.DeclaredLost;
        var g = report.Groups.FirstOrDefault(x => x.Name == group);
        var state = g != null && Enum.TryParse<GroupState>(g.State, ignoreCase: true, out var s) ? s : GroupState.Offline;
        return new LeftoverPeer(node, sight, state, g?.Owner, g?.Generation ?? 0, report.JournalGenerations.GetValueOrDefault(group));
    }

    /// <summary>Asks each driver whether its resource is active here (Pacemaker's probe), for every group whose servers
    /// include this node; returns group → resource → what its probe found (a driver that throws: unknown).</summary>
    async Task<Dictionary<string, Dictionary<string, ResourceProbe>>> ProbeResourcesAsync(CancellationToken ct)
    {
        var found = new Dictionary<string, Dictionary<string, ResourceProbe>>(StringComparer.Ordinal);
        var c = config.Current;
        var node = c.FindNode(self)!;
        foreach (var g in c.Groups.Where(g => g.Servers.Contains(self)))
        {
            var results = new Dictionary<string, ResourceProbe>(StringComparer.Ordinal);
            foreach (var r in g.Resources)
            {
                ResourceProbe result = ResourceProbe.Unknown;
                if (drivers.Find(r.Type) is { } driver)
                {
                    var context = new ResourceContext { Config = c, Group = g, Resource = r, Node = node, StateDir = stateDir, Alerts = alerts, Mirrors = mirrors };
                    try { result = await driver.ProbeAsync(context, ct); }
                    catch (Exception ex) when (ex is not OperationCanceledException) { result = ResourceProbe.Unknown; }
                }
                results[r.Name] = result;
            }
            found[g.Name] = results;
            var active = results.Where(x => x.Value == ResourceProbe.Active).Select(x => x.Key).ToList();
            if (active.Count > 0)
                alerts.Raise(AlertEvents.Pm.ActiveBeforeJoin, $"Probe on {self}: {string.Join(", ", active)} of group {g.Name} already active here before the service joined.");
        }
        return found;
    }

    /// <summary>Listens on the heartbeat paths without sending, until every node in <paramref name="peers"/> reported or
    /// two heartbeat intervals (at most half the timeout) passed; returns each peer's newest report.</summary>
    async Task<Dictionary<string, HeartbeatReport>> ListenForPeersAsync(ClusterConfig cluster, HashSet<string> peers, CancellationToken ct)
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
        var hb = cluster.Cluster.Heartbeat;
        var wait = Math.Min(2L * hb.IntervalMs + 100, hb.TimeoutMs / 2);
        using (var listener = new HeartbeatTransport(cluster, self, key, alerts, Receive))
        {
            listener.Start();
            await Task.WhenAny(all.Task, Task.Delay(TimeSpan.FromMilliseconds(wait), ct));
        }
        ct.ThrowIfCancellationRequested();
        lock (heard) return new Dictionary<string, HeartbeatReport>(heard, StringComparer.Ordinal);
    }
}
