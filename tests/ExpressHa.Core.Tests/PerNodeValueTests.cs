using ExpressHa.Config;
using ExpressHa.Schema;
using ExpressHa.Validation;
using ExpressHa.Yaml;
using static ExpressHa.Core.Tests.TestUtil;

namespace ExpressHa.Core.Tests;

/// <summary>Per-node parameters: a scalar is the same value on every node, a map names each node; a map that leaves a
/// server out is an error where every node needs a value and a warning where the node falls back.</summary>
public class PerNodeValueTests
{
    const string Vip = ValidatorResourceMonitorTests.Vip;
    const string Md = ValidatorResourceMonitorTests.Md;
    const string App = "groups[0].resources[5]";
    const string EniMap = "eni: { server1: eni-aaa111, server2: eni-bbb222 }";

    static ClusterConfig AwsWith(string from, string to)
    {
        Assert.Contains(from, SeedConfigs.Aws);
        return Load(SeedConfigs.Aws.Replace(from, to));
    }

    [Fact]
    public void A_scalar_in_yaml_reads_validates_and_writes_back_as_a_scalar()
    {
        var c = AwsWith(EniMap, "eni: eni-aaa111");
        Assert.Equal("eni-aaa111", Res(c, "awsvip1").Parameters["eni"]);
        Assert.DoesNotContain(Validate(c), f => f.Path.StartsWith(Vip + ".eni", StringComparison.Ordinal));

        var text = ConfigYamlWriter.Write(c);
        Assert.Contains("\n    eni: eni-aaa111\n", text);
        var again = ConfigYamlReader.Read(text);
        Assert.Empty(again.Findings);
        Assert.Equal(text, ConfigYamlWriter.Write(again.Config));
    }

    [Fact]
    public void A_map_stays_a_map_on_export()
    {
        var text = ConfigYamlWriter.Write(Aws());
        Assert.Contains("\n    eni:\n      server1: eni-aaa111\n      server2: eni-bbb222\n", text);
        Assert.IsType<SortedDictionary<string, string>>(Res(ConfigYamlReader.Read(text).Config, "awsvip1").Parameters["eni"]);
    }

    [Fact]
    public void A_scalar_resolves_to_the_same_value_on_every_node_and_a_map_per_node()
    {
        var c = Aws();
        var vip = Res(c, "awsvip1");
        Assert.Equal("eni-aaa111", vip.GetParameter("eni", "server1"));
        Assert.Equal("eni-bbb222", vip.GetParameter("eni", "server2"));
        vip.Parameters["eni"] = "eni-same";
        Assert.Equal("eni-same", vip.GetParameter("eni", "server1"));
        Assert.Equal("eni-same", vip.GetParameter("eni", "server2"));
        Assert.Equal("eni-same", PerNodeValue.For("eni-same", "any-node"));
        Assert.Null(PerNodeValue.For(new SortedDictionary<string, string> { ["server1"] = "x" }, "server2"));
    }

