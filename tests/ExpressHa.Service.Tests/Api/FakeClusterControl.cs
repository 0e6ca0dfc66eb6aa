using System.Collections.Concurrent;
using ExpressHa.Api;
using ExpressHa.Config;
using ExpressHa.Diff;
using ExpressHa.Service.Api;
using ExpressHa.Policy;
using ExpressHa.Validation;
using ExpressHa.Yaml;

namespace ExpressHa.Service.Tests.Api;

/// <summary>A unit-level stand-in for the node: a two-node cluster with two groups, that records every call. Group
/// moves take <see cref="TransitionMs"/> to finish, so callers that wait see the intermediate states.
/// Also linked into the cmdlet tests.</summary>
public sealed partial class FakeClusterControl : IClusterControl, IRunningConfigSource, IClusterEventSource
{
    /// <summary>The event stream's notices; a test raises them as the node would.</summary>
    public ClusterEvents Events { get; } = new();

    readonly object _gate = new();
    readonly Dictionary<string, (string State, string? Owner, string? Target, DateTime Until)> _groups = new(StringComparer.Ordinal)
    {
        ["failover1"] = ("online", "server1", null, DateTime.MinValue),
        ["failover2"] = ("offline", null, null, DateTime.MinValue),
    };

    public ConcurrentQueue<string> Calls { get; } = new();
    public ConcurrentQueue<PlanAction> Actions { get; } = new();
    public AlertQuery? LastAlertQuery { get; private set; }
    public int TransitionMs { get; set; } = 600;
    public ClusterConfig Running { get; set; } = DefaultConfig();
    public long Generation { get; set; } = 1;
    /// <summary>When set, the status lists failover1's mirror md1 as a resource, as a node whose config has mirrors does.</summary>
    public bool ReportMirrorResource { get; set; }
    /// <summary>When set, the next non-dry push is refused by this node with this reason.</summary>
    public string? RefusePushWith { get; set; }

    public static ClusterConfig DefaultConfig() => ConfigYamlReader.Read(DefaultYaml).Config;

    public const string DefaultYaml = """
        apiVersion: expressha/v1
        cluster:
          name: fake
          interconnects:
          - {name: lan1, role: heartbeat}
        nodes:
        - {name: server1, addresses: {lan1: 127.0.0.1}, priority: 0}
        - {name: server2, addresses: {lan1: 127.0.0.2}, priority: 1}
        groups:
        - name: failover1
          servers: [server1, server2]
          resources:
          - {name: app, type: exec, start: /bin/true, stop: /bin/true}
        - name: failover2
          startup: manual
          servers: [server2, server1]
          resources:
          - {name: web, type: exec, start: /bin/true, stop: /bin/true}
        monitors:
        - {name: userw, type: userw, intervalSeconds: 10, timeoutSeconds: 30}
        """;

    public ClusterStatus GetStatus()
    {
        Calls.Enqueue("status");
        lock (_gate)
        {
            var s = new ClusterStatus { ClusterName = "fake", ReportingNode = "server1", Coordinator = "server1", ConfigGeneration = Generation };
            s.Nodes.Add(new NodeStatusInfo { Name = "server1", State = "online", Priority = 0,
                Paths = { new PathStatusInfo { Interconnect = "lan1", Address = "127.0.0.1", State = "self" } } });
            s.Nodes.Add(new NodeStatusInfo { Name = "server2", State = "online", Priority = 1,
                Paths = { new PathStatusInfo { Interconnect = "lan1", Address = "127.0.0.2", State = "up", LastSeenMs = 412 } } });
            foreach (var name in _groups.Keys.ToList())
            {
                var g = _groups[name];
                if (g.Target == "" && DateTime.UtcNow >= g.Until) _groups[name] = g = ("offline", null, null, DateTime.MinValue);
                else if (g.Target != null && DateTime.UtcNow >= g.Until) _groups[name] = g = ("online", g.Target, null, DateTime.MinValue);
                var resource = name == "failover1" ? "app" : "web";
                s.Groups.Add(new GroupStatusInfo { Name = name, State = g.State, Owner = g.Owner, Generation = 3,
                    Resources = { new ResourceStatusInfo { Name = resource, Type = "exec", State = g.State == "online" ? "online" : "offline" } } });
                if (ReportMirrorResource && name == "failover1")
                    s.Groups[^1].Resources.Add(new ResourceStatusInfo { Name = "md1", Type = "mirror", State = g.State == "online" ? "online" : "offline" });
            }
            s.Monitors.Add(new MonitorStatusInfo { Name = "userw", Type = "userw", State = "normal", Node = "server1" });
            return s;
        }
    }

