using ExpressHa.Config;
using ExpressHa.Validation;
using static ExpressHa.Core.Tests.TestUtil;

namespace ExpressHa.Core.Tests;

public class ValidatorClusterTests
{
    const string Unsafe = FindingCodes.UnsafeSetup;

    [Theory]
    [InlineData("expressha/v2")]
    [InlineData("")]
    [InlineData("v1")]
    public void ApiVersion_must_be_v1(string version)
    {
        var c = Minimal();
        c.ApiVersion = version;
        Only(c, FindingCodes.UnsupportedApiVersion, "apiVersion");
    }

    [Theory]
    [InlineData(" ", FindingCodes.MissingField)]
    [InlineData("/etc/expressha/api.token", FindingCodes.InvalidValue)] // the API token's own file
    public void Read_only_token_file_must_be_a_path_of_its_own(string file, string code)
    {
        var c = Minimal();
        c.Cluster.Security.ApiTokenFile = "/etc/expressha/api.token";
        c.Cluster.Security.ReadOnlyTokenFile = file;
        Only(c, code, "cluster.security.readOnlyTokenFile");
    }

    [Fact]
    public void Read_only_token_file_is_optional_and_round_trips()
    {
        var c = Minimal();
        Assert.Null(c.Cluster.Security.ReadOnlyTokenFile);
        Assert.DoesNotContain("readOnlyTokenFile", ExpressHa.Yaml.ConfigYamlWriter.Write(c));
        c.Cluster.Security.ReadOnlyTokenFile = "/etc/expressha/api-readonly.token";
        NoErrors(c);
        var yaml = ExpressHa.Yaml.ConfigYamlWriter.Write(c);
        Assert.Contains("readOnlyTokenFile: /etc/expressha/api-readonly.token", yaml);
        Assert.Equal("/etc/expressha/api-readonly.token", Load(yaml).Cluster.Security.ReadOnlyTokenFile);
        Assert.Equal(yaml, ExpressHa.Yaml.ConfigYamlWriter.Write(Load(yaml)));
    }

    [Fact]
    public void Cluster_name_is_required()
    {
        var c = Minimal();
        c.Cluster.Name = "";
        Only(c, FindingCodes.MissingField, "cluster.name");
    }

    [Theory]
    [InlineData("1cluster")]
    [InlineData("my cluster")]
    [InlineData("clu.ster")]
    [InlineData("-x")]
    [InlineData("abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij1234")]
    public void Cluster_name_must_be_valid(string name)
    {
        var c = Minimal();
        c.Cluster.Name = name;
        Only(c, FindingCodes.InvalidValue, "cluster.name");
    }

    [Theory]
    [InlineData("a")]
    [InlineData("Cluster_1-b")]
    [InlineData("abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij123")]
    public void Valid_cluster_names_pass(string name)
    {
        var c = Minimal();
        c.Cluster.Name = name;
        NoErrors(c);
    }

    [Fact]
    public void Duplicate_interconnect_names()
    {
        var c = Aws();
        c.Cluster.Interconnects[1].Name = "lan1";
        var f = Validate(c);
        Has(f, FindingCodes.DuplicateName, "cluster.interconnects[1].name");
        // server addresses keyed lan2 now point at a missing interconnect
        Has(f, FindingCodes.MissingReference, "nodes[0].addresses.lan2");
    }

    [Fact]
    public void Interconnect_role_must_be_known()
    {
        var c = Aws();
        c.Cluster.Interconnects[0].Role = "data";
        Only(c, FindingCodes.InvalidValue, "cluster.interconnects[0].role");
    }

    [Theory]
    [InlineData(1000, 1000)]
    [InlineData(1000, 500)]
    public void Heartbeat_timeout_must_be_above_interval(int interval, int timeout)
    {
        var c = Aws();
        c.Cluster.Heartbeat.IntervalMs = interval;
        c.Cluster.Heartbeat.TimeoutMs = timeout;
        var f = Only(c, FindingCodes.TimeoutNotAboveInterval, "cluster.heartbeat.timeoutMs");
        Assert.Contains(timeout.ToString(), f.Message);
    }

