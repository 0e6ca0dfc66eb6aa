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

/// <summary>The node's own interfaces through <see cref="IpAddresses"/> (iproute2), with a command prefix (e.g.
/// ["ip","netns","exec","ns1"]) so tests can aim it at a network namespace.</summary>
public sealed class IpCommandAddresses : IOsAddresses
{
    readonly IpAddresses _ip;

    public IpCommandAddresses(IEnumerable<string>? commandPrefix = null, TimeSpan? commandTimeout = null)
        => _ip = new IpAddresses(commandPrefix, commandTimeout);

    public async Task<string?> FindAsync(IPAddress ip, CancellationToken ct) =>
        (await _ip.ListAsync(ct).ConfigureAwait(false)).FirstOrDefault(a => a.Address.Equals(ip))?.Interface;

    public async Task AddAsync(IPAddress ip, int prefixLength, string iface, CancellationToken ct)
    {
        if (await FindAsync(ip, ct).ConfigureAwait(false) != null) return;
        await _ip.AddAsync(ip, prefixLength, iface, ct).ConfigureAwait(false);
    }

    public async Task RemoveAsync(IPAddress ip, CancellationToken ct)
    {
        foreach (var a in (await _ip.ListAsync(ct).ConfigureAwait(false)).Where(a => a.Address.Equals(ip)))
            await _ip.DeleteAsync(a, ct).ConfigureAwait(false);
    }
}
