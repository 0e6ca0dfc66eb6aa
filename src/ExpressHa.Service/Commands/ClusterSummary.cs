using ExpressHa.Config;

namespace ExpressHa.Service.Commands;

/// <summary>A plain-text description of a cluster: nodes, groups with resources in start order, monitors.</summary>
public static class ClusterSummary
{
    public static void Write(ClusterConfig c, TextWriter w)
    {
        var s = c.Cluster;
        w.WriteLine($"Cluster {s.Name}: heartbeat every {s.Heartbeat.IntervalMs} ms, node lost after {s.Heartbeat.TimeoutMs} ms");
        w.WriteLine($"  partition resolution: {SafetySummary.Partition(s.PartitionResolution)}");
        w.WriteLine($"  fencing: {SafetySummary.Fencing(s.Fencing)}");
        w.WriteLine($"  watchdog: {SafetySummary.Watchdog(s.Watchdog)}");
        if (s.Notifications.Sns != null) w.WriteLine($"  alerts: SNS {s.Notifications.Sns.TopicArn} ({s.Notifications.Sns.MinLevel} and above)");
        w.WriteLine("Nodes:");
        foreach (var n in c.Nodes.OrderBy(n => n.Priority))
        {
            var aws = n.InstanceId != null ? $" {n.InstanceId}" + (n.AvailabilityZone != null ? $" in {n.AvailabilityZone}" : "") : "";
            w.WriteLine($"  {n.Name} (priority {n.Priority}) {string.Join(", ", n.Addresses.Select(a => a.Key + "=" + a.Value))}{aws}");
        }
        foreach (var g in c.Groups)
        {
            w.WriteLine($"Group {g.Name}: runs on {string.Join(" > ", g.Servers)}; startup {g.Startup}, failback {g.Failback}");
            foreach (var r in StartOrder(g))
            {
                var deps = r.DependsOn.Count > 0 ? $" after {string.Join(", ", r.DependsOn)}" : "";
                w.WriteLine($"  start {r.Name} ({r.Type}){deps}");
            }
        }
        if (c.Monitors.Count > 0) w.WriteLine("Monitors:");
        foreach (var m in c.Monitors)
        {
            var target = m.Target != null ? $" on {m.Target}" : "";
            w.WriteLine($"  {m.Name} ({m.Type}){target}: every {m.IntervalSeconds}s, timeout {m.TimeoutSeconds}s, retry {m.Retry}, {m.Timing}; " +
                        $"recover {m.Recovery.Target ?? "-"}: {m.Recovery.Restarts} restart(s), {m.Recovery.Failovers} failover(s), then {m.Recovery.FinalAction}");
        }
    }

    /// <summary>Dependencies first; a valid config has no cycles, so this always finishes.</summary>
    public static List<ResourceConfig> StartOrder(GroupConfig g)
    {
        var done = new List<ResourceConfig>();
        var left = g.Resources.ToList();
        while (left.Count > 0)
        {
            var ready = left.FirstOrDefault(r => r.DependsOn.All(d => done.Any(x => x.Name == d) || g.FindResource(d) == null)) ?? left[0];
            done.Add(ready);
            left.Remove(ready);
        }
        return done;
    }
}