    public IReadOnlyList<AlertEntry> GetAlerts(AlertQuery query)
    {
        Calls.Enqueue("alerts");
        LastAlertQuery = query;
        var all = new List<AlertEntry>
        {
            new() { Time = "2025-01-01T00:00:00.000Z", Node = "server1", Level = "info", Module = "pm", EventId = 1, Message = "Cluster service started." },
            new() { Time = "2025-01-01T00:00:05.000Z", Node = "server1", Level = "error", Module = "rc", EventId = 30, Message = "Activating app resource has failed.(1 : exit code 1)" },
            new() { Time = "2025-01-01T00:00:09.000Z", Node = "server2", Level = "warning", Module = "nm", EventId = 102, Message = "Heartbeat path lan1 to server1 is down." },
        };
        var rank = new Dictionary<string, int> { ["info"] = 0, ["warning"] = 1, ["error"] = 2 };
        IEnumerable<AlertEntry> q = all;
        if (query.MinLevel != null) q = q.Where(a => rank[a.Level] >= rank[query.MinLevel]);
        if (query.Module != null) q = q.Where(a => a.Module == query.Module);
        if (query.Since != null) q = q.Where(a => DateTimeOffset.Parse(a.Time) >= query.Since);
        var list = q.ToList();
        if (query.Last != null) list = list.Skip(Math.Max(0, list.Count - query.Last.Value)).ToList();
        return list;
    }

    OperationResult? CheckGroup(string group)
    {
        if (group == "boom") throw new InvalidOperationException("secret internal detail /etc/expressha/api.token");
        lock (_gate) return _groups.ContainsKey(group) ? null : OperationResult.Failure("ExpressHa.GroupNotFound", $"Group '{group}' does not exist in cluster 'fake'.");
    }

    static OperationResult? CheckNode(string? node)
        => node == null || node is "server1" or "server2" ? null : OperationResult.Failure("ExpressHa.NodeNotFound", $"Node '{node}' does not exist in cluster 'fake'.");

    public Task<OperationResult> StartGroupAsync(string group, string? node, CancellationToken ct)
    {
        Calls.Enqueue($"start {group} {node}".TrimEnd());
        var bad = CheckGroup(group) ?? CheckNode(node);
        if (bad != null) return Task.FromResult(bad);
        lock (_gate)
        {
            var g = _groups[group];
            if (g.State == "online") return Task.FromResult(OperationResult.Failure("ExpressHa.GroupAlreadyOnline", $"Group '{group}' is already online on {g.Owner}."));
            var target = node ?? (group == "failover1" ? "server1" : "server2");
            _groups[group] = ("starting", target, target, DateTime.UtcNow.AddMilliseconds(TransitionMs));
        }
        return Task.FromResult(OperationResult.Success($"Starting {group}."));
    }

    public Task<OperationResult> StopGroupAsync(string group, CancellationToken ct)
    {
        Calls.Enqueue($"stop {group}");
        var bad = CheckGroup(group);
        if (bad != null) return Task.FromResult(bad);
        lock (_gate)
        {
            var g = _groups[group];
            _groups[group] = ("stopping", g.Owner, "", DateTime.UtcNow.AddMilliseconds(TransitionMs));
        }
        return Task.FromResult(OperationResult.Success($"Stopping {group}."));
    }

    public Task<OperationResult> MoveGroupAsync(string group, string? node, CancellationToken ct)
    {
        Calls.Enqueue($"move {group} {node}".TrimEnd());
        var bad = CheckGroup(group) ?? CheckNode(node);
        if (bad != null) return Task.FromResult(bad);
        lock (_gate)
        {
            var g = _groups[group];
            if (g.State != "online") return Task.FromResult(OperationResult.Failure("ExpressHa.GroupNotOnline", $"Group '{group}' is {g.State}; start it instead."));
            var target = node ?? (g.Owner == "server1" ? "server2" : "server1");
            if (target == g.Owner) return Task.FromResult(OperationResult.Failure("ExpressHa.AlreadyThere", $"Group '{group}' already runs on {target}."));
            _groups[group] = ("stopping", g.Owner, target, DateTime.UtcNow.AddMilliseconds(TransitionMs));
        }
        return Task.FromResult(OperationResult.Success($"Moving {group}."));
    }