    [Fact]
    public void A_node_left_out_of_a_map_gets_the_default()
    {
        var c = Aws();
        var vip = Res(c, "awsvip1");
        Assert.Equal("eth0", vip.GetParameter("interface", "server2"));
        vip.Parameters["interface"] = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["server1"] = "ens5" };
        Assert.Equal("ens5", vip.GetParameter("interface", "server1"));
        Assert.Equal("eth0", vip.GetParameter("interface", "server2"));
    }

    [Fact]
    public void A_partial_map_where_nodes_fall_back_is_a_warning_naming_the_node()
    {
        var c = AwsWith(EniMap, "eni: { server1: eni-aaa111 }");
        var findings = Validate(c);
        var f = Has(findings, FindingCodes.MissingPerNodeValue, Vip + ".eni.server2");
        Assert.Equal(FindingSeverity.Warning, f.Severity);
        Assert.Equal("eni has no value for node 'server2'", f.Message);
        Assert.Contains("read from IMDS", f.Fix);
        Assert.DoesNotContain(findings, x => x.IsError);
    }

    [Fact]
    public void A_partial_map_of_a_required_parameter_is_an_error_naming_the_node()
    {
        var c = AwsWith("start: /opt/app/start.sh", "start: { server1: /opt/app/start.sh }");
        var f = Only(c, FindingCodes.MissingPerNodeValue, App + ".start.server2");
        Assert.Equal(FindingSeverity.Error, f.Severity);
        Assert.Contains("every server of group 'failover1' needs one", f.Fix);
    }

    [Fact]
    public void A_partial_map_of_a_monitor_parameter_is_a_warning_from_the_validator()
    {
        var c = Aws();
        c.Monitors.Add(new MonitorConfig { Name = "pidw", Type = "process", Parameters = { ["pidFile"] = new Dictionary<string, object?> { ["server1"] = "/run/app.pid" } } });
        var f = Has(Validate(c), FindingCodes.MissingPerNodeValue, $"monitors[{c.Monitors.Count - 1}].pidFile.server2");
        Assert.Equal(FindingSeverity.Warning, f.Severity);
    }

    [Fact]
    public void A_scalar_satisfies_a_parameter_every_node_needs()
    {
        var c = Aws();
        Res(c, "md1").Parameters["dataPath"] = "/dev/nvme1n1";
        NoErrors(c);
        Assert.Equal("/dev/nvme1n1", Res(c, "md1").GetParameter("dataPath", "server2"));
    }

    [Fact]
    public void A_scalar_is_checked_as_each_node_value_would_be()
    {
        var c = Aws();
        Res(c, "awsvip1").Parameters["eni"] = "x-1";
        Assert.Contains("starting with 'eni-'", Only(c, FindingCodes.InvalidValue, Vip + ".eni").Message);
        c = Aws();
        Res(c, "md1").Parameters["mirrorAddress"] = "not-an-address";
        Assert.Contains("not an IPv4 address", Only(c, FindingCodes.InvalidValue, Md + ".mirrorAddress").Message);
    }

    [Fact]
    public void An_address_that_identifies_the_node_refuses_one_value_for_every_node()
    {
        var c = Aws();
        Res(c, "md1").Parameters["mirrorAddress"] = "10.0.111.10";
        var f = Only(c, FindingCodes.InvalidValue, Md + ".mirrorAddress");
        Assert.Equal("mirrorAddress is the single value 10.0.111.10 for every node, but each node needs its own", f.Message);
        Assert.Equal("give one value per node: mirrorAddress: { server1: ..., server2: ... }", f.Fix);

        Res(c, "md1").Parameters["mirrorAddress"] = new Dictionary<string, object?> { ["server1"] = "10.0.111.10", ["server2"] = "10.0.111.10" };
        Assert.Contains("given to server1 and server2", Only(c, FindingCodes.InvalidValue, Md + ".mirrorAddress.server2").Message);
    }

    [Fact]
    public void A_list_is_neither_a_value_nor_a_map()
    {
        var c = Aws();
        Res(c, "awsvip1").Parameters["eni"] = new List<object?> { "eni-1", "eni-2" };
        var f = Only(c, FindingCodes.InvalidValue, Vip + ".eni");
        Assert.StartsWith("expected one value for every node, or a map of node name to value", f.Message);
    }

    /// <summary>Paths, interfaces, addresses, devices and commands take per-node values; the address a resource moves
    /// between nodes (ip of floatip, awsvip, awssip; fixedIp of awsdns) is one address by definition and stays single,
    /// as do ping targets (a list) and ports.</summary>
    [Fact]
    public void Every_path_interface_address_device_and_command_is_per_node()
    {
        var perNode = SchemaRegistry.Resources.Concat(SchemaRegistry.Monitors)
            .SelectMany(t => t.Parameters.Where(p => p.Kind == ParameterKind.PerNode).Select(p => $"{t.Kind}:{t.Name}.{p.Name}"))
            .OrderBy(x => x, StringComparer.Ordinal).ToList();
        Assert.Equal(new[]
        {
            "Monitor:awsaz.availabilityZone", "Monitor:custom.script", "Monitor:disk.device", "Monitor:http.url", "Monitor:nic.interface",
            "Monitor:process.pidFile",
            "Resource:awsdns.ip", "Resource:awseip.eni", "Resource:awssip.eni", "Resource:awssip.interface",
            "Resource:awsvip.eni", "Resource:awsvip.interface", "Resource:exec.probe", "Resource:exec.start", "Resource:exec.stop", "Resource:exec.workingDirectory",
            "Resource:floatip.interface", "Resource:lbprobe.listenAddress",
            "Resource:mirror.dataPath", "Resource:mirror.exportAddress", "Resource:mirror.keyFile", "Resource:mirror.metaPath",
            "Resource:mirror.mirrorAddress", "Resource:mirror.mountPoint",
        }, perNode);
    }
}
