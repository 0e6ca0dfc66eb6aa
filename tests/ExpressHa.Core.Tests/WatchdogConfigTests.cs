using ExpressHa.Config;
using ExpressHa.Validation;
using ExpressHa.Yaml;
using static ExpressHa.Core.Tests.TestUtil;

namespace ExpressHa.Core.Tests;

/// <summary>cluster.watchdog: YAML in and out, and the validator's field-path errors.</summary>
public class WatchdogConfigTests
{
    [Fact]
    public void The_watchdog_section_reads_and_writes_back()
    {
        var c = Aws();
        c.Cluster.Watchdog = new WatchdogSettings { TimeoutMs = 5000, Device = "/dev/watchdog1" };
        var yaml = ConfigYamlWriter.Write(c);
        Assert.True(yaml.Contains("watchdog:") && yaml.Contains("timeoutMs: 5000") && yaml.Contains("device: /dev/watchdog1"), yaml);
        var back = Load(yaml);
        Assert.Equal(5000, back.Cluster.Watchdog.TimeoutMs);
        Assert.Equal("/dev/watchdog1", back.Cluster.Watchdog.Device);
        NoErrors(back);
    }

    [Fact]
    public void No_watchdog_writes_no_section_and_reads_as_off()
    {
        var c = Aws();
        Assert.DoesNotContain("watchdog", ConfigYamlWriter.Write(c));
        Assert.False(c.Cluster.Watchdog.IsEnabled);
    }

    [Fact]
    public void A_device_under_dev_counts_whole_seconds()
    {
        var c = Aws();
        c.Cluster.Watchdog = new WatchdogSettings { TimeoutMs = 5500 };
        var f = Only(c, FindingCodes.InvalidValue, "cluster.watchdog.timeoutMs");
        Assert.Contains("use 6000", f.ToString());
    }

    [Fact]
    public void The_timeout_must_outlast_an_interval_and_the_slowest_resolution_check()
    {
        var c = Aws();
        var pr = c.Cluster.PartitionResolution;
        var checks = Math.Max(pr.Ping?.TimeoutMs ?? 0, Math.Max(pr.Tcp?.TimeoutMs ?? 0, pr.Http?.TimeoutMs ?? 0));
        c.Cluster.Watchdog = new WatchdogSettings { TimeoutMs = 400, Device = "/run/expressha/watchdog.standin" };
        Assert.True(checks >= 400, "the seed config's checks are slower than 400 ms");
        var f = Only(c, FindingCodes.TimeoutNotAboveInterval, "cluster.watchdog.timeoutMs");
        Assert.Contains("raise timeoutMs above", f.Fix);
    }

    [Fact]
    public void With_a_witness_the_pause_before_resolution_counts_too()
    {
        var c = Aws();
        c.Cluster.PartitionResolution = new PartitionResolutionSettings { Http = new HttpResolution { Url = "http://198.18.0.9:8080", TimeoutMs = 500 } };
        c.Cluster.Heartbeat.IntervalMs = 1000;
        c.Cluster.Heartbeat.TimeoutMs = 3000;
        c.Cluster.Watchdog = new WatchdogSettings { TimeoutMs = 1000 };
        var f = Only(c, FindingCodes.TimeoutNotAboveInterval, "cluster.watchdog.timeoutMs");
        Assert.Contains("1000 + 500 ms", f.Message);
        c.Cluster.PartitionResolution = new PartitionResolutionSettings { Ping = new PingResolution { Targets = { "198.18.0.9" }, IntervalMs = 200, TimeoutMs = 500 } };
        Assert.DoesNotContain(Validate(c), x => x.Path == "cluster.watchdog.timeoutMs");
    }

    [Fact]
    public void An_empty_device_is_refused_with_the_softdog_hint()
    {
        var c = Aws();
        c.Cluster.Watchdog = new WatchdogSettings { TimeoutMs = 60000, Device = "" };
        var f = Only(c, FindingCodes.MissingField, "cluster.watchdog.device");
        Assert.Contains("softdog", f.Fix);
    }

    [Fact]
    public void Unknown_fields_in_the_section_are_reported()
    {
        var yaml = ConfigYamlWriter.Write(Aws()).Replace("  security:", "  watchdog: { timeoutMs: 60000, timout: 3 }\n  security:");
        var r = ConfigYamlReader.Read(yaml);
        Has(r.Findings, FindingCodes.UnknownField, "cluster.watchdog.timout");
        Assert.Equal(60000, r.Config.Cluster.Watchdog.TimeoutMs);
    }
}
