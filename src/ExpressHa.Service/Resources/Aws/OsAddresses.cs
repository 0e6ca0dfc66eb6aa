using System.Net;

namespace ExpressHa.Service.Resources.Aws;

/// <summary>The OS side of an AWS address resource: add, find and remove an IPv4 address on an interface.
/// Failures throw <see cref="ResourceException"/> with <see cref="ResourceErrorCodes"/> (CannotRun, Timeout,
/// CommandFailed); the AWS drivers map them to their own codes.</summary>
public interface IOsAddresses
{
    /// <summary>The interface holding the address, or null.</summary>
    Task<string?> FindAsync(IPAddress ip, CancellationToken ct);
    Task AddAsync(IPAddress ip, int prefixLength, string iface, CancellationToken ct);
    /// <summary>Removes the address from every interface holding it; absent → nothing to do.</summary>
    Task RemoveAsync(IPAddress ip, CancellationToken ct);
}

/// <summary>iproute2: <c>ip -o -4 addr show</c>, <c>ip addr add IP/LEN dev IFACE</c>, <c>ip addr del</c>, with a
/// command prefix (e.g. ["ip","netns","exec","ns1"]) so tests can aim it at a network namespace.</summary>
public sealed class IpCommandAddresses : IOsAddresses
{
    readonly string[] _prefix;
    readonly TimeSpan _timeout;

    public IpCommandAddresses(IEnumerable<string>? commandPrefix = null, TimeSpan? commandTimeout = null)
    {
        _prefix = commandPrefix?.ToArray() ?? Array.Empty<string>();
        _timeout = commandTimeout ?? TimeSpan.FromSeconds(10);
    }

    public async Task<string?> FindAsync(IPAddress ip, CancellationToken ct) =>
        (await ListAsync(ct).ConfigureAwait(false)).FirstOrDefault(a => a.Address.Equals(ip))?.Interface;

    public async Task AddAsync(IPAddress ip, int prefixLength, string iface, CancellationToken ct)
    {
        if (await FindAsync(ip, ct).ConfigureAwait(false) != null) return;
        var r = await RunAsync(new[] { "ip", "addr", "add", $"{ip}/{prefixLength}", "dev", iface }, ct).ConfigureAwait(false);
        if (!r.Succeeded && !Mentions(r, "File exists", "already assigned"))
            throw new ResourceException(r.TimedOut ? ResourceErrorCodes.Timeout : ResourceErrorCodes.CommandFailed, $"ip addr add {ip}/{prefixLength} dev {iface} failed" + Tail(r));
    }

    public async Task RemoveAsync(IPAddress ip, CancellationToken ct)
    {
        foreach (var a in (await ListAsync(ct).ConfigureAwait(false)).Where(a => a.Address.Equals(ip)))
        {
            var r = await RunAsync(new[] { "ip", "addr", "del", $"{a.Address}/{a.PrefixLength}", "dev", a.Interface }, ct).ConfigureAwait(false);
            if (!r.Succeeded && !Mentions(r, "Cannot assign requested address", "Address not found"))
                throw new ResourceException(r.TimedOut ? ResourceErrorCodes.Timeout : ResourceErrorCodes.CommandFailed, $"ip addr del {a.Address}/{a.PrefixLength} dev {a.Interface} failed" + Tail(r));
        }
    }

    async Task<IReadOnlyList<InterfaceAddress>> ListAsync(CancellationToken ct)
    {
        var r = await RunAsync(new[] { "ip", "-o", "-4", "addr", "show" }, ct).ConfigureAwait(false);
        if (!r.Succeeded)
            throw new ResourceException(r.TimedOut ? ResourceErrorCodes.Timeout : ResourceErrorCodes.CommandFailed, "ip -o -4 addr show failed" + Tail(r));
        return FloatIpResource.ParseAddresses(r.Lines);
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
                Timeout = _timeout,
                KillGrace = TimeSpan.FromMilliseconds(500),
                Environment = new Dictionary<string, string> { ["LC_ALL"] = "C" },
            }, ct).ConfigureAwait(false);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ResourceException(ResourceErrorCodes.CannotRun, $"cannot run {string.Join(' ', full)}: {e.Message}", e);
        }
    }

    static bool Mentions(CommandResult r, params string[] texts) =>
        !r.TimedOut && r.Lines.Any(l => texts.Any(t => l.Contains(t, StringComparison.OrdinalIgnoreCase)));

    static string Tail(CommandResult r) => r.TimedOut ? ": timed out" : r.LastLine is { Length: > 0 } l ? ": " + l : $": exit {r.ExitCode}";
}
