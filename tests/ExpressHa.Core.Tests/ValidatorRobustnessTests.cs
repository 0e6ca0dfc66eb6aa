using System.Collections;
using ExpressHa.Config;
using ExpressHa.Validation;
using static ExpressHa.Core.Tests.TestUtil;

namespace ExpressHa.Core.Tests;

/// <summary>Models built by code (the cmdlets) can hold anything: nulls, empty strings, raw objects. The validator reports, never throws.</summary>
public class ValidatorRobustnessTests
{
    [Fact]
    public void Empty_model_gives_findings_not_exceptions()
    {
        var f = Validate(new ClusterConfig());
        Has(f, FindingCodes.MissingField, "cluster.name");
        Has(f, FindingCodes.MissingField, "nodes");
    }

    [Fact]
    public void Nulls_everywhere_do_not_throw()
    {
        var c = new ClusterConfig
        {
            ApiVersion = null!,
            Cluster = new ClusterSettings
            {
                Name = null!,
                Interconnects = new List<InterconnectConfig> { null!, new InterconnectConfig { Name = null!, Role = null! } },
                Heartbeat = null!,
                PartitionResolution = new PartitionResolutionSettings { Ping = new PingResolution { Targets = new List<string> { null!, "" } }, Http = new HttpResolution { Url = null! }, Tcp = new TcpResolution { Host = null! }, Action = null!, Majority = true },
                Fencing = new FencingSettings { Levels = new List<FencingLevel> { null!, new FencingLevel { Type = null!, Command = null } }, DelaySeconds = null! },
                Notifications = new NotificationSettings { Sns = new SnsNotification { TopicArn = null!, MinLevel = null! } },
                Security = null!,
                Aws = new AwsSettings { Endpoints = null! },
                ShutdownCommand = null!,
                RebootCommand = null!,
            },
            Nodes = new List<NodeConfig> { null!, new NodeConfig { Name = null!, Addresses = null!, InstanceId = "" }, new NodeConfig { Name = "n2", Addresses = { ["lan1"] = null! } } },
            Groups = new List<GroupConfig>
            {
                null!,
                new GroupConfig { Name = null!, Startup = null!, Failback = null!, Servers = null!, Resources = null! },
                new GroupConfig
                {
                    Name = "g", Servers = new List<string> { null!, "n2", "n2" },
                    Resources = new List<ResourceConfig>
                    {
                        null!,
                        new ResourceConfig { Name = null!, Type = null!, DependsOn = null!, Parameters = null!, OnActivationFailure = null!, OnDeactivationFailure = null! },
                        new ResourceConfig { Name = "r", Type = "awsvip", DependsOn = new List<string> { null!, "r", "" }, Parameters = { ["ip"] = null!, ["eni"] = new Hashtable { [1] = null, ["n2"] = new ArrayList() }, ["x"] = null! } },
                        new ResourceConfig { Name = "m", Type = "mirror", Parameters = { ["dataPath"] = new Dictionary<int, object?>(), ["metaPath"] = "str", ["sizeMiB"] = 1.5, ["mirrorAddress"] = new Hashtable { ["n2"] = new Hashtable() } } },
                        new ResourceConfig { Name = "d", Type = "awsdns", Parameters = { ["recordName"] = ".", ["hostedZoneId"] = new object[] { null! }, ["ttl"] = true } },
                    },
                },
            },
            Monitors = new List<MonitorConfig>
            {
                null!,
                new MonitorConfig { Name = null!, Type = null!, Target = "", Timing = null!, Recovery = null!, Parameters = null!, OnApiFailure = "" },
                new MonitorConfig { Name = "w", Type = "awsaz", Target = "r", Recovery = new RecoverySettings { Target = "", FinalAction = null! }, Parameters = { ["availabilityZone"] = new Hashtable { ["zz"] = 3 } } },
            },
        };
        var f = Validate(c);
        Assert.NotEmpty(f);
        Assert.All(f, x =>
        {
            Assert.False(string.IsNullOrEmpty(x.Path));
            Assert.False(string.IsNullOrEmpty(x.Message));
            Assert.False(string.IsNullOrEmpty(x.Fix));
        });
        Has(f, FindingCodes.MissingField, "nodes[0]");
        Has(f, FindingCodes.MissingField, "groups[2].resources[0]");
        Has(f, FindingCodes.DependencyCycle, "groups[2].resources[2].dependsOn");
        Assert.Equal(Dump(f), Dump(Validate(c)));
    }

    sealed class Hostile
    {
        public override string ToString() => throw new InvalidOperationException("boom");
    }

    sealed class HostileFormattable : IFormattable
    {
        public string ToString(string? format, IFormatProvider? formatProvider) => throw new FormatException("boom");
    }

    [Fact]
    public void Objects_that_throw_when_printed_are_reported()
    {
        var c = Aws();
        Res(c, "awsdns1").Parameters["ttl"] = new HostileFormattable();
        Res(c, "awsdns1").Parameters["recordName"] = new Hostile();
        Res(c, "awsvip1").Parameters["eni"] = new Hashtable { ["server1"] = new HostileFormattable(), ["server2"] = "eni-2" };
        var f = Validate(c);
        Has(f, FindingCodes.InvalidValue, "groups[0].resources[2].ttl");
        Has(f, FindingCodes.InvalidValue, "groups[0].resources[2].recordName");
        Has(f, FindingCodes.InvalidValue, "groups[0].resources[0].eni.server1");
    }
}
