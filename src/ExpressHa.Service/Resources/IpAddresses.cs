using System.Net;
using System.Net.Sockets;

namespace ExpressHa.Service.Resources;

/// <summary>IPv4 addresses on this node's interfaces with iproute2: <c>ip -o -4 addr show</c>, <c>ip addr add</c>,
/// <c>ip addr del</c>; what the floatip driver and the AWS address resources share. A command prefix (e.g.
/// ["ip","netns","exec","ns1"]) aims it at a network namespace. Failures throw <see cref="ResourceException"/> with
/// CannotRun, Timeout or CommandFailed.</summary>
public sealed class IpAddresses
{
    readonly string[] _prefix;

    public IpAddresses(IEnumerable<string>? commandPrefix = null, TimeSpan? commandTimeout = null)
    {
        _prefix = commandPrefix?.ToArray() ?? Array.Empty<string>();
        CommandTimeout = commandTimeout ?? TimeSpan.FromSeconds(10);
    }

    public TimeSpan CommandTimeout { get; }

    /// <summary>IPv4 addresses of every interface.</summary>
    public async Task<IReadOnlyList<InterfaceAddress>> ListAsync(CancellationToken ct)
    {
        var r = await RunAsync(new[] { "ip", "-o", "-4", "addr", "show" }, ct).ConfigureAwait(false);
        if (!r.Succeeded)
            throw new ResourceException(r.TimedOut ? ResourceErrorCodes.Timeout : ResourceErrorCodes.CommandFailed, "ip -o -4 addr show failed" + Tail(r));
        return ParseAddresses(r.Lines);
    }

    /// <summary>Adds the address; one that is already there is no error.</summary>
    public async Task AddAsync(IPAddress ip, int prefixLength, string iface, CancellationToken ct)
    {
        var r = await RunAsync(new[] { "ip", "addr", "add", $"{ip}/{prefixLength}", "dev", iface }, ct).ConfigureAwait(false);
        if (!r.Succeeded && !Mentions(r, "File exists", "already assigned"))
            throw new ResourceException(r.TimedOut ? ResourceErrorCodes.Timeout : ResourceErrorCodes.CommandFailed, $"ip addr add {ip}/{prefixLength} dev {iface} failed" + Tail(r));
    }

    /// <summary>Removes the address from its interface; one already gone is no error.</summary>
    public async Task DeleteAsync(InterfaceAddress a, CancellationToken ct)
    {
        var r = await RunAsync(new[] { "ip", "addr", "del", $"{a.Address}/{a.PrefixLength}", "dev", a.Interface }, ct).ConfigureAwait(false);
        if (!r.Succeeded && !Mentions(r, "Cannot assign requested address", "Address not found"))
            throw new ResourceException(r.TimedOut ? ResourceErrorCodes.Timeout : ResourceErrorCodes.CommandFailed, $"ip addr del {a.Address}/{a.PrefixLength} dev {a.Interface} failed" + Tail(r));
    }

    /// <summary>Parses lines like "2: eth0    inet 10.0.0.5/24 brd 10.0.0.255 scope global eth0\ valid_lft ...".</summary>
    public static IReadOnlyList<InterfaceAddress> ParseAddresses(IEnumerable<string> lines)
    {
        var list = new List<InterfaceAddress>();
        foreach (var line in lines)
        {
            var f = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            int inet = Array.IndexOf(f, "inet");
            if (f.Length < 4 || inet < 2 || inet + 1 >= f.Length) continue;
            var iface = f[1].Split('@')[0].TrimEnd(':');
            var cidr = f[inet + 1].Split('/');
            if (!IPAddress.TryParse(cidr[0], out var addr)) continue;
            int len = cidr.Length > 1 && int.TryParse(cidr[1], out var l) ? l : 32;
            list.Add(new InterfaceAddress(iface, addr, len));
        }
        return list;
    }

    async Task<CommandResult> RunAsync(string[] argv, CancellationToken ct)
    {
        var full = _prefix.Concat(argv).ToArray();
        if (CommandRunner.FindExecutable(full[0]) == null)
            throw new ResourceException(ResourceErrorCodes.CannotRun, $"{full[0]}: command not found");
        try
        {
            return await CommandRunner.RunAsync(new CommandSpec(full)
            {
                Timeout = CommandTimeout,
                KillGrace = TimeSpan.FromMilliseconds(500),
                DrainBound = TimeSpan.FromMilliseconds(50),
                // Error texts are matched above: keep them untranslated.
                Environment = new Dictionary<string, string> { ["LC_ALL"] = "C" },
            }, ct).ConfigureAwait(false);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ResourceException(ResourceErrorCodes.CannotRun, $"cannot run {string.Join(' ', full)}: {e.Message}", e);
        }
    }

    static bool Mentions(CommandResult r, params string[] texts)
        => !r.TimedOut && r.Lines.Any(l => texts.Any(t => l.Contains(t, StringComparison.OrdinalIgnoreCase)));

    static string Tail(CommandResult r) => r.TimedOut ? ": timed out" : r.LastLine is { Length: > 0 } l ? ": " + l : $": exit {r.ExitCode}";
}

/// <summary>One IPv4 address on an interface.</summary>
public sealed record InterfaceAddress(string Interface, IPAddress Address, int PrefixLength)
{
    public bool Contains(IPAddress ip)
    {
        if (ip.AddressFamily != AddressFamily.InterNetwork || Address.AddressFamily != AddressFamily.InterNetwork) return false;
        uint mask = PrefixLength == 0 ? 0u : uint.MaxValue << (32 - PrefixLength);
        return (ToUInt(Address) & mask) == (ToUInt(ip) & mask);
    }

    static uint ToUInt(IPAddress a)
    {
        var b = a.GetAddressBytes();
        return (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
    }
}
