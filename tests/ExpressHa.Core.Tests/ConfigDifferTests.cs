using ExpressHa.Config;
using ExpressHa.Diff;
using ExpressHa.Yaml;

namespace ExpressHa.Core.Tests;

public class ConfigDifferTests
{
    static ClusterConfig Example() => TestUtil.Load(File.ReadAllText(Path.Combine(TestUtil.RepoRoot(), "examples", "aws-vip", "aws-vip.yaml")));
    static ClusterConfig Copy(ClusterConfig c) => ConfigYamlReader.Read(ConfigYamlWriter.Write(c)).Config;

    [Fact]
    public void Same_config_is_an_empty_diff()
    {
        var a = Example();
        var d = ConfigDiffer.Diff(a, Copy(a));
        Assert.True(d.IsEmpty);
        Assert.Empty(d.GroupRestarts);
        Assert.False(d.NeedsSuspend);
    }

    [Fact]
    public void List_order_is_not_a_change()
    {
        var a = Example();
        var b = Copy(a);
        b.Nodes.Reverse();
        b.Groups[0].Resources.Reverse();
        b.Monitors.Reverse();
        Assert.True(ConfigDiffer.Diff(a, b).IsEmpty);
    }

    [Fact]
    public void Changed_resource_restarts_its_group_only()
    {
        var a = Example();
        var b = Copy(a);
        b.FindResource("app", out _)!.Parameters["start"] = "/opt/app/bin/start2.sh";
        var d = ConfigDiffer.Diff(a, b);
        Assert.Equal(new[] { "resource/app" }, d.Changed);
        Assert.Empty(d.Added);
        Assert.Empty(d.Removed);
        Assert.Equal(new[] { "failover1" }, d.GroupRestarts);
        Assert.False(d.NeedsSuspend);
    }

    [Fact]
    public void Added_and_removed_resources_restart_the_group_but_a_new_group_does_not_restart()
    {
        var a = Example();
        var b = Copy(a);
        var g = b.FindGroup("failover1")!;
        g.Resources.RemoveAll(r => r.Name == "app");
        g.Resources.Add(new ResourceConfig { Name = "app2", Type = "exec", Parameters = { ["start"] = "/bin/true", ["stop"] = "/bin/true" } });
        b.Groups.Add(new GroupConfig { Name = "failover2", Servers = { "server2", "server1" },
            Resources = { new ResourceConfig { Name = "app3", Type = "exec" } } });
        var d = ConfigDiffer.Diff(a, b);
        Assert.Equal(new[] { "group/failover2", "resource/app2", "resource/app3" }, d.Added);
        Assert.Equal(new[] { "resource/app" }, d.Removed);
        Assert.Equal(new[] { "failover1" }, d.GroupRestarts);
    }

    [Fact]
    public void Group_policy_change_is_a_group_change_without_restart()
    {
        var a = Example();
        var b = Copy(a);
        b.FindGroup("failover1")!.Failback = GroupPolicies.Auto;
        var d = ConfigDiffer.Diff(a, b);
        Assert.Equal(new[] { "group/failover1" }, d.Changed);
        Assert.Empty(d.GroupRestarts);
    }

    [Fact]
    public void Resource_moved_between_groups_restarts_both()
    {
        var a = Example();
        a.Groups.Add(new GroupConfig { Name = "failover2", Servers = { "server2", "server1" } });
        var b = Copy(a);
        var app = b.FindResource("app", out var from)!;
        from!.Resources.Remove(app);
        app.DependsOn.Clear();
        b.FindGroup("failover2")!.Resources.Add(app);
        var d = ConfigDiffer.Diff(a, b);
        Assert.Contains("resource/app", d.Changed);
        Assert.Equal(new[] { "failover1", "failover2" }, d.GroupRestarts);
    }

    [Fact]
    public void Nodes_added_or_removed_need_a_suspend()
    {
        var a = Example();
        var b = Copy(a);
        b.Nodes.Add(new NodeConfig { Name = "server3", Addresses = { ["lan1"] = "10.0.130.10" }, Priority = 2 });
        var d = ConfigDiffer.Diff(a, b);
        Assert.Equal(new[] { "node/server3" }, d.Added);
        Assert.True(d.NeedsSuspend);
        var back = ConfigDiffer.Diff(b, a);
        Assert.Equal(new[] { "node/server3" }, back.Removed);
        Assert.True(back.NeedsSuspend);
    }

    [Fact]
    public void Heartbeat_interconnect_and_address_changes_need_a_suspend_other_settings_do_not()
    {
        var a = Example();
        var hb = Copy(a); hb.Cluster.Heartbeat.TimeoutMs = 20000;
        var ic = Copy(a); ic.Cluster.Interconnects.Add(new InterconnectConfig { Name = "lan2" });
        var addr = Copy(a); addr.FindNode("server2")!.Addresses["lan1"] = "10.0.120.11";
        var prio = Copy(a); prio.FindNode("server2")!.Priority = 5;
        var sns = Copy(a); sns.Cluster.Notifications.Sns!.MinLevel = "error";

        foreach (var c in new[] { hb, ic })
        {
            var d = ConfigDiffer.Diff(a, c);
            Assert.Equal(new[] { ConfigDiffer.ClusterSettingsName }, d.Changed);
            Assert.True(d.NeedsSuspend);
        }
        var da = ConfigDiffer.Diff(a, addr);
        Assert.Equal(new[] { "node/server2" }, da.Changed);
        Assert.True(da.NeedsSuspend);
        var dp = ConfigDiffer.Diff(a, prio);
        Assert.Equal(new[] { "node/server2" }, dp.Changed);
        Assert.False(dp.NeedsSuspend);
        var ds = ConfigDiffer.Diff(a, sns);
        Assert.Equal(new[] { "cluster/settings" }, ds.Changed);
        Assert.False(ds.NeedsSuspend);
    }

    [Fact]
    public void Monitor_changes_are_listed_without_restarts()
    {
        var a = Example();
        var b = Copy(a);
        b.Monitors[0].IntervalSeconds = 45;
        b.Monitors.Add(new MonitorConfig { Name = "userw", Type = "userw" });
        var d = ConfigDiffer.Diff(a, b);
        Assert.Equal(new[] { "monitor/" + a.Monitors[0].Name }, d.Changed);
        Assert.Equal(new[] { "monitor/userw" }, d.Added);
        Assert.Empty(d.GroupRestarts);
    }

    [Fact]
    public void Duplicate_names_in_an_invalid_config_do_not_throw()
    {
        var a = Example();
        var b = Copy(a);
        b.Nodes.Add(new NodeConfig { Name = "server1" });
        b.Groups[0].Resources.Add(new ResourceConfig { Name = "app", Type = "exec" });
        var d = ConfigDiffer.Diff(a, b);
        Assert.True(d.IsEmpty);
        Assert.True(ConfigDiffer.Diff(new ClusterConfig(), b).Added.Count > 0);
    }
}
