using ExpressHa.Config;
using ExpressHa.Validation;
using ExpressHa.Yaml;
using static ExpressHa.Core.Tests.TestUtil;

namespace ExpressHa.Core.Tests;

public class YamlRoundTripTests
{
    public static IEnumerable<object[]> Seeds() => SeedConfigs.All.Select((_, i) => new object[] { i });

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Read_write_read_gives_an_equal_model(int seed)
    {
        var first = Load(SeedConfigs.All[seed]);
        var text1 = ConfigYamlWriter.Write(first);
        var second = ConfigYamlReader.Read(text1);
        Assert.Empty(second.Findings);
        var text2 = ConfigYamlWriter.Write(second.Config);
        Assert.Equal(text1, text2);
        Assert.Equal(Dump(Validate(first)), Dump(Validate(second.Config)));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Writing_twice_gives_the_same_bytes(int seed)
    {
        var c = Load(SeedConfigs.All[seed]);
        var a = System.Text.Encoding.UTF8.GetBytes(ConfigYamlWriter.Write(c));
        var b = System.Text.Encoding.UTF8.GetBytes(ConfigYamlWriter.Write(c));
        Assert.Equal(a, b);
    }

    [Fact]
    public void Model_details_survive_the_round_trip()
    {
        var c = ConfigYamlReader.Read(ConfigYamlWriter.Write(Aws())).Config;
        Assert.Equal("cluster", c.Cluster.Name);
        Assert.Equal(new[] { "lan1", "lan2" }, c.Cluster.Interconnects.Select(i => i.Name));
        Assert.Equal(5, c.Cluster.Fencing.DelaySeconds["server2"]);
        Assert.Equal("10.0.111.10", c.Nodes[0].Addresses["lan2"]);
        var vip = Res(c, "awsvip1");
        Assert.Equal("10.1.0.20", vip.Parameters["ip"]);
        Assert.Equal("eni-bbb222", ((SortedDictionary<string, string>)vip.Parameters["eni"])["server2"]);
        Assert.Equal(10L, Res(c, "awsdns1").Parameters["ttl"]);
        Assert.Equal(new[] { "awsvip1", "awsdns1", "md1" }, Res(c, "app").DependsOn);
        Assert.Equal(FinalActions.StopGroup, Res(c, "app").OnActivationFailure.FinalAction);
        Assert.Equal("failover2", Mon(c, "awssipw1").Recovery.Target);
        Assert.Equal(ApiFailureActions.Ignore, Mon(c, "awsazw").OnApiFailure);
    }

    [Fact]
    public void Strings_that_look_typed_stay_strings()
    {
        var c = Minimal();
        var r = Res(c, "r1");
        r.Parameters["start"] = "true";
        r.Parameters["stop"] = "0123";
        r.Parameters["workingDirectory"] = "null";
        r.Parameters["environment"] = new SortedDictionary<string, string> { ["A"] = "yes", ["B"] = "", ["C"] = "1.5", ["D"] = "a: b # c" };
        var back = ConfigYamlReader.Read(ConfigYamlWriter.Write(c));
        Assert.Empty(back.Findings);
        var r2 = Res(back.Config, "r1");
        Assert.Equal("true", r2.Parameters["start"]);
        Assert.Equal("0123", r2.Parameters["stop"]);
        Assert.Equal("null", r2.Parameters["workingDirectory"]);
        Assert.Equal(r.Parameters["environment"], r2.Parameters["environment"]);
        Assert.Equal(ConfigYamlWriter.Write(c), ConfigYamlWriter.Write(back.Config));
    }

    [Fact]
    public void A_model_built_in_code_round_trips()
    {
        var c = new ClusterConfig();
        c.Cluster.Name = "built";
        c.Cluster.Interconnects.Add(new InterconnectConfig { Name = "lan1" });
        c.Nodes.Add(new NodeConfig { Name = "s1", Addresses = { ["lan1"] = "10.0.0.1" } });
        c.Nodes.Add(new NodeConfig { Name = "s2", Addresses = { ["lan1"] = "10.0.0.2" } });
        c.Groups.Add(new GroupConfig { Name = "g", Servers = { "s1", "s2" }, Resources = { new ResourceConfig { Name = "e", Type = "exec", Parameters = { ["start"] = "run" } } } });
        c.Monitors.Add(Schema.SchemaRegistry.NewMonitor("uw", "userw", null));
        var text = ConfigYamlWriter.Write(c);
        var back = ConfigYamlReader.Read(text);
        Assert.Empty(back.Findings);
        Assert.Equal(text, ConfigYamlWriter.Write(back.Config));
    }
}

public class YamlReaderErrorTests
{
    [Theory]
    [InlineData("apiVersion: expressha/v1\ncluster:\n  name: [unclosed\nnodes: []\n", 3)]
    [InlineData("apiVersion: expressha/v1\ncluster:\n  name: a\n nodes: x\n", 4)]
    [InlineData("apiVersion: expressha/v1\ncluster: { name: a\n", 3)]
    [InlineData("apiVersion: expressha/v1\nnodes:\n  - name: a\n  name: b\n", 4)]
    [InlineData("apiVersion: \"expressha/v1\n", 2)]
    public void Malformed_yaml_throws_with_line_and_column(string text, int line)
    {
        var ex = Assert.Throws<ConfigParseException>(() => ConfigYamlReader.Read(text, "bad.yaml"));
        Assert.True(ex.Line >= line - 1 && ex.Line <= line, $"line {ex.Line}, expected about {line}: {ex.Message}");
        Assert.True(ex.Column >= 1, ex.Message);
        Assert.Equal("bad.yaml", ex.Source);
        Assert.StartsWith($"bad.yaml: line {ex.Line}, column {ex.Column}: ", ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    [InlineData("- a\n- b\n")]
    [InlineData("just text")]
    [InlineData("a: 1\n---\nb: 2\n")]
    public void Not_a_config_throws(string text)
    {
        var ex = Assert.Throws<ConfigParseException>(() => ConfigYamlReader.Read(text));
        Assert.True(ex.Line >= 1);
    }

    [Fact]
    public void Unknown_field_gives_a_finding_with_its_line()
    {
        var text = SeedConfigs.Aws.Replace("  heartbeat: { intervalMs: 1000, timeoutMs: 10000, port: 29002 }",
                                           "  heartbeat: { intervalMs: 1000, timeoutMS: 10000, port: 29002 }");
        var r = ConfigYamlReader.Read(text, "c.yaml");
        var f = TestUtil.Has(r.Findings, FindingCodes.UnknownField, "cluster.heartbeat.timeoutMS");
        Assert.Equal(text.Split('\n').ToList().FindIndex(l => l.Contains("timeoutMS")) + 1, f.Line);
        Assert.Contains("did you mean 'timeoutMs'", f.Fix);
        Assert.Equal("c.yaml", f.Source);
    }

    [Fact]
    public void Unknown_parameter_is_reported_once_when_merged()
    {
        var text = SeedConfigs.Aws.Replace("        vpcId: vpc-1234abcd", "        vpcID: vpc-1234abcd");
        var r = ConfigYamlReader.Read(text, "c.yaml");
        var merged = ConfigValidator.Validate(r, "c.yaml");
        var unknown = merged.Where(x => x.Code == FindingCodes.UnknownField).ToList();
        Assert.Single(unknown);
        Assert.Equal("groups[0].resources[0].vpcID", unknown[0].Path);
        Assert.Equal(text.Split('\n').ToList().FindIndex(l => l.Contains("vpcID")) + 1, unknown[0].Line);
        // vpcId is required: the validator adds that, located at the resource
        var missing = TestUtil.Has(merged, FindingCodes.MissingField, "groups[0].resources[0].vpcId");
        Assert.NotNull(missing.Line);
        // merged findings are ordered by line
        Assert.Equal(merged.Select(x => x.Line ?? int.MaxValue).OrderBy(x => x), merged.Select(x => x.Line ?? int.MaxValue));
    }

    [Fact]
    public void Bad_parameter_value_is_kept_raw_and_reported_by_the_validator()
    {
        var text = SeedConfigs.Aws.Replace("        ttl: 10", "        ttl: [1, 2]");
        var r = ConfigYamlReader.Read(text);
        Assert.Empty(r.Findings);
        var f = TestUtil.Has(ConfigValidator.Validate(r.Config), FindingCodes.InvalidValue, "groups[0].resources[2].ttl");
        Assert.Contains("not a list", f.Message);
    }

    [Fact]
    public void Wrong_shape_is_a_reader_finding()
    {
        var text = SeedConfigs.OnPrem.Replace("  heartbeat:\n    intervalMs: 500\n    timeoutMs: 5000\n", "  heartbeat: fast\n");
        var r = ConfigYamlReader.Read(text);
        TestUtil.Has(r.Findings, FindingCodes.InvalidValue, "cluster.heartbeat");
    }
}
