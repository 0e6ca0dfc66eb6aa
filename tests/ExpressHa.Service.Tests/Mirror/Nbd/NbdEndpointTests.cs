using System.Net;
using System.Net.Sockets;
using ExpressHa.Service.Mirror.Nbd;

namespace ExpressHa.Service.Tests.Mirror.Nbd;

public sealed class NbdEndpointTests
{
    [Theory]
    [InlineData("127.0.0.1:10809", "127.0.0.1", 10809)]
    [InlineData("0.0.0.0:0", "0.0.0.0", 0)]
    [InlineData("*:10809", "0.0.0.0", 10809)]
    [InlineData("localhost:7000", "127.0.0.1", 7000)]
    [InlineData("[::1]:10809", "::1", 10809)]
    public void Parses_tcp_endpoints(string text, string address, int port)
    {
        var ep = NbdEndpoint.Parse(text);
        Assert.False(ep.IsUnix);
        var ip = Assert.IsType<IPEndPoint>(ep.EndPoint);
        Assert.Equal(IPAddress.Parse(address), ip.Address);
        Assert.Equal(port, ip.Port);
    }

    [Fact]
    public void Parses_unix_endpoints()
    {
        var ep = NbdEndpoint.Parse("unix:/run/x.sock");
        Assert.True(ep.IsUnix);
        Assert.Equal("/run/x.sock", ep.UnixPath);
        Assert.IsType<UnixDomainSocketEndPoint>(ep.EndPoint);
        Assert.Equal("unix:/run/x.sock", ep.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("10809")]
    [InlineData("127.0.0.1:")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("127.0.0.1:-1")]
    [InlineData("host.example:10809")]
    [InlineData("::1:10809")]
    [InlineData("unix:")]
    public void Rejects_malformed_endpoints(string text) => Assert.Throws<FormatException>(() => NbdEndpoint.Parse(text));
}