    public Task<OperationResult> SuspendNodeAsync(string node, CancellationToken ct) => Simple($"suspend-node {node}", CheckNode(node));
    public Task<OperationResult> ResumeNodeAsync(string node, CancellationToken ct) => Simple($"resume-node {node}", CheckNode(node));
    public Task<OperationResult> SuspendMonitorAsync(string monitor, CancellationToken ct) => Simple($"suspend-monitor {monitor}", CheckMonitor(monitor));
    public Task<OperationResult> ResumeMonitorAsync(string monitor, CancellationToken ct) => Simple($"resume-monitor {monitor}", CheckMonitor(monitor));
    public Task<OperationResult> PseudoFailMonitorAsync(string monitor, string? node, bool failing, CancellationToken ct)
        => Simple($"{(failing ? "fail" : "clear")}-monitor {monitor} {node}".TrimEnd(), CheckMonitor(monitor) ?? CheckNode(node));
    public Task<OperationResult> StopNodeAsync(string node, CancellationToken ct) => Simple($"stop-node {node}", CheckNode(node));
    public Task<OperationResult> StartNodeAsync(string node, CancellationToken ct) => Simple($"start-node {node}", CheckNode(node));
    public Task<OperationResult> KillNodeAsync(string node, CancellationToken ct) => Simple($"kill-node {node}", CheckNode(node));
    public Task<OperationResult> StartClusterAsync(CancellationToken ct) => Simple("start-cluster", null);
    public Task<OperationResult> StopClusterAsync(CancellationToken ct) => Simple("stop-cluster", null);

    static OperationResult? CheckMonitor(string m)
        => m == "userw" ? null : OperationResult.Failure("ExpressHa.MonitorNotFound", $"Monitor '{m}' does not exist in cluster 'fake'.");

    Task<OperationResult> Simple(string call, OperationResult? bad)
    {
        Calls.Enqueue(call);
        return Task.FromResult(bad ?? OperationResult.Success(call + " done"));
    }

    public Task<ConfigPushResult> PushConfigAsync(string yaml, bool dryRun, CancellationToken ct)
    {
        Calls.Enqueue(dryRun ? "push-dry" : "push");
        var result = new ConfigPushResult { DryRun = dryRun, Generation = Generation };
        ClusterConfig pushed;
        try
        {
            var read = ConfigYamlReader.Read(yaml);
            var findings = ConfigValidator.Validate(read).Where(f => f.IsError).ToList();
            result.Errors.AddRange(findings.Select(f => f.ToString()));
            pushed = read.Config;
        }
        catch (ConfigParseException ex)
        {
            result.Errors.Add(ex.Message);
            return Task.FromResult(result);
        }
        result.Diff = ConfigDiffer.Diff(Running, pushed);
        if (dryRun || result.Errors.Count > 0) return Task.FromResult(result);
        if (RefusePushWith != null)
        {
            result.Refusals.Add(new NodeRefusal { Node = "server2", Reasons = { RefusePushWith } });
            return Task.FromResult(result);
        }
        Running = pushed;
        result.Applied = true;
        result.Generation = ++Generation;
        return Task.FromResult(result);
    }

    public Task<NodeRefusal?> PrepareConfigAsync(string yaml, long generation, CancellationToken ct)
    {
        Calls.Enqueue($"prepare {generation}");
        return Task.FromResult(generation <= Generation ? new NodeRefusal { Node = "server1", Reasons = { $"generation {generation} is not newer than {Generation}" } } : null);
    }

    public Task<OperationResult> FinishConfigAsync(long generation, bool commit, CancellationToken ct)
    {
        Calls.Enqueue($"finish {generation} {(commit ? "commit" : "abort")}");
        return Task.FromResult(OperationResult.Success("finished"));
    }

    public Task<OperationResult> RunActionsAsync(IReadOnlyList<PlanAction> actions, CancellationToken ct)
    {
        Calls.Enqueue($"actions {actions.Count}");
        foreach (var a in actions) Actions.Enqueue(a);
        return Task.FromResult(OperationResult.Success($"{actions.Count} step(s) done"));
    }

    public RunningConfig GetRunningConfig() => new(ConfigYamlWriter.Write(Running), Generation);
}
