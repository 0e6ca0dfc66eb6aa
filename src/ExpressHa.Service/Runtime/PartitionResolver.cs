using ExpressHa.Config;
using ExpressHa.Service.Membership;
using ExpressHa.Service.Partition;
using ExpressHa.Service.Security;

namespace ExpressHa.Service.Runtime;

/// <summary>Partition resolution (ping, tcp, the http witness, majority) after a peer is lost, and the witness as a
/// heartbeat path: this node posts whom it sees every interval, and counts the peers the witness saw recently as alive
/// on the "witness" path.</summary>
public sealed class PartitionResolver(string self, ClusterKey key, MembershipState members, PeerProofs proofs, NodeClock clock)
{
    WitnessClient? _witness;
    volatile bool _lastWitnessReachable;
    /// <summary>The witness's ages of every node in its answer to this node's last partition resolution post.</summary>
    volatile IReadOnlyDictionary<string, long> _lastWitnessAges = new Dictionary<string, long>();

    WitnessClient Witness(ClusterConfig c)
        => _witness ??= new WitnessClient(c.Cluster.PartitionResolution.Http!.Url, c.Cluster.Name, self, key);

    /// <summary>Whether the witness answered this node's last resolution post.</summary>
    public bool LastWitnessReachable => _lastWitnessReachable;

    /// <summary>How long ago the witness last heard the node, per its answer to the last resolution post.</summary>
    public long? WitnessSilenceOf(string node) => _lastWitnessAges.TryGetValue(node, out var age) ? age : null;

    public async Task<PartitionVerdict> ResolveAsync(ClusterConfig c)
    {
        var pr = c.Cluster.PartitionResolution;
        var visible = SidePeers.Select(members.Sightings(clock.NowMs), c.Cluster.Heartbeat.TimeoutMs);
        var ping = pr.Ping != null ? new PingCheck().CheckAsync(pr.Ping) : Task.FromResult<CheckResult>(null!);
        var tcp = pr.Tcp != null ? TcpCheck.CheckAsync(pr.Tcp) : Task.FromResult<CheckResult>(null!);
        var witness = pr.Http != null ? Witness(c).PostAsync(visible, pr.Http.TimeoutMs) : Task.FromResult<WitnessResult>(null!);
        await Task.WhenAll(ping, tcp, witness);
        _lastWitnessReachable = pr.Http != null && witness.Result.Reachable;
        if (_lastWitnessReachable) _lastWitnessAges = witness.Result.AgesMs;
        return PartitionDecision.Decide(new PartitionInputs
        {
            Settings = pr,
            Self = self,
            Nodes = c.Nodes,
            VisiblePeers = visible,
            Ping = pr.Ping != null ? ping.Result : null,
            Tcp = pr.Tcp != null ? tcp.Result : null,
            Witness = pr.Http != null ? witness.Result : null,
            WitnessSeenWithinMs = c.Cluster.Heartbeat.TimeoutMs,
        });
    }

    /// <summary>Posts to the witness every interval while it serves as a heartbeat path; the changes its answers make
    /// to membership go to <paramref name="handle"/>.</summary>
    public async Task WitnessLoop(Func<ClusterConfig> config, Action<List<MembershipChange>> handle, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var c = config();
            var http = c.Cluster.PartitionResolution.Http;
            try { await Task.Delay(c.Cluster.Heartbeat.IntervalMs, ct); } catch (OperationCanceledException) { return; }
            if (http == null || !http.Heartbeat) continue;
            var visible = members.OnlinePeers();
            var sentAt = clock.NowMs;
            var result = await Witness(c).PostAsync(visible, http.TimeoutMs, ct);
            if (!result.Reachable) continue;
            proofs.Vouched(result.Sees.Where(kv => kv.Key != self && kv.Value.Contains(self)).Select(kv => kv.Key), sentAt);
            handle(members.Witnessed(result.AgesMs, clock.NowMs));
        }
    }
}
