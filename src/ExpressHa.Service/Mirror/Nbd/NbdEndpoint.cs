using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ExpressHa.Service.Mirror.Nbd;

/// <summary>Where the NBD server listens: <c>host:port</c> (an IP literal, <c>[v6]:port</c>, <c>localhost</c>, or
/// <c>*</c> for every address) or <c>unix:/path</c>.</summary>
public sealed record NbdEndpoint(EndPoint EndPoint, string? UnixPath)
{
    public bool IsUnix => UnixPath is not null;

    public static NbdEndpoint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var s = text.Trim();
        if (s.StartsWith("unix:", StringComparison.OrdinalIgnoreCase))
        {
            var path = s["unix:".Length..];
            if (path.Length == 0) throw new FormatException($"'{text}': unix endpoint needs a path");
            return new NbdEndpoint(new UnixDomainSocketEndPoint(path), path);
        }

        var colon = s.LastIndexOf(':');
        if (colon < 0) throw new FormatException($"'{text}': expected host:port or unix:/path");
        var host = s[..colon];
        var portText = s[(colon + 1)..];
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > IPEndPoint.MaxPort)
            throw new FormatException($"'{text}': port '{portText}' is not a number from 0 to 65535");

        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
        else if (host.Contains(':')) throw new FormatException($"'{text}': write an IPv6 address as [address]:port");

        IPAddress address;
        if (host is "" or "*") address = IPAddress.Any;
        else if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) address = IPAddress.Loopback;
        else if (!IPAddress.TryParse(host, out address!))
            throw new FormatException($"'{text}': '{host}' is not an IP address");
        return new NbdEndpoint(new IPEndPoint(address, port), null);
    }

    public override string ToString() => UnixPath is not null ? "unix:" + UnixPath : EndPoint.ToString()!;
}
