using ExpressHa.Service.Resources;

namespace ExpressHa.Service.Tests.Resources;

/// <summary>The iproute2 helper's parsing of <c>ip -o -4 addr show</c> (no command runs).</summary>
public sealed class IpAddressesTests
{
    [Fact]
    public void ParsesIpAddrOutput()
    {
        var list = IpAddresses.ParseAddresses(new[]
        {
            "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever",
            "2: eth0    inet 10.0.0.5/24 brd 10.0.0.255 scope global eth0\\       valid_lft forever preferred_lft forever",
            "2: eth0    inet 10.0.0.99/32 scope global eth0\\       valid_lft forever preferred_lft forever",
            "3: veth0@if2    inet 198.19.68.1/24 scope global veth0\\       valid_lft forever preferred_lft forever",
            "garbage",
        });
        Assert.Equal(4, list.Count);
        Assert.Equal(("eth0", "10.0.0.99", 32), (list[2].Interface, list[2].Address.ToString(), list[2].PrefixLength));
        Assert.Equal("veth0", list[3].Interface);
        Assert.True(list[1].Contains(System.Net.IPAddress.Parse("10.0.0.77")));
        Assert.False(list[1].Contains(System.Net.IPAddress.Parse("10.0.1.77")));
    }
}
