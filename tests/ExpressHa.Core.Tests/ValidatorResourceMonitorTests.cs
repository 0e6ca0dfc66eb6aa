using System.Collections;
using ExpressHa.Config;
using ExpressHa.Validation;
using static ExpressHa.Core.Tests.TestUtil;

namespace ExpressHa.Core.Tests;

public class ValidatorResourceMonitorTests
{
    // Aws seed: groups[0].resources: 0 awsvip1, 1 awseip1, 2 awsdns1, 3 md1, 4 lbprobe1, 5 app; groups[1].resources[0] awssip1
    internal const string Vip = "groups[0].resources[0]";
    const string Dns = "groups[0].resources[2]";
    internal const string Md = "groups[0].resources[3]";
    const string Sip = "groups[1].resources[0]";

    [Fact]
    public void Vip_inside_vpc_cidr_has_the_exact_text()
    {
        var c = Aws();
        Res(c, "awsvip1").Parameters["ip"] = "10.0.3.4";
        var f = Only(c, FindingCodes.VipInsideVpc, Vip + ".ip");
        Assert.Equal("10.0.3.4 is inside VPC CIDR 10.0.0.0/16", f.Message);
        Assert.StartsWith("an AWS virtual IP must be outside it; choose an address outside every VPC CIDR, e.g. ", f.Fix);
        Assert.StartsWith("groups[0].resources[0].ip: 10.0.3.4 is inside VPC CIDR 10.0.0.0/16; an AWS virtual IP must be outside it", f.ToString());
        Assert.Equal(FindingSeverity.Error, f.Severity);
    }

    [Fact]
    public void Vip_example_is_outside_the_cidr()
    {
        var c = Aws();
        Res(c, "awsvip1").Parameters["vpcCidr"] = "10.0.0.0/8";
        Res(c, "awsvip1").Parameters["ip"] = "10.1.0.20";
        var f = Only(c, FindingCodes.VipInsideVpc, Vip + ".ip");
        Assert.EndsWith("e.g. 172.16.0.20", f.Fix);
    }

    [Fact]
    public void Vip_from_raw_yaml_text_is_checked_too()
    {
        var yaml = SeedConfigs.Aws.Replace("ip: 10.1.0.20", "ip: 10.0.3.4");
        var read = Yaml.ConfigYamlReader.Read(yaml, "cluster.yaml");
        var f = ConfigValidator.Validate(read, "cluster.yaml");
        var vip = Has(f, FindingCodes.VipInsideVpc, Vip + ".ip");
        Assert.Equal(yaml.Split('\n').ToList().FindIndex(l => l.Contains("ip: 10.0.3.4")) + 1, vip.Line);
        Assert.Equal("cluster.yaml", vip.Source);
    }

    [Fact]
    public void Sip_must_be_inside_subnet()
    {
        var c = Aws();
        Res(c, "awssip1").Parameters["ip"] = "10.0.111.50";
        var f = Only(c, FindingCodes.InvalidValue, Sip + ".ip");
        Assert.Contains("10.0.110.0/24", f.Message);
    }

    [Theory]
    [InlineData("App.example.internal.")]
    [InlineData("app.example.internal")]
    [InlineData("app..example.internal.")]
    [InlineData("-app.example.internal.")]
    [InlineData("app!.example.internal.")]
    public void Dns_record_name_rules(string name)
    {
        var c = Aws();
        Res(c, "awsdns1").Parameters["recordName"] = name;
        Only(c, FindingCodes.InvalidDnsName, Dns + ".recordName");
    }

    [Fact]
    public void Dns_fixed_ip_and_per_node_ip_exclusive()
    {
        var c = Aws();
        Res(c, "awsdns1").Parameters["fixedIp"] = "10.1.0.20";
        Only(c, FindingCodes.InvalidValue, Dns + ".fixedIp");
    }

    [Fact]
    public void Unknown_resource_type_suggests()
    {
        var c = Aws();
        Res(c, "awsvip1").Type = "awsvpi";
        var f = Has(Validate(c), FindingCodes.UnknownType, Vip + ".type");
        Assert.Contains("did you mean 'awsvip'", f.Fix);
        Assert.Contains("floatip", f.Fix);
    }

    [Fact]
    public void Missing_resource_type()
    {
        var c = OnPrem();
        c.Groups[1].Resources[0].Type = "";
        Only(c, FindingCodes.MissingField, "groups[1].resources[0].type");
    }

    [Fact]
    public void Unknown_parameter_suggests()
    {
        var c = Aws();
        Res(c, "awsvip1").Parameters["vpcid"] = "vpc-1";
        var f = Only(c, FindingCodes.UnknownField, Vip + ".vpcid");
        Assert.Contains("did you mean 'vpcId'", f.Fix);
    }

    [Fact]
    public void Required_parameter_missing()
    {
        var c = Aws();
        Res(c, "app").Parameters.Remove("start");
        Only(c, FindingCodes.MissingField, "groups[0].resources[5].start");
    }

