using System.IO;
using System.Linq;
using ExpressHa.Config;
using ExpressHa.Schema;

namespace ExpressHa.Yaml
{
    /// <summary>Writes the model as expressha/v1 YAML. Field order is fixed and maps are sorted, so the same model
    /// always gives the same bytes (configs diff well in git).</summary>
    public static class ConfigYamlWriter
    {
        public static string Write(ClusterConfig config)
        {
            var sw = new StringWriter { NewLine = "\n" };
            var y = new YamlOut(sw);
            y.BeginMap();
            y.Field("apiVersion", config.ApiVersion);
            y.Key("cluster"); WriteCluster(y, config.Cluster);
            y.Key("nodes"); y.BeginList();
            foreach (var n in config.Nodes) WriteNode(y, n);
            y.EndList();
            y.Key("groups"); y.BeginList();
            foreach (var g in config.Groups) WriteGroup(y, g);
            y.EndList();
            y.Key("monitors"); y.BeginList();
            foreach (var m in config.Monitors) WriteMonitor(y, m);
            y.EndList();
            y.EndMap();
            y.End();
            return sw.ToString();
        }

        static void WriteCluster(YamlOut y, ClusterSettings c)
        {
            y.BeginMap();
            y.Field("name", c.Name);
            y.Key("interconnects"); y.BeginList();
            foreach (var ic in c.Interconnects) { y.BeginMap(flow: true); y.Field("name", ic.Name); y.Field("role", ic.Role); y.EndMap(); }
            y.EndList();
            y.Key("heartbeat"); y.BeginMap(flow: true);
            y.Field("intervalMs", c.Heartbeat.IntervalMs); y.Field("timeoutMs", c.Heartbeat.TimeoutMs); y.Field("port", c.Heartbeat.Port);
            y.EndMap();
            WritePartition(y, c.PartitionResolution);
            WriteFencing(y, c.Fencing);
            if (c.Watchdog.IsEnabled)
            {
                y.Key("watchdog"); y.BeginMap(flow: true);
                y.Field("timeoutMs", c.Watchdog.TimeoutMs); y.Field("device", c.Watchdog.Device);
                y.EndMap();
            }
            if (c.Notifications.Sns != null)
            {
                y.Key("notifications"); y.BeginMap();
                y.Key("sns"); y.BeginMap(); y.Field("topicArn", c.Notifications.Sns.TopicArn); y.Field("minLevel", c.Notifications.Sns.MinLevel); y.EndMap();
                y.EndMap();
            }
            var s = c.Security;
            y.Key("security"); y.BeginMap();
            y.Field("keyFile", s.KeyFile); y.Field("apiTokenFile", s.ApiTokenFile);
            y.FieldIf(s.ReadOnlyTokenFile != null, "readOnlyTokenFile", s.ReadOnlyTokenFile); y.Field("apiTls", s.ApiTls); y.Field("apiPort", s.ApiPort);
            y.EndMap();
            if (!c.Aws.IsEmpty)
            {
                y.Key("aws"); y.BeginMap();
                y.FieldIf(c.Aws.Region != null, "region", c.Aws.Region);
                y.FieldIf(c.Aws.Profile != null, "profile", c.Aws.Profile);
                y.FieldIf(c.Aws.Endpoints.Count > 0, "endpoints", c.Aws.Endpoints);
                y.FieldIf(c.Aws.Proxy != null, "proxy", c.Aws.Proxy);
                y.EndMap();
            }
            y.Field("shutdownCommand", c.ShutdownCommand);
            y.Field("rebootCommand", c.RebootCommand);
            y.EndMap();
        }

        static void WritePartition(YamlOut y, PartitionResolutionSettings p)
        {
            y.Key("partitionResolution"); y.BeginMap();
            if (p.Ping != null)
            {
                y.Key("ping"); y.BeginMap();
                y.Field("targets", p.Ping.Targets); y.Field("intervalMs", p.Ping.IntervalMs); y.Field("timeoutMs", p.Ping.TimeoutMs);
                y.EndMap();
            }
            if (p.Http != null)
            {
                y.Key("http"); y.BeginMap();
                y.Field("url", p.Http.Url); y.Field("timeoutMs", p.Http.TimeoutMs); y.Field("heartbeat", p.Http.Heartbeat);
                y.EndMap();
            }
            if (p.Tcp != null)
            {
                y.Key("tcp"); y.BeginMap();
                y.Field("host", p.Tcp.Host); y.Field("port", p.Tcp.Port); y.Field("timeoutMs", p.Tcp.TimeoutMs);
                y.EndMap();
            }
            y.Field("majority", p.Majority);
            y.Field("action", p.Action);
            y.EndMap();
        }