    [Fact]
    public void Heartbeat_interval_must_be_positive()
    {
        var c = Aws();
        c.Cluster.Heartbeat.IntervalMs = 0;
        Only(c, FindingCodes.InvalidValue, "cluster.heartbeat.intervalMs");
    }

    [Fact]
    public void Heartbeat_port_range()
    {
        var c = Aws();
        c.Cluster.Heartbeat.Port = 70000;
        Only(c, FindingCodes.InvalidValue, "cluster.heartbeat.port");
    }

    [Fact]
    public void Ping_needs_targets()
    {
        var c = Aws();
        c.Cluster.PartitionResolution.Ping!.Targets.Clear();
        Only(c, FindingCodes.MissingField, "cluster.partitionResolution.ping.targets");
    }

    [Fact]
    public void Ping_targets_must_be_ipv4()
    {
        var c = Aws();
        c.Cluster.PartitionResolution.Ping!.Targets[1] = "gateway";
        Only(c, FindingCodes.InvalidValue, "cluster.partitionResolution.ping.targets[1]");
    }

    [Fact]
    public void Ping_timeout_must_be_above_interval()
    {
        var c = Aws();
        c.Cluster.PartitionResolution.Ping!.TimeoutMs = 1000;
        Only(c, FindingCodes.TimeoutNotAboveInterval, "cluster.partitionResolution.ping.timeoutMs");
    }

    [Theory]
    [InlineData("witness:8080")]
    [InlineData("ftp://witness/")]
    [InlineData("/witness")]
    public void Http_url_must_be_absolute_http(string url)
    {
        var c = OnPrem();
        c.Cluster.PartitionResolution.Http!.Url = url;
        Only(c, FindingCodes.InvalidValue, "cluster.partitionResolution.http.url");
    }

    [Fact]
    public void Http_url_required()
    {
        var c = OnPrem();
        c.Cluster.PartitionResolution.Http!.Url = "";
        Only(c, FindingCodes.MissingField, "cluster.partitionResolution.http.url");
    }

    [Fact]
    public void Tcp_host_and_port()
    {
        var c = OnPrem();
        c.Cluster.PartitionResolution.Tcp!.Host = " ";
        c.Cluster.PartitionResolution.Tcp!.Port = 0;
        var f = Validate(c);
        Has(f, FindingCodes.MissingField, "cluster.partitionResolution.tcp.host");
        Has(f, FindingCodes.InvalidValue, "cluster.partitionResolution.tcp.port");
        Assert.Equal(2, f.Count(x => x.IsError));
    }

    [Fact]
    public void Majority_needs_three_nodes()
    {
        var c = Aws();
        c.Cluster.PartitionResolution.Majority = true;
        var f = Only(c, FindingCodes.InvalidValue, "cluster.partitionResolution.majority");
        Assert.Contains("3 nodes", f.Message);
        Assert.Contains("ping", f.Fix);
    }

    [Fact]
    public void Partition_action_must_be_known()
    {
        var c = Aws();
        c.Cluster.PartitionResolution.Action = "stopservice";
        var f = Only(c, FindingCodes.InvalidValue, "cluster.partitionResolution.action");
        Assert.Contains("did you mean 'stopService'", f.Fix);
    }

    [Fact]
    public void Fencing_type_must_be_known()
    {
        var c = Aws();
        c.Cluster.Fencing.Levels[0].Type = "ipmi";
        Only(c, FindingCodes.InvalidValue, "cluster.fencing.levels[0].type");
    }

    [Fact]
    public void Script_fencing_needs_a_command()
    {
        var c = OnPrem();
        c.Cluster.Fencing.Levels[0].Command = null;
        Only(c, FindingCodes.MissingField, "cluster.fencing.levels[0].command");
    }

