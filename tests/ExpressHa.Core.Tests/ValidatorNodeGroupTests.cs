using ExpressHa.Config;
using ExpressHa.Validation;
using static ExpressHa.Core.Tests.TestUtil;

namespace ExpressHa.Core.Tests;

public class ValidatorNodeGroupTests
{
    [Fact]
    public void Node_name_required_and_valid()
    {
        var c = OnPrem();
        c.Nodes[2].Name = "node c";
        var f = Validate(c);
        Has(f, FindingCodes.InvalidValue, "nodes[2].name");
        c.Nodes[2].Name = "";
        Has(Validate(c), FindingCodes.MissingField, "nodes[2].name");
    }

    [Fact]
    public void Duplicate_node_names()
    {
        var c = OnPrem();
        c.Nodes[2].Name = "node-a";
        var f = Validate(c);
        var d = Has(f, FindingCodes.DuplicateName, "nodes[2].name");
        Assert.Contains("nodes[0]", d.Message);
    }

    [Fact]
    public void No_nodes()
    {
        var c = Minimal();
        c.Nodes.Clear();
        Has(Validate(c), FindingCodes.MissingField, "nodes");
    }

    [Fact]
    public void Node_without_address()
    {
        var c = OnPrem();
        c.Nodes[1].Addresses.Clear();
        Only(c, FindingCodes.MissingField, "nodes[1].addresses");
    }

    [Fact]
    public void Node_address_on_missing_interconnect()
    {
        var c = OnPrem();
        c.Nodes[1].Addresses["lan9"] = "192.168.9.12";
        var f = Only(c, FindingCodes.MissingReference, "nodes[1].addresses.lan9");
        Assert.Contains("lan9", f.Message);
    }

    [Fact]
    public void Node_address_must_be_ipv4()
    {
        var c = OnPrem();
        c.Nodes[1].Addresses["lan1"] = "192.168.0.300";
        Only(c, FindingCodes.InvalidValue, "nodes[1].addresses.lan1");
    }

    [Fact]
    public void Same_address_and_port_twice()
    {
        var c = Minimal();
        c.Nodes[1].HeartbeatPort = 30001;
        Only(c, FindingCodes.DuplicateName, "nodes[1].addresses.lan1");
    }

    [Fact]
    public void Node_ports()
    {
        var c = Minimal();
        c.Nodes[0].ApiPort = 65536;
        Only(c, FindingCodes.InvalidValue, "nodes[0].apiPort");
    }

    [Fact]
    public void Config_without_interconnects_uses_the_default_one()
    {
        var c = Minimal();
        c.Cluster.Interconnects.Clear();
        NoErrors(c);
    }

    [Fact]
    public void Group_name_and_duplicates()
    {
        var c = OnPrem();
        c.Groups[1].Name = "web";
        Only(c, FindingCodes.DuplicateName, "groups[1].name");
        c.Groups[1].Name = "9web";
        Only(c, FindingCodes.InvalidValue, "groups[1].name");
    }

    [Theory]
    [InlineData("Auto")]
    [InlineData("")]
    [InlineData("always")]
    public void Group_policies(string value)
    {
        var c = OnPrem();
        c.Groups[0].Startup = value;
        Only(c, FindingCodes.InvalidValue, "groups[0].startup");
        c = OnPrem();
        c.Groups[0].Failback = value;
        Only(c, FindingCodes.InvalidValue, "groups[0].failback");
    }

    [Fact]
    public void Group_needs_servers()
    {
        var c = OnPrem();
        c.Groups[1].Servers.Clear();
        Has(Validate(c), FindingCodes.MissingField, "groups[1].servers");
    }

    [Fact]
    public void Group_server_must_be_a_node()
    {
        var c = OnPrem();
        c.Groups[1].Servers[1] = "node-x";
        var f = Only(c, FindingCodes.MissingReference, "groups[1].servers[1]");
        Assert.Contains("node-x", f.Message);
    }

    [Fact]
    public void Group_server_listed_twice()
    {
        var c = OnPrem();
        c.Groups[1].Servers[1] = "node-c";
        Has(Validate(c), FindingCodes.DuplicateName, "groups[1].servers[1]");
    }

    [Fact]
    public void Group_with_one_server_warns()
    {
        var c = OnPrem();
        c.Groups[1].Servers.RemoveAt(1);
        var f = Validate(c);
        Assert.DoesNotContain(f, x => x.IsError);
        Assert.Equal(FindingSeverity.Warning, Has(f, FindingCodes.UnsafeSetup, "groups[1].servers").Severity);
    }