        static void WriteFencing(YamlOut y, FencingSettings f)
        {
            y.Key("fencing"); y.BeginMap();
            y.Key("levels"); y.BeginList();
            foreach (var l in f.Levels)
            {
                y.BeginMap(flow: true);
                y.Field("type", l.Type);
                y.FieldIf(l.Command != null, "command", l.Command);
                y.EndMap();
            }
            y.EndList();
            if (f.DelaySeconds.Count > 0)
            {
                y.Key("delaySeconds"); y.BeginMap(flow: true);
                foreach (var d in f.DelaySeconds) y.Field(d.Key, d.Value);
                y.EndMap();
            }
            y.Field("timeoutSeconds", f.TimeoutSeconds);
            y.Field("retries", f.Retries);
            y.EndMap();
        }

        static void WriteNode(YamlOut y, NodeConfig n)
        {
            y.BeginMap();
            y.Field("name", n.Name);
            y.Key("addresses"); y.BeginMap(flow: true);
            foreach (var a in n.Addresses) y.Field(a.Key, a.Value);
            y.EndMap();
            y.Field("priority", n.Priority);
            y.FieldIf(n.InstanceId != null, "instanceId", n.InstanceId);
            y.FieldIf(n.AvailabilityZone != null, "availabilityZone", n.AvailabilityZone);
            y.FieldIf(n.HeartbeatPort != null, "heartbeatPort", n.HeartbeatPort);
            y.FieldIf(n.ApiPort != null, "apiPort", n.ApiPort);
            y.EndMap();
        }

        static void WriteGroup(YamlOut y, GroupConfig g)
        {
            y.BeginMap();
            y.Field("name", g.Name);
            y.Field("startup", g.Startup);
            y.Field("failback", g.Failback);
            y.Field("servers", g.Servers);
            y.Key("resources"); y.BeginList();
            foreach (var r in g.Resources) WriteResource(y, r);
            y.EndList();
            y.EndMap();
        }

        static void WriteResource(YamlOut y, ResourceConfig r)
        {
            y.BeginMap();
            y.Field("name", r.Name);
            y.Field("type", r.Type);
            y.FieldIf(r.DependsOn.Count > 0, "dependsOn", r.DependsOn);
            WriteParameters(y, r.Parameters, SchemaRegistry.FindResource(r.Type));
            var a = r.OnActivationFailure;
            if (a.Retries != 0 || a.Failovers != 1 || a.FinalAction != FinalActions.None)
            {
                y.Key("onActivationFailure"); y.BeginMap(flow: true);
                y.Field("retries", a.Retries); y.Field("failovers", a.Failovers); y.Field("finalAction", a.FinalAction);
                y.EndMap();
            }
            var d = r.OnDeactivationFailure;
            if (d.Retries != 0 || d.FinalAction != FinalActions.Shutdown)
            {
                y.Key("onDeactivationFailure"); y.BeginMap(flow: true);
                y.Field("retries", d.Retries); y.Field("finalAction", d.FinalAction);
                y.EndMap();
            }
            y.EndMap();
        }

        static void WriteMonitor(YamlOut y, MonitorConfig m)
        {
            y.BeginMap();
            y.Field("name", m.Name);
            y.Field("type", m.Type);
            y.FieldIf(m.Target != null, "target", m.Target);
            y.Field("intervalSeconds", m.IntervalSeconds);
            y.Field("timeoutSeconds", m.TimeoutSeconds);
            y.Field("retry", m.Retry);
            y.Field("timing", m.Timing);
            y.FieldIf(m.StartWaitSeconds != 0, "startWaitSeconds", m.StartWaitSeconds);
            y.FieldIf(m.OnApiFailure != null, "onApiFailure", m.OnApiFailure);
            WriteParameters(y, m.Parameters, SchemaRegistry.FindMonitor(m.Type));
            y.Key("recovery"); y.BeginMap(flow: true);
            y.FieldIf(m.Recovery.Target != null, "target", m.Recovery.Target);
            y.Field("restarts", m.Recovery.Restarts);
            y.Field("failovers", m.Recovery.Failovers);
            y.Field("finalAction", m.Recovery.FinalAction);
            y.EndMap();
            y.EndMap();
        }

        /// <summary>Schema order first, then anything the schema does not know, sorted (so even an invalid model writes stably).</summary>
        static void WriteParameters(YamlOut y, ParameterBag bag, TypeSchema? schema)
        {
            var known = schema?.Parameters.Select(p => p.Name).Where(bag.ContainsKey).ToList() ?? new System.Collections.Generic.List<string>();
            var unknown = bag.Keys.Where(k => !known.Contains(k)).OrderBy(k => k, System.StringComparer.Ordinal);
            foreach (var k in known.Concat(unknown)) y.Field(k, bag[k]);
        }
    }
}