    [Fact]
    public void Aws_fencing_needs_instance_ids()
    {
        var c = Aws();
        c.Nodes[1].InstanceId = null;
        var f = Only(c, FindingCodes.FencingWithoutInstanceId, "nodes[1].instanceId");
        Assert.Contains("server2", f.Message);
    }

    [Fact]
    public void Instance_id_format()
    {
        var c = Aws();
        c.Nodes[0].InstanceId = "0a1b2c";
        Only(c, FindingCodes.InvalidValue, "nodes[0].instanceId");
    }

    [Fact]
    public void Fencing_delay_keys_must_be_nodes()
    {
        var c = Aws();
        c.Cluster.Fencing.DelaySeconds["server3"] = 1;
        Only(c, FindingCodes.MissingReference, "cluster.fencing.delaySeconds.server3");
    }

    [Fact]
    public void Fencing_delay_must_not_be_negative()
    {
        var c = Aws();
        c.Cluster.Fencing.DelaySeconds["server2"] = -1;
        Only(c, FindingCodes.InvalidValue, "cluster.fencing.delaySeconds.server2");
    }

    [Fact]
    public void Equal_fencing_delays_on_two_nodes_warn()
    {
        var c = Aws();
        c.Cluster.Fencing.DelaySeconds.Clear();
        var f = Validate(c);
        Assert.DoesNotContain(f, x => x.IsError);
        var w = Has(f, Unsafe, "cluster.fencing.delaySeconds");
        Assert.Equal(FindingSeverity.Warning, w.Severity);
    }

    [Fact]
    public void Two_nodes_without_resolution_or_fencing_warn()
    {
        var c = Minimal();
        c.Cluster.PartitionResolution = new PartitionResolutionSettings();
        var f = Validate(c);
        Assert.DoesNotContain(f, x => x.IsError);
        Assert.Equal(FindingSeverity.Warning, Has(f, Unsafe, "cluster.partitionResolution").Severity);
    }

    [Fact]
    public void Two_nodes_with_fencing_only_do_not_warn_about_partition()
    {
        var c = Minimal();
        c.Cluster.PartitionResolution = new PartitionResolutionSettings();
        c.Cluster.Fencing.Levels.Add(new FencingLevel { Type = FencingTypes.Script, Command = "/bin/fence" });
        c.Cluster.Fencing.DelaySeconds["a2"] = 5;
        Assert.Empty(Validate(c));
    }

    [Fact]
    public void Sns_topic_arn_format()
    {
        var c = Aws();
        c.Cluster.Notifications.Sns!.TopicArn = "arn:aws:sqs:ap-northeast-1:123456789012:ha";
        Only(c, FindingCodes.InvalidValue, "cluster.notifications.sns.topicArn");
        c.Cluster.Notifications.Sns!.TopicArn = "";
        Only(c, FindingCodes.MissingField, "cluster.notifications.sns.topicArn");
    }

    [Fact]
    public void Sns_min_level()
    {
        var c = Aws();
        c.Cluster.Notifications.Sns!.MinLevel = "warn";
        var f = Only(c, FindingCodes.InvalidValue, "cluster.notifications.sns.minLevel");
        Assert.Contains("warning", f.Fix);
    }

    [Fact]
    public void Aws_endpoint_service_and_url()
    {
        var c = Aws();
        c.Cluster.Aws.Endpoints["ec3"] = "not a url";
        var f = Validate(c);
        Has(f, FindingCodes.UnknownField, "cluster.aws.endpoints.ec3");
        Has(f, FindingCodes.InvalidValue, "cluster.aws.endpoints.ec3");
    }

    [Fact]
    public void Security_port()
    {
        var c = Aws();
        c.Cluster.Security.ApiPort = 0;
        Only(c, FindingCodes.InvalidValue, "cluster.security.apiPort");
    }
}