    [Theory]
    [InlineData("ttl", "ten")]
    [InlineData("ttl", "-1")]
    [InlineData("waitInsync", "maybe")]
    [InlineData("fixedIp", "10.1.0")]
    [InlineData("hostedZoneId", "")]
    public void Values_that_do_not_coerce(string name, string value)
    {
        var c = Aws();
        if (name == "fixedIp") Res(c, "awsdns1").Parameters.Remove("ip");
        Res(c, "awsdns1").Parameters[name] = value;
        Only(c, FindingCodes.InvalidValue, $"{Dns}.{name}");
    }

    [Fact]
    public void Raw_values_of_any_kind_are_coerced()
    {
        var c = Aws();
        var r = Res(c, "awsdns1");
        r.Parameters["ttl"] = 30;                       // int, not long: fine
        r.Parameters["waitInsync"] = "true";            // string for bool: fine
        r.Parameters["ip"] = new Hashtable { ["server1"] = "10.0.110.10", ["server2"] = "10.0.120.10" };
        NoErrors(c);
        r.Parameters["ttl"] = new List<object> { 1, 2 };
        Only(c, FindingCodes.InvalidValue, Dns + ".ttl");
        r.Parameters["ttl"] = new object();
        Only(c, FindingCodes.InvalidValue, Dns + ".ttl");
    }

    [Fact]
    public void Prefix_of_ids()
    {
        var c = Aws();
        Res(c, "awsvip1").Parameters["vpcId"] = "1234abcd";
        var f = Only(c, FindingCodes.InvalidValue, Vip + ".vpcId");
        Assert.Contains("vpc-", f.Fix);
    }

    [Fact]
    public void Per_node_value_invalid_for_one_node()
    {
        var c = Aws();
        Res(c, "awsvip1").Parameters["eni"] = new Dictionary<string, object?> { ["server1"] = "eni-1", ["server2"] = "x-2" };
        Only(c, FindingCodes.InvalidValue, Vip + ".eni.server2");
    }

    [Fact]
    public void Per_node_value_missing_for_a_server()
    {
        var c = Aws();
        Res(c, "md1").Parameters["dataPath"] = new Dictionary<string, object?> { ["server1"] = "/dev/sdb" };
        var f = Only(c, FindingCodes.MissingPerNodeValue, Md + ".dataPath.server2");
        Assert.Contains("server2", f.Message);
    }

    [Fact]
    public void Per_node_parameter_missing_entirely()
    {
        var c = Aws();
        Res(c, "md1").Parameters.Remove("mirrorAddress");
        var f = Only(c, FindingCodes.MissingPerNodeValue, Md + ".mirrorAddress");
        Assert.Contains("server1", f.Message);
        Assert.Contains("server2", f.Message);
    }

    [Fact]
    public void Mirror_attach_method_and_mount_fields_are_checked_with_their_path()
    {
        var c = Aws();
        Res(c, "md1").Parameters["attach"] = "iscsi";
        var f = Only(c, FindingCodes.InvalidValue, Md + ".attach");
        Assert.Contains("nbd-client, nbdfuse", f.Message + f.Fix);

        c = Aws();
        Res(c, "md1").Parameters["mountPoint"] = "mnt/md1";
        Assert.Contains("absolute path", Only(c, FindingCodes.InvalidValue, Md + ".mountPoint").ToString());

        c = Aws();
        Res(c, "md1").Parameters["fsType"] = "ext4; rm -rf /";
        Only(c, FindingCodes.InvalidValue, Md + ".fsType");

        c = Aws();
        Res(c, "md1").Parameters["attach"] = "nbdfuse";
        Res(c, "md1").Parameters["unmountGraceSeconds"] = 0L;
        Assert.DoesNotContain(Validate(c), x => x.Path.StartsWith(Md, StringComparison.Ordinal) && x.Severity == FindingSeverity.Error);
    }

    [Fact]
    public void Per_node_key_not_a_server()
    {
        var c = Aws();
        Res(c, "awsvip1").Parameters["eni"] = new Dictionary<string, object?> { ["server1"] = "eni-1", ["server2"] = "eni-2", ["server3"] = "eni-3" };
        var f = Only(c, FindingCodes.MissingReference, Vip + ".eni.server3");
        Assert.Contains("server3", f.Message);
    }

    [Fact]
    public void Per_node_key_node_outside_the_group()
    {
        var c = OnPrem();
        c.Groups[1].Resources.Add(new ResourceConfig { Name = "fip2", Type = "floatip", Parameters = { ["ip"] = "192.168.0.101", ["interface"] = new Dictionary<string, object?> { ["node-b"] = "eth0" } } });
        var f = Only(c, FindingCodes.MissingReference, "groups[1].resources[1].interface.node-b");
        Assert.Contains("not a server of group 'batch'", f.Message);
    }

    [Fact]
    public void Mirror_needs_two_servers()
    {
        var c = Aws();
        c.Nodes.Add(new NodeConfig { Name = "server3", Addresses = { ["lan1"] = "10.0.130.10" }, InstanceId = "i-0003" });
        c.Cluster.Fencing.DelaySeconds["server3"] = 9;
        c.Groups[0].Servers.Add("server3");
        var f = Validate(c);
        Has(f, FindingCodes.InvalidValue, Md + ".type");
        Has(f, FindingCodes.MissingPerNodeValue, Md + ".dataPath.server3");
    }

