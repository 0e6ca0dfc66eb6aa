using ExpressHa.Api;
using ExpressHa.Client;
using ExpressHa.Config;
using ExpressHa.Service.Api;
using ExpressHa.Service.Mirror;
using ExpressHa.Policy;
using ExpressHa.Service.Runtime;
using ExpressHa.Service.Tests.Resources;
using ExpressHa.Yaml;

namespace ExpressHa.Service.Tests.Mirror;

/// <summary>Two nodes with mirror md1 of group failover1 (primary on server1), each with its own MirrorOperations,
/// job table and fake engine; nodes reach each other in process. Commands are recorded, not run; one containing
/// "fail" fails. A node in <see cref="Down"/> does not answer.</summary>
public sealed class MirrorHarness
{
    public const string Yaml = """
        apiVersion: expressha/v1
        cluster:
          name: mirrors
          interconnects:
          - {name: lan1, role: heartbeat}
        nodes:
        - {name: server1, addresses: {lan1: 127.0.0.1}, priority: 0}
        - {name: server2, addresses: {lan1: 127.0.0.2}, priority: 1}
        groups:
        - name: failover1
          servers: [server1, server2]
          resources:
          - name: md1
            type: mirror
            dataPath: {server1: /var/lib/md1.img, server2: /var/lib/md1.img}
            metaPath: {server1: /var/lib/md1.meta, server2: /var/lib/md1.meta}
            sizeMiB: 4
            mirrorAddress: {server1: 127.0.0.1, server2: 127.0.0.2}
        """;

    public ClusterConfig Config { get; } = ConfigYamlReader.Read(Yaml).Config;
    public ClusterState State { get; } = new();
    public EventLog Log { get; } = new();
    public RecordingAlerts Alerts { get; } = new();
    public HashSet<string> Down { get; } = new();
    public Dictionary<string, FakeMirrorEngine> Engines { get; } = new();
    public Dictionary<string, JobTable> Jobs { get; } = new();
    public Dictionary<string, LocalMirrorNode> Locals { get; } = new();
    public Dictionary<string, MirrorOperations> Ops { get; } = new();

    public MirrorHarness(Func<string, string, IMirrorNode>? peer = null)
    {
        State.Groups["failover1"] = new GroupStatus { State = GroupState.Online, Owner = "server1" };
        foreach (var node in new[] { "server1", "server2" })
        {
            var registry = new MirrorRegistry();
            var engine = new FakeMirrorEngine("md1", node, node == "server1" ? "Primary" : "Secondary", Log);
            registry.Add(engine);
            Engines[node] = engine;
            Jobs[node] = new JobTable();
            Locals[node] = new LocalMirrorNode(node, registry, Jobs[node], Alerts, CancellationToken.None)
            {
                RunCommand = (command, timeout, onLine, ct) =>
                {
                    Log.Add($"cmd({command})@{node}");
                    onLine("output of " + command);
                    return Task.FromResult(command.Contains("fail")
                        ? OperationResult.Failure(ErrorCodes.MirrorCommandFailed, $"'{command}' exited with 1")
                        : OperationResult.Success("ok"));
                },
            };
            var self = node;
            Ops[node] = new MirrorOperations(node, Locals[node], p => Down.Contains(p) ? new DownNode(p) : peer?.Invoke(self, p) ?? Locals[p],
                () => Config, () => State, Alerts, Jobs[node], CancellationToken.None) { PollInterval = TimeSpan.FromMilliseconds(10) };
        }
    }

    public void GroupOffline() => State.Groups["failover1"] = new GroupStatus { State = GroupState.Offline };

    /// <summary>Waits for a job of a node to finish and returns its final status.</summary>
    public async Task<JobStatus> Finished(string node, JobStart start)
    {
        Assert.True(start.Job != null, "no job started: " + start.Refusal?.Code + " " + start.Refusal?.Message);
        await Jobs[node].Find(start.Job!.Id)!.Completion.WaitAsync(TimeSpan.FromSeconds(20));
        return Jobs[node].Get(start.Job.Id)!;
    }

    sealed class DownNode(string node) : IMirrorNode
    {
        static HaApiException Unreachable(string n) => new(0, ErrorCodes.ConnectionFailed, $"cannot reach {n}");
        static Task<OperationResult> Failed(string n) => Task.FromResult(OperationResult.Failure(ErrorCodes.PeerUnreachable, $"cannot reach {n}"));
        public Task<IReadOnlyList<MirrorStatus>> GetMirrorsAsync(CancellationToken ct) => throw Unreachable(node);
        public Task<OperationResult> SuspendAsync(string mirror, CancellationToken ct) => Failed(node);
        public Task<OperationResult> ResumeAsync(string mirror, CancellationToken ct) => Failed(node);
        public Task<OperationResult> RepairAsync(string mirror, string source, CancellationToken ct) => Failed(node);
        public Task<OperationResult> OutdateAsync(string mirror, CancellationToken ct) => Failed(node);
        public Task<OperationResult> RunCommandAsync(string mirror, string command, int timeoutSeconds, CancellationToken ct) => Failed(node);
        public Task<JobStart> StartCopyOutAsync(string mirror, string path, CancellationToken ct) => Task.FromResult(JobStart.Refused(ErrorCodes.PeerUnreachable, "down"));
        public Task<JobStart> StartRestoreAsync(string mirror, string path, CancellationToken ct) => Task.FromResult(JobStart.Refused(ErrorCodes.PeerUnreachable, "down"));
        public Task<JobStatus?> GetJobAsync(string id, CancellationToken ct) => throw Unreachable(node);
    }
}
