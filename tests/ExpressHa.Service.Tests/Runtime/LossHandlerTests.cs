using System.Diagnostics;
using ExpressHa.Api;
using ExpressHa.Service.Alerts;
using ExpressHa.Service.Fencing;
using ExpressHa.Service.Heartbeat;
using ExpressHa.Service.Mirror;
using ExpressHa.Service.Runtime;
using ExpressHa.Service.Security;
using ExpressHa.Service.Tests.Resources;

namespace ExpressHa.Service.Tests.Runtime;

/// <summary>LossHandler with its real collaborators on one node (no heartbeats, no API): what it raises when the fencing
/// of a node that restarted within the heartbeat timeout fails.</summary>
public sealed class LossHandlerTests : IDisposable
{
    const string Yaml = """
        apiVersion: expressha/v1
        cluster:
          name: c1
          interconnects:
          - {name: lan1, role: heartbeat}
          heartbeat: {intervalMs: 100, timeoutMs: 1000}
          fencing:
            levels:
            - {type: script, command: /bin/true}
        nodes:
        - {name: server1, addresses: {lan1: 127.0.0.1}, priority: 0}
        - {name: server2, addresses: {lan1: 127.0.0.2}, priority: 1}
        groups:
        - name: failover1
          servers: [server1, server2]
          resources:
          - {name: app, type: exec, start: /bin/true, stop: /bin/true}
        """;

    readonly string _dir = Directory.CreateTempSubdirectory("losshandler-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Fails every alert of the fence module, as a full alert log would: the fencing itself then throws.</summary>
    sealed class FailingFenceAlerts : IAlertSink
    {
        public void Alert(string level, string module, int eventId, string message)
        {
            if (module == AlertEvents.Fence.Module) throw new IOException("no space left on device");
        }

        public void Log(string module, string message) { }
    }

    [Fact]
    public async Task A_restarted_node_whose_fencing_fails_raises_np_10_not_the_loss_handling_failure()
    {
        var file = Path.Combine(_dir, "cluster.yaml");
        File.WriteAllText(file, Yaml);
        var store = new ConfigStore(Path.Combine(_dir, "state"));
        store.Load(file);
        const string self = "server1";
        var alerts = new RecordingAlerts();
        var clock = new NodeClock();
        var life = new ServiceLifecycle();
        var members = new MembershipState(store.Current, self);
        var proofs = new PeerProofs();
        var reports = new HeartbeatReports(store, self, new LocalState(), life, members, proofs, clock, new Dictionary<string, long>());
        var view = new NodeView(store, self, life, members, reports, clock);
        var key = ClusterKey.FromBytes(new byte[32]);
        var peers = new PeerClients(store, members, key, "token");
        var loss = new LossHandler(store, self, members, life, proofs, new Fencer(new FailingFenceAlerts(), []),
            new PartitionResolver(self, key, members, proofs, clock), view, new WorkQueue(),
            new MirrorHost(store, self, key, new MirrorRegistry(), peers, alerts), alerts, clock, () => { });

        // server2 ran failover1 when it restarted: what its old service started may still run, so it is fenced first.
        members.Receive(new HeartbeatReport
        {
            Cluster = "c1", Node = "server2", Incarnation = 7, Seq = 1, SentAtMs = 1,
            Groups = [new GroupReport { Name = "failover1", State = GroupStates.Online, Generation = 1 }],
        }, "lan1", clock.NowMs);
        Assert.True(view.IsCoordinator);

        loss.HandleRestart("server2");

        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(10) && !alerts.Alerts.Any(a => a.Module == AlertEvents.Np.Module)) await Task.Delay(20);
        var np = alerts.Alerts.Where(a => a.Module == AlertEvents.Np.Module).ToList();
        var raised = Assert.Single(np);
        Assert.True(AlertEvents.Np.RestartedFenceFailed.Matches(new AlertEntry { Module = raised.Module, EventId = raised.EventId }), $"np {raised.EventId}: {raised.Message}");
        Assert.Equal(10, raised.EventId);
        Assert.Equal(AlertEvents.Np.RestartedFenceFailed.Level, raised.Level);
        Assert.Contains("Fencing the restarted server2 failed: no space left on device", raised.Message);
        Assert.Contains(alerts.Alerts, a => a.Module == AlertEvents.Nm.Module && a.EventId == AlertEvents.Nm.NodeRestarted.Id);
        Assert.NotEqual(LostNodeStatus.Down, members.LostNode("server2", 7));
    }
}
