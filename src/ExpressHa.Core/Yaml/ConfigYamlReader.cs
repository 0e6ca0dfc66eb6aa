using System.Collections.Generic;
using System.IO;
using System.Linq;
using ExpressHa.Config;
using ExpressHa.Schema;
using ExpressHa.Validation;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ExpressHa.Yaml
{
    /// <summary>The outcome of reading a config: the model, the structural findings (with positions) and where each path sits in the text.</summary>
    public sealed class ConfigReadResult
    {
        internal ConfigReadResult(ClusterConfig config, IReadOnlyList<ValidationFinding> findings, IReadOnlyDictionary<string, (int Line, int Column)> positions)
        {
            Config = config;
            Findings = findings;
            Positions = positions;
        }

        public ClusterConfig Config { get; }
        public IReadOnlyList<ValidationFinding> Findings { get; }
        public IReadOnlyDictionary<string, (int Line, int Column)> Positions { get; }

        /// <summary>Gives a finding the position of its path (or of its nearest parent) in the text.</summary>
        public ValidationFinding Locate(ValidationFinding f, string source)
        {
            if (f.Line.HasValue) return f;
            var path = f.Path;
            while (path.Length > 0)
            {
                if (Positions.TryGetValue(path, out var pos)) { f.Line = pos.Line; f.Column = pos.Column; f.Source = source; break; }
                var cut = System.Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
                path = cut > 0 ? path.Substring(0, cut) : "";
            }
            return f;
        }
    }

    /// <summary>Reads expressha/v1 YAML into the model. Malformed YAML throws ConfigParseException with line and column;
    /// structural problems (unknown fields, wrong shapes) become findings; value rules are the validator's.</summary>
    public static class ConfigYamlReader
    {
        static readonly string[] TopFields = { "apiVersion", "cluster", "nodes", "groups", "monitors" };
        static readonly string[] ClusterFields = { "name", "interconnects", "heartbeat", "partitionResolution", "fencing", "watchdog", "notifications", "security", "aws", "shutdownCommand", "rebootCommand" };
        static readonly string[] NodeFields = { "name", "address", "addresses", "priority", "instanceId", "availabilityZone", "heartbeatPort", "apiPort" };
        static readonly string[] GroupFields = { "name", "startup", "failback", "servers", "resources" };
        internal static readonly string[] ResourceCommonFields = { "name", "type", "dependsOn", "onActivationFailure", "onDeactivationFailure" };
        internal static readonly string[] MonitorCommonFields = { "name", "type", "target", "intervalSeconds", "timeoutSeconds", "retry", "timing", "startWaitSeconds", "onApiFailure", "recovery" };

        public static ConfigReadResult ReadFile(string path) => Read(File.ReadAllText(path), path);

        public static ConfigReadResult Read(string text, string source = "<config>")
        {
            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(text));
            }
            catch (YamlException ex)
            {
                var reason = ex.InnerException?.Message ?? ex.Message;
                var cut = reason.IndexOf("): ", System.StringComparison.Ordinal);
                if (reason.StartsWith("(Line:", System.StringComparison.Ordinal) && cut > 0) reason = reason.Substring(cut + 3);
                throw new ConfigParseException(source, (int)ex.Start.Line, (int)ex.Start.Column, reason, ex);
            }
            catch (System.Exception ex) when (ex is System.InvalidOperationException || ex is System.ArgumentException || ex is System.IndexOutOfRangeException)
            {
                // YamlDotNet fails on some malformed inputs without a position: find where its parser stops.
                var (line, column) = LastGoodPosition(text);
                throw new ConfigParseException(source, line, column, "the YAML cannot be parsed after this point (check indentation, brackets and quotes)", ex);
            }
            if (stream.Documents.Count == 0)
                throw new ConfigParseException(source, 1, 1, "the file is empty; start with 'apiVersion: expressha/v1'");
            if (stream.Documents.Count > 1)
            {
                var second = stream.Documents[1].RootNode;
                throw new ConfigParseException(source, (int)second.Start.Line, (int)second.Start.Column, "more than one YAML document; keep one cluster per file");
            }
            if (!(stream.Documents[0].RootNode is YamlMappingNode root))
            {
                var n = stream.Documents[0].RootNode;
                throw new ConfigParseException(source, (int)n.Start.Line, (int)n.Start.Column, "the document is not a map of fields; start with 'apiVersion: expressha/v1'");
            }

            var ctx = new ReadContext(source);
            var config = ReadRoot(new YamlMap(ctx, root, ""), ctx);
            return new ConfigReadResult(config, ctx.Findings, ctx.Positions);
        }

        static (int Line, int Column) LastGoodPosition(string text)
        {
            var parser = new Parser(new StringReader(text));
            var mark = (Line: 1, Column: 1);
            try
            {
                while (parser.MoveNext())
                    if (parser.Current != null) mark = ((int)parser.Current.End.Line, (int)parser.Current.End.Column);
            }
            catch (System.Exception)
            {
            }
            return mark;
        }

        static ClusterConfig ReadRoot(YamlMap m, ReadContext ctx)
        {
            var config = new ClusterConfig { ApiVersion = m.String("apiVersion") ?? "" };
            var cluster = m.Map("cluster");
            if (cluster != null) config.Cluster = ReadCluster(cluster, ctx);
            if (config.Cluster.Interconnects.Count == 0) config.Cluster.Interconnects.Add(new InterconnectConfig { Name = "lan1" });
            foreach (var (node, path) in m.Sequence("nodes"))
                if (AsMap(ctx, node, path) is YamlMap nm) config.Nodes.Add(ReadNode(nm, config.Cluster));
            foreach (var (node, path) in m.Sequence("groups"))
                if (AsMap(ctx, node, path) is YamlMap gm) config.Groups.Add(ReadGroup(gm, ctx));
            foreach (var (node, path) in m.Sequence("monitors"))
                if (AsMap(ctx, node, path) is YamlMap mm) config.Monitors.Add(ReadMonitor(mm, ctx));
            m.ReportUnknown(TopFields);
            return config;
        }

        static YamlMap? AsMap(ReadContext ctx, YamlNode node, string path)
        {
            if (node is YamlMappingNode map) return new YamlMap(ctx, map, path);
            ctx.Error(FindingCodes.InvalidValue, path, node, "expected a map of fields", "write the item as '- name: ...' with its fields indented below");
            return null;
        }

        static ClusterSettings ReadCluster(YamlMap m, ReadContext ctx)
        {
            var c = new ClusterSettings { Name = m.String("name") ?? "" };
            foreach (var (node, path) in m.Sequence("interconnects"))
            {
                if (!(AsMap(ctx, node, path) is YamlMap im)) continue;
                c.Interconnects.Add(new InterconnectConfig { Name = im.String("name") ?? "", Role = im.String("role") ?? InterconnectRoles.Heartbeat });
                im.ReportUnknown(new[] { "name", "role" });
            }
            if (m.Map("heartbeat") is YamlMap hb)
            {
                c.Heartbeat.IntervalMs = hb.Int("intervalMs") ?? HeartbeatSettings.DefaultIntervalMs;
                c.Heartbeat.TimeoutMs = hb.Int("timeoutMs") ?? HeartbeatSettings.DefaultTimeoutMs;
                c.Heartbeat.Port = hb.Int("port") ?? HeartbeatSettings.DefaultPort;
                hb.ReportUnknown(new[] { "intervalMs", "timeoutMs", "port" });
            }
            if (m.Map("partitionResolution") is YamlMap pr) c.PartitionResolution = ReadPartition(pr);
            if (m.Map("fencing") is YamlMap f) c.Fencing = ReadFencing(f, ctx);
            if (m.Map("watchdog") is YamlMap wd)
            {
                c.Watchdog = new WatchdogSettings { TimeoutMs = wd.Int("timeoutMs") ?? 0, Device = wd.String("device") ?? WatchdogSettings.DefaultDevice };
                wd.ReportUnknown(new[] { "timeoutMs", "device" });
            }
            if (m.Map("notifications") is YamlMap n)
            {
                if (n.Map("sns") is YamlMap sns)
                {
                    c.Notifications.Sns = new SnsNotification { TopicArn = sns.String("topicArn") ?? "", MinLevel = sns.String("minLevel") ?? AlertLevels.Warning };
                    sns.ReportUnknown(new[] { "topicArn", "minLevel" });
                }
                n.ReportUnknown(new[] { "sns" });
            }
            if (m.Map("security") is YamlMap s)
            {
                var d = new SecuritySettings();
                c.Security = new SecuritySettings
                {
                    KeyFile = s.String("keyFile") ?? d.KeyFile,
                    ApiTokenFile = s.String("apiTokenFile") ?? d.ApiTokenFile,
                    ReadOnlyTokenFile = s.String("readOnlyTokenFile"),
                    ApiTls = s.Bool("apiTls") ?? d.ApiTls,
                    ApiPort = s.Int("apiPort") ?? d.ApiPort,
                };
                s.ReportUnknown(new[] { "keyFile", "apiTokenFile", "readOnlyTokenFile", "apiTls", "apiPort" });
            }
            if (m.Map("aws") is YamlMap a)
            {
                c.Aws.Region = a.String("region");
                c.Aws.Profile = a.String("profile");
                c.Aws.Proxy = a.String("proxy");
                c.Aws.Endpoints = a.StringMap("endpoints");
                a.ReportUnknown(new[] { "region", "profile", "endpoints", "proxy" });
            }
            c.ShutdownCommand = m.String("shutdownCommand") ?? c.ShutdownCommand;
            c.RebootCommand = m.String("rebootCommand") ?? c.RebootCommand;
            m.ReportUnknown(ClusterFields);
            return c;
        }

        static PartitionResolutionSettings ReadPartition(YamlMap m)
        {
            var p = new PartitionResolutionSettings();
            if (m.Map("ping") is YamlMap ping)
            {
                var d = new PingResolution();
                p.Ping = new PingResolution { Targets = ping.StringList("targets"), IntervalMs = ping.Int("intervalMs") ?? d.IntervalMs, TimeoutMs = ping.Int("timeoutMs") ?? d.TimeoutMs };
                ping.ReportUnknown(new[] { "targets", "intervalMs", "timeoutMs" });
            }
            if (m.Map("http") is YamlMap http)
            {
                var d = new HttpResolution();
                p.Http = new HttpResolution { Url = http.String("url") ?? "", TimeoutMs = http.Int("timeoutMs") ?? d.TimeoutMs, Heartbeat = http.Bool("heartbeat") ?? d.Heartbeat };
                http.ReportUnknown(new[] { "url", "timeoutMs", "heartbeat" });
            }
            if (m.Map("tcp") is YamlMap tcp)
            {
                var d = new TcpResolution();
                p.Tcp = new TcpResolution { Host = tcp.String("host") ?? "", Port = tcp.Int("port") ?? d.Port, TimeoutMs = tcp.Int("timeoutMs") ?? d.TimeoutMs };
                tcp.ReportUnknown(new[] { "host", "port", "timeoutMs" });
            }
            p.Majority = m.Bool("majority") ?? false;
            p.Action = m.String("action") ?? PartitionActions.StopService;
            m.ReportUnknown(new[] { "ping", "http", "tcp", "majority", "action" });
            return p;
        }

        static FencingSettings ReadFencing(YamlMap m, ReadContext ctx)
        {
            var f = new FencingSettings();
            var type = m.String("type");
            if (type != null && type != "none") f.Levels.Add(new FencingLevel { Type = type, Command = m.String("command") });
            else m.MarkRead("command");
            foreach (var (node, path) in m.Sequence("levels"))
            {
                if (!(AsMap(ctx, node, path) is YamlMap lm)) continue;
                f.Levels.Add(new FencingLevel { Type = lm.String("type") ?? "", Command = lm.String("command") });
                lm.ReportUnknown(new[] { "type", "command" });
            }
            if (m.Map("delaySeconds") is YamlMap delays)
            {
                foreach (var e in delays.Entries())
                    if (delays.Int(e.Key) is int d) f.DelaySeconds[e.Key] = d;
            }
            f.TimeoutSeconds = m.Int("timeoutSeconds") ?? f.TimeoutSeconds;
            f.Retries = m.Int("retries") ?? f.Retries;
            m.ReportUnknown(new[] { "type", "command", "levels", "delaySeconds", "timeoutSeconds", "retries" });
            return f;
        }

        static NodeConfig ReadNode(YamlMap m, ClusterSettings cluster)
        {
            var n = new NodeConfig
            {
                Name = m.String("name") ?? "",
                Priority = m.Int("priority") ?? 0,
                InstanceId = m.String("instanceId"),
                AvailabilityZone = m.String("availabilityZone"),
                HeartbeatPort = m.Int("heartbeatPort"),
                ApiPort = m.Int("apiPort"),
            };
            var single = m.String("address");
            if (single != null && cluster.Interconnects.Count > 0) n.Addresses[cluster.Interconnects[0].Name] = single;
            foreach (var e in m.StringMap("addresses")) n.Addresses[e.Key] = e.Value;
            m.ReportUnknown(NodeFields);
            return n;
        }

        static GroupConfig ReadGroup(YamlMap m, ReadContext ctx)
        {
            var g = new GroupConfig
            {
                Name = m.String("name") ?? "",
                Startup = m.String("startup") ?? GroupPolicies.Auto,
                Failback = m.String("failback") ?? GroupPolicies.Manual,
                Servers = m.StringList("servers"),
            };
            foreach (var (node, path) in m.Sequence("resources"))
                if (AsMap(ctx, node, path) is YamlMap rm) g.Resources.Add(ReadResource(rm, ctx));
            m.ReportUnknown(GroupFields);
            return g;
        }

        static ResourceConfig ReadResource(YamlMap m, ReadContext ctx)
        {
            var r = new ResourceConfig { Name = m.String("name") ?? "", Type = m.String("type") ?? "", DependsOn = m.StringList("dependsOn") };
            if (m.Map("onActivationFailure") is YamlMap a)
            {
                r.OnActivationFailure = new ActivationPolicy
                {
                    Retries = a.Int("retries") ?? 0,
                    Failovers = a.Int("failovers") ?? 1,
                    FinalAction = a.String("finalAction") ?? FinalActions.None,
                };
                a.ReportUnknown(new[] { "retries", "failovers", "finalAction" });
            }
            if (m.Map("onDeactivationFailure") is YamlMap d)
            {
                r.OnDeactivationFailure = new DeactivationPolicy { Retries = d.Int("retries") ?? 0, FinalAction = d.String("finalAction") ?? FinalActions.Shutdown };
                d.ReportUnknown(new[] { "retries", "finalAction" });
            }
            ReadParameters(m, SchemaRegistry.FindResource(r.Type), ResourceCommonFields, r.Parameters);
            return r;
        }

        static MonitorConfig ReadMonitor(YamlMap m, ReadContext ctx)
        {
            var type = m.String("type") ?? "";
            var schema = SchemaRegistry.FindMonitor(type);
            var target = m.String("target");
            var mon = schema != null ? SchemaRegistry.NewMonitor("", type, target) : new MonitorConfig { Type = type, Target = target };
            mon.Name = m.String("name") ?? "";
            mon.IntervalSeconds = m.Int("intervalSeconds") ?? mon.IntervalSeconds;
            mon.TimeoutSeconds = m.Int("timeoutSeconds") ?? mon.TimeoutSeconds;
            mon.Retry = m.Int("retry") ?? mon.Retry;
            mon.Timing = m.String("timing") ?? mon.Timing;
            mon.StartWaitSeconds = m.Int("startWaitSeconds") ?? 0;
            mon.OnApiFailure = m.String("onApiFailure") ?? mon.OnApiFailure;
            if (m.Map("recovery") is YamlMap rec)
            {
                mon.Recovery = new RecoverySettings
                {
                    Target = rec.String("target") ?? mon.Recovery.Target,
                    Restarts = rec.Int("restarts") ?? mon.Recovery.Restarts,
                    Failovers = rec.Int("failovers") ?? mon.Recovery.Failovers,
                    FinalAction = rec.String("finalAction") ?? mon.Recovery.FinalAction,
                };
                rec.ReportUnknown(new[] { "target", "restarts", "failovers", "finalAction" });
            }
            ReadParameters(m, schema, MonitorCommonFields, mon.Parameters);
            return mon;
        }

        /// <summary>Every field that is not a common one is a type-specific parameter: canonical when it fits the schema,
        /// kept raw otherwise so the validator can name it (unknown field, bad value) with its path.</summary>
        static void ReadParameters(YamlMap m, TypeSchema? schema, string[] common, ParameterBag bag)
        {
            foreach (var e in m.Entries())
            {
                if (common.Contains(e.Key)) continue;
                m.MarkRead(e.Key);
                if (YamlMap.IsNull(e.Value)) continue;
                var raw = ToPlain(e.Value);
                var spec = schema?.Find(e.Key);
                if (spec != null && ParameterValues.Coerce(spec, raw, out var error) is object value && error == null) bag[e.Key] = value;
                else bag[e.Key] = raw!;
            }
            m.ReportUnknown(common.Concat(schema?.Parameters.Select(p => p.Name) ?? Enumerable.Empty<string>()));
        }

        static object? ToPlain(YamlNode node)
        {
            switch (node)
            {
                case YamlScalarNode s: return s.Value ?? "";
                case YamlSequenceNode seq: return seq.Children.Select(ToPlain).ToList();
                case YamlMappingNode map:
                    var d = new Dictionary<string, object?>(System.StringComparer.Ordinal);
                    foreach (var e in map.Children) d[(e.Key as YamlScalarNode)?.Value ?? e.Key.ToString()] = ToPlain(e.Value);
                    return d;
                default: return null;
            }
        }
    }
}