    // monitors: 0 awsvipw1, 1 awseipw1, 2 awsdnsw1, 3 awssipw1, 4 awsazw, 5 mdw1, 6 mdnw1, 7 lbprobew1, 8 userw

    [Fact]
    public void Unknown_monitor_type()
    {
        var c = Aws();
        c.Monitors[8].Type = "userW";
        var f = Only(c, FindingCodes.UnknownType, "monitors[8].type");
        Assert.Contains("did you mean 'userw'", f.Fix);
    }

    [Fact]
    public void Monitor_timeout_must_be_above_interval()
    {
        var c = Aws();
        c.Monitors[0].TimeoutSeconds = 60;
        var f = Only(c, FindingCodes.TimeoutNotAboveInterval, "monitors[0].timeoutSeconds");
        Assert.Equal("timeoutSeconds 60 is not above intervalSeconds 60", f.Message);
    }

    [Theory]
    [InlineData("interval")]
    [InlineData("retry")]
    [InlineData("startWait")]
    public void Monitor_numbers(string which)
    {
        var c = Aws();
        var m = c.Monitors[1];
        string path;
        switch (which)
        {
            case "interval": m.IntervalSeconds = 0; path = "monitors[1].intervalSeconds"; break;
            case "retry": m.Retry = -1; path = "monitors[1].retry"; break;
            default: m.StartWaitSeconds = -5; path = "monitors[1].startWaitSeconds"; break;
        }
        Only(c, FindingCodes.InvalidValue, path);
    }

    [Fact]
    public void Monitor_timing()
    {
        var c = Aws();
        c.Monitors[0].Timing = "sometimes";
        Only(c, FindingCodes.InvalidValue, "monitors[0].timing");
    }

    [Fact]
    public void Active_timing_needs_target()
    {
        var c = OnPrem();
        Mon(c, "customw1").Timing = MonitorTimings.Active;
        Only(c, FindingCodes.MissingField, "monitors[3].target");
    }

    [Fact]
    public void OnApiFailure_only_for_cloud_monitors()
    {
        var c = Aws();
        c.Monitors[8].OnApiFailure = "warn";
        Only(c, FindingCodes.InvalidValue, "monitors[8].onApiFailure");
        c = Aws();
        c.Monitors[0].OnApiFailure = "retry";
        Only(c, FindingCodes.InvalidValue, "monitors[0].onApiFailure");
    }

    [Fact]
    public void Recovery_final_action()
    {
        var c = Aws();
        c.Monitors[0].Recovery.FinalAction = "halt";
        Only(c, FindingCodes.InvalidValue, "monitors[0].recovery.finalAction");
    }

    [Fact]
    public void Target_required_by_schema()
    {
        var c = Aws();
        c.Monitors[5].Target = null;
        Only(c, FindingCodes.MissingField, "monitors[5].target");
    }

    [Fact]
    public void Target_must_exist()
    {
        var c = Aws();
        c.Monitors[5].Target = "md2";
        var f = Only(c, FindingCodes.MissingReference, "monitors[5].target");
        Assert.Contains("did you mean 'md1'", f.Fix);
    }

    [Fact]
    public void Target_type_must_match()
    {
        var c = Aws();
        c.Monitors[0].Target = "awseip1";
        c.Monitors[0].Recovery.Target = "awseip1";
        var f = Only(c, FindingCodes.InvalidValue, "monitors[0].target");
        Assert.Contains("awseip resource", f.Message);
    }

    [Theory]
    [InlineData("awsvip1", true)]
    [InlineData("failover1", true)]
    [InlineData("local", true)]
    [InlineData("failover3", false)]
    [InlineData("", false)]
    public void Recovery_target_is_resource_group_or_local(string target, bool ok)
    {
        var c = Aws();
        c.Monitors[0].Recovery.Target = target;
        if (ok) NoErrors(c);
        else Only(c, FindingCodes.MissingReference, "monitors[0].recovery.target");
    }

    [Fact]
    public void Monitor_required_parameter_and_one_of()
    {
        var c = OnPrem();
        Mon(c, "ipw1").Parameters.Clear();
        Only(c, FindingCodes.MissingField, "monitors[0].targets");
        c = OnPrem();
        Mon(c, "procw1").Parameters.Clear();
        Only(c, FindingCodes.MissingField, "monitors[2]");
    }

    [Fact]
    public void Monitor_unknown_parameter()
    {
        var c = Aws();
        c.Monitors[8].Parameters["interval"] = 5;
        var f = Only(c, FindingCodes.UnknownField, "monitors[8].interval");
        Assert.Contains("takes no parameters", f.Fix);
    }

    [Fact]
    public void Monitor_per_node_keys_must_be_nodes()
    {
        var c = Aws();
        c.Monitors[4].Parameters["availabilityZone"] = new Dictionary<string, object?> { ["server1"] = "a", ["server9"] = "b" };
        Only(c, FindingCodes.MissingReference, "monitors[4].availabilityZone.server9");
    }
}
