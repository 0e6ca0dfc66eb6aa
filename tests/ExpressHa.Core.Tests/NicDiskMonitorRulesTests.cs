using ExpressHa.Config;
using ExpressHa.Schema;
using ExpressHa.Validation;
using static ExpressHa.Core.Tests.TestUtil;

namespace ExpressHa.Core.Tests;

/// <summary>nic and disk monitors: the interface or device per node, checked as each node's value.</summary>
public class NicDiskMonitorRulesTests
{
    static (ClusterConfig Config, string Path) With(string type, string name, object value)
    {
        var c = Aws();
        var m = SchemaRegistry.NewMonitor(name, type, null);
        m.Parameters[type == "nic" ? "interface" : "device"] = value;
        c.Monitors.Add(m);
        return (c, $"monitors[{c.Monitors.Count - 1}]");
    }

    [Fact]
    public void Valid_interface_and_device_pass()
    {
        NoErrors(With("nic", "lanw", "eth0").Config);
        NoErrors(With("disk", "diskw", new SortedDictionary<string, string> { ["server1"] = "/dev/sdb1", ["server2"] = "/dev/nvme1n1" }).Config);
    }

    [Theory]
    [InlineData("eth0/1")]
    [InlineData("eth 0")]
    [InlineData("averyveryverylongname")]
    public void A_bad_interface_name_is_invalid(string name)
    {
        var (c, path) = With("nic", "lanw", name);
        var f = Only(c, FindingCodes.InvalidValue, path + ".interface");
        Assert.Contains("is not an interface name", f.Message);
    }

    [Fact]
    public void A_relative_device_on_one_node_is_invalid_under_that_node()
    {
        var (c, path) = With("disk", "diskw", new SortedDictionary<string, string> { ["server1"] = "/dev/sdb1", ["server2"] = "sdb1" });
        var f = Only(c, FindingCodes.InvalidValue, path + ".device.server2");
        Assert.Equal("'sdb1' is not an absolute path, like /dev/sdb1", f.Message);
    }

    [Fact]
    public void A_missing_interface_is_a_missing_field()
    {
        var c = Aws();
        c.Monitors.Add(SchemaRegistry.NewMonitor("lanw", "nic", null));
        Assert.Contains(Validate(c), f => f.IsError && f.Path == $"monitors[{c.Monitors.Count - 1}].interface");
    }
}
