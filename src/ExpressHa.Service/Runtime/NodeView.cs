using ExpressHa.Api;
using ExpressHa.Policy;

namespace ExpressHa.Service.Runtime;

/// <summary>This node's view of the cluster, built on demand from its own report and a snapshot of its peers': the
/// policy engine's state, the coordinator, the next ownership generation, the API's status (all <see cref="ClusterView"/>).</summary>
public sealed class NodeView(ConfigStore config, string self, ServiceLifecycle life, MembershipState members, HeartbeatReports reports, NodeClock clock)
{
    /// <summary>This node's report first, then the peers' (the lock rule of <see cref="MembershipState"/>).</summary>
    public ClusterView.Inputs Inputs(bool withPathAges = false)
    {
        var own = reports.Self();
        var peers = members.Snapshot(clock.NowMs, withPathAges);
        return new ClusterView.Inputs(config.Current, self, life.State == ServiceState.Suspended ? NodeState.Suspended : NodeState.Online, own, peers);
    }

    public ClusterState CurrentState() => ClusterView.BuildState(Inputs());

    /// <summary>The coordinator: the most preferred node whose service runs; this node when none does.</summary>
    public string Coordinator() => ClusterView.Coordinator(Inputs());

    public bool IsCoordinator => Coordinator() == self;

    public long NextGeneration(string group) => ClusterView.NextGeneration(Inputs(), group);

    public ClusterStatus Status()
    {
        var inputs = Inputs(withPathAges: true);
        var state = ClusterView.BuildState(inputs);
        return ClusterView.BuildStatus(inputs, state, ClusterView.Coordinator(inputs), config.Generation);
    }
}