    [Fact]
    public void Resource_names_unique_across_the_cluster()
    {
        var c = OnPrem();
        c.Groups[1].Resources[0].Name = "fip1";
        var f = Only(c, FindingCodes.DuplicateName, "groups[1].resources[0].name");
        Assert.Contains("groups[0].resources[0]", f.Message);
    }

    [Fact]
    public void Resource_name_required()
    {
        var c = OnPrem();
        c.Groups[1].Resources[0].Name = "";
        Only(c, FindingCodes.MissingField, "groups[1].resources[0].name");
    }

    [Fact]
    public void Duplicate_monitor_names()
    {
        var c = OnPrem();
        c.Monitors[2].Name = "ipw1";
        Only(c, FindingCodes.DuplicateName, "monitors[2].name");
    }

    [Fact]
    public void Dependency_cycle_lists_the_cycle()
    {
        var c = Aws();
        // app -> awsvip1 -> app
        Res(c, "awsvip1").DependsOn.Add("app");
        var f = Only(c, FindingCodes.DependencyCycle, "groups[0].resources[0].dependsOn");
        Assert.Equal("dependency cycle: awsvip1 -> app -> awsvip1", f.Message);
    }

    [Fact]
    public void Longer_cycle_reported_once()
    {
        var c = Aws();
        Res(c, "awsdns1").DependsOn.Add("md1");
        Res(c, "md1").DependsOn.Add("lbprobe1");
        Res(c, "lbprobe1").DependsOn.Add("awsdns1");
        var f = Validate(c);
        var cycles = f.Where(x => x.Code == FindingCodes.DependencyCycle).ToList();
        Assert.Single(cycles);
        Assert.Equal("groups[0].resources[2].dependsOn", cycles[0].Path);
        Assert.Equal("dependency cycle: awsdns1 -> md1 -> lbprobe1 -> awsdns1", cycles[0].Message);
    }

    [Fact]
    public void Self_dependency_is_a_cycle()
    {
        var c = OnPrem();
        c.Groups[1].Resources[0].DependsOn.Add("batch_job");
        var f = Only(c, FindingCodes.DependencyCycle, "groups[1].resources[0].dependsOn");
        Assert.Contains("batch_job -> batch_job", f.Message);
    }

    [Fact]
    public void DependsOn_missing_resource()
    {
        var c = OnPrem();
        c.Groups[0].Resources[1].DependsOn[0] = "fip2";
        var f = Only(c, FindingCodes.MissingReference, "groups[0].resources[1].dependsOn[0]");
        Assert.Contains("did you mean 'fip1'", f.Fix);
    }

    [Fact]
    public void DependsOn_resource_of_another_group()
    {
        var c = OnPrem();
        c.Groups[1].Resources[0].DependsOn.Add("fip1");
        var f = Only(c, FindingCodes.MissingReference, "groups[1].resources[0].dependsOn[0]");
        Assert.Contains("group 'web'", f.Message);
    }

    [Fact]
    public void Activation_final_action()
    {
        var c = Aws();
        Res(c, "app").OnActivationFailure.FinalAction = "panic";
        Only(c, FindingCodes.InvalidValue, "groups[0].resources[5].onActivationFailure.finalAction");
    }

    [Theory]
    [InlineData("stopGroup")]
    [InlineData("explode")]
    public void Deactivation_final_action(string action)
    {
        var c = Aws();
        Res(c, "app").OnDeactivationFailure.FinalAction = action;
        Only(c, FindingCodes.InvalidValue, "groups[0].resources[5].onDeactivationFailure.finalAction");
    }

    [Fact]
    public void Negative_retries()
    {
        var c = Aws();
        Res(c, "app").OnActivationFailure.Retries = -1;
        Only(c, FindingCodes.InvalidValue, "groups[0].resources[5].onActivationFailure.retries");
    }

    [Fact]
    public void Findings_come_in_document_order()
    {
        var c = Aws();
        c.ApiVersion = "x";
        c.Cluster.Heartbeat.TimeoutMs = 1;
        c.Nodes[1].Addresses["lan1"] = "bad";
        c.Groups[1].Resources[0].Type = "nope";
        c.Groups[0].Resources[0].Type = "nope";
        c.Monitors[8].IntervalSeconds = 0;
        var paths = Validate(c).Where(f => f.IsError).Select(f => f.Path).ToList();
        var expected = new[] { "apiVersion", "cluster.heartbeat.timeoutMs", "nodes[1].addresses.lan1", "groups[0].resources[0].type", "groups[1].resources[0].type" };
        Assert.Equal(expected, paths.Take(5));
        Assert.Contains("monitors[8].intervalSeconds", paths);
        Assert.Equal(paths, Validate(c).Where(f => f.IsError).Select(f => f.Path).ToList());
    }
}
