using System.Text;
using ExpressHa.Config;
using ExpressHa.Policy;
using ExpressHa.Validation;
using ExpressHa.Yaml;
using YamlDotNet.RepresentationModel;

namespace ExpressHa.Service.Tests.Policy;

/// <summary>A golden scenario: config, cluster state and event in; the expected plan (Describe() lines) and reason out.
/// The format is YAML, described in Scenarios/README.md. Everything from the line "reason:" to the end of the file is the
/// expected section, which <see cref="RewriteExpected"/> replaces when EXPRESSHA_UPDATE_GOLDEN=1.</summary>
public sealed class ScenarioFile
{
    public required string Path { get; init; }
    public required string Title { get; init; }
    public required ClusterConfig Config { get; init; }
    public required ClusterState State { get; init; }
    public required PolicyEvent Event { get; init; }
    public string? ExpectedReason { get; init; }
    public IReadOnlyList<string>? ExpectedPlan { get; init; }

    public static string ScenarioDirectory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(System.IO.Path.Combine(dir.FullName, "ExpressHa.slnx"))) dir = dir.Parent;
        if (dir == null) throw new InvalidOperationException("ExpressHa.slnx not found above " + AppContext.BaseDirectory);
        return System.IO.Path.Combine(dir.FullName, "tests", "ExpressHa.Service.Tests", "Scenarios");
    }

    public static IEnumerable<string> All()
        => Directory.GetFiles(ScenarioDirectory(), "*.scenario").Select(System.IO.Path.GetFileName).Order(StringComparer.Ordinal)!;

    public static ScenarioFile Load(string path)
    {
        var text = File.ReadAllText(path);
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;

        var configText = Scalar(root, "config") ?? throw new FormatException($"{path}: 'config' is missing");
        var source = path;
        if (!configText.Contains('\n'))
        {
            source = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(path)!, configText.Trim());
            configText = File.ReadAllText(source);
        }
        var read = ConfigYamlReader.Read(configText, source);
        var findings = ConfigValidator.Validate(read, source).Where(f => f.IsError).ToList();
        if (findings.Count > 0) throw new FormatException($"{path}: the config is invalid:\n" + string.Join("\n", findings));
        var config = read.Config;

        var state = ReadState(config, root.Children.TryGetValue(new YamlScalarNode("state"), out var s) ? s as YamlMappingNode : null);
        var ev = ReadEvent(Map(root, "event") ?? throw new FormatException($"{path}: 'event' is missing"));
        IReadOnlyList<string>? plan = null;
        if (root.Children.TryGetValue(new YamlScalarNode("plan"), out var p))
            plan = p is YamlSequenceNode seq ? seq.Children.Select(c => ((YamlScalarNode)c).Value ?? "").ToList() : new List<string>();
        return new ScenarioFile
        {
            Path = path,
            Title = Scalar(root, "title") ?? System.IO.Path.GetFileName(path),
            Config = config,
            State = state,
            Event = ev,
            ExpectedReason = Scalar(root, "reason"),
            ExpectedPlan = plan,
        };
    }

    /// <summary>Nodes default to online, groups to offline; a resource defaults to online when its group is online, else offline.</summary>
    static ClusterState ReadState(ClusterConfig config, YamlMappingNode? map)
    {
        var state = new ClusterState();
        foreach (var n in config.Nodes) state.Nodes[n.Name] = new NodeStatus { State = NodeState.Online };
        foreach (var g in config.Groups) state.Groups[g.Name] = new GroupStatus();
        foreach (var m in config.Monitors) state.Monitors[m.Name] = new MonitorStatus();
        if (map == null) return state;

        if (Map(map, "nodes") is { } nodes)
            foreach (var (k, v) in nodes.Children)
            {
                var name = ((YamlScalarNode)k).Value!;
                var ns = state.Nodes[name] = new NodeStatus();
                if (v is YamlScalarNode sv) ns.State = Enum<NodeState>(sv.Value!);
                else
                {
                    var vm = (YamlMappingNode)v;
                    ns.State = Enum<NodeState>(Scalar(vm, "state") ?? "online");
                    ns.ConfirmedDown = Scalar(vm, "confirmedDown") == "true";
                }
            }
        if (Map(map, "groups") is { } groups)
            foreach (var (k, v) in groups.Children)
            {
                var name = ((YamlScalarNode)k).Value!;
                var vm = (YamlMappingNode)v;
                var gs = state.Groups[name] = new GroupStatus
                {
                    State = Enum<GroupState>(Scalar(vm, "state") ?? "offline"),
                    Owner = Scalar(vm, "owner"),
                    Next = Scalar(vm, "next"),
                    Failovers = int.Parse(Scalar(vm, "failovers") ?? "0"),
                    Generation = long.Parse(Scalar(vm, "generation") ?? "0"),
                };
                var resources = Map(vm, "resources");
                foreach (var r in config.FindGroup(name)?.Resources ?? new List<ResourceConfig>())
                {
                    var rs = new ResourceStatus { State = gs.State == GroupState.Online ? ResourceState.Online : ResourceState.Offline };
                    if (resources != null && resources.Children.TryGetValue(new YamlScalarNode(r.Name), out var rv))
                    {
                        if (rv is YamlScalarNode rsv) rs.State = Enum<ResourceState>(rsv.Value!);
                        else
                        {
                            var rm = (YamlMappingNode)rv;
                            if (Scalar(rm, "state") is { } rst) rs.State = Enum<ResourceState>(rst);
                            rs.StartFailures = int.Parse(Scalar(rm, "startFailures") ?? "0");
                            rs.StopFailures = int.Parse(Scalar(rm, "stopFailures") ?? "0");
                        }
                    }
                    gs.Resources[r.Name] = rs;
                }
            }
        if (Map(map, "monitors") is { } monitors)
            foreach (var (k, v) in monitors.Children)
            {
                var vm = (YamlMappingNode)v;
                state.Monitors[((YamlScalarNode)k).Value!] = new MonitorStatus
                {
                    State = Enum<MonitorState>(Scalar(vm, "state") ?? "normal"),
                    Restarts = int.Parse(Scalar(vm, "restarts") ?? "0"),
                    Failovers = int.Parse(Scalar(vm, "failovers") ?? "0"),
                };
            }
        return state;
    }

    static PolicyEvent ReadEvent(YamlMappingNode m)
    {
        string Req(string key) => Scalar(m, key) ?? throw new FormatException($"event: '{key}' is missing");
        var type = Req("type");
        return type switch
        {
            nameof(ClusterStarted) => new ClusterStarted(),
            nameof(NodeLost) => new NodeLost(Req("node")),
            nameof(NodeDownConfirmed) => new NodeDownConfirmed(Req("node")),
            nameof(NodeJoined) => new NodeJoined(Req("node")),
            nameof(NodeStopping) => new NodeStopping(Req("node"), Enum<NodeStopCause>(Scalar(m, "cause") ?? nameof(NodeStopCause.ClusterStop))),
            nameof(GroupReleased) => new GroupReleased(Req("group")),
            nameof(NodeSuspended) => new NodeSuspended(Req("node")),
            nameof(NodeResumed) => new NodeResumed(Req("node")),
            nameof(GroupStartRequested) => new GroupStartRequested(Req("group"), Scalar(m, "node")),
            nameof(GroupStopRequested) => new GroupStopRequested(Req("group")),
            nameof(GroupMoveRequested) => new GroupMoveRequested(Req("group"), Scalar(m, "node")),
            nameof(ResourceStartFailed) => new ResourceStartFailed(Req("group"), Req("resource"), Req("node"), Req("reason")),
            nameof(ResourceStopFailed) => new ResourceStopFailed(Req("group"), Req("resource"), Req("node"), Req("reason")),
            nameof(MonitorFailed) => new MonitorFailed(Req("monitor"), Req("node"), Req("reason")),
            nameof(MonitorRecovered) => new MonitorRecovered(Req("monitor"), Req("node")),
            _ => throw new FormatException($"event: unknown type '{type}'"),
        };
    }

    /// <summary>The expected section as the file holds it, for a plan.</summary>
    public static string RenderExpected(Plan plan)
    {
        var sb = new StringBuilder();
        sb.Append("reason: ").Append(Quote(plan.Reason)).Append('\n');
        if (plan.Actions.Count == 0) sb.Append("plan: []\n");
        else
        {
            sb.Append("plan:\n");
            foreach (var a in plan.Actions) sb.Append("  - ").Append(Quote(a.Describe())).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Replaces everything from the line "reason:" (or the end of the file) with the rendered plan.</summary>
    public static void RewriteExpected(string path, Plan plan)
    {
        var lines = File.ReadAllText(path).Replace("\r\n", "\n").Split('\n').ToList();
        var at = lines.FindIndex(l => l.StartsWith("reason:", StringComparison.Ordinal));
        var head = string.Join("\n", at < 0 ? lines : lines.Take(at)).TrimEnd('\n') + "\n";
        File.WriteAllText(path, head + RenderExpected(plan));
    }

    static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    static T Enum<T>(string text) where T : struct, System.Enum
        => System.Enum.TryParse<T>(text, ignoreCase: true, out var v) ? v
           : throw new FormatException($"'{text}' is not a {typeof(T).Name} ({string.Join(", ", System.Enum.GetNames<T>())})");

    static string? Scalar(YamlMappingNode m, string key)
        => m.Children.TryGetValue(new YamlScalarNode(key), out var v) && v is YamlScalarNode s ? s.Value : null;

    static YamlMappingNode? Map(YamlMappingNode m, string key)
        => m.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v as YamlMappingNode : null;
}
