using System.Net;
using Amazon.EC2.Model;
using ExpressHa.Service.Aws;

namespace ExpressHa.Service.Resources.Aws;

/// <summary>awssip: a secondary private IP assigned to the local ENI (nodes in one subnet). Start:
/// DescribeNetworkInterfaces (primary private IP and subnet: 68 when unreadable), DescribeSubnets (the address must
/// fall inside: 55), AssignPrivateIpAddresses with AllowReassignment (55 with the AWS text on failure), read back,
/// then the address is added to the OS interface with the subnet's prefix length. Stop: UnassignPrivateIpAddresses
/// when our ENI holds it (read back), and the OS address is removed. Codes: <see cref="AwsCodes"/>.</summary>
public sealed class AwsSipResource : IResourceDriver
{
    public const string LogModule = "awssip";
    const string AssignFailed = "Failed to assign the secondary IP address on the AWS side.";
    readonly AwsClientsProvider _clients;
    readonly IOsAddresses _os;

    public AwsSipResource(AwsClientsProvider clients, IOsAddresses? osAddresses = null)
    {
        _clients = clients ?? throw new ArgumentNullException(nameof(clients));
        _os = osAddresses ?? new IpCommandAddresses();
    }

    public string Type => "awssip";

    public async Task StartAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        var r = context.Resource;
        var ip = AwsParams.Ipv4(AwsParams.String(r, "ip"), "ip");
        var budget = new AwsBudget(AwsParams.Seconds(r, "timeoutSeconds", 100));
        int prefix;
        try
        {
            var clients = _clients.Get(context.Config);
            var eniId = await LocalEni.ResolveAsync(r, context.Node, clients, budget, cancellationToken).ConfigureAwait(false);
            NetworkInterface eni;
            try { eni = await DescribeEniAsync(clients, budget, eniId, cancellationToken).ConfigureAwait(false); }
            catch (Exception e) when (e is not ResourceException && !cancellationToken.IsCancellationRequested && AwsRetry.Translate(e) is { IsTimeout: false } a)
            {
                throw new ResourceException(AwsCodes.SipPrimaryIpFailed, $"Failed to obtain a primary private IP address.({AwsErrors.Text(a)})", e);
            }
            if (string.IsNullOrEmpty(eni.PrivateIpAddress))
                throw new ResourceException(AwsCodes.SipPrimaryIpFailed, $"Failed to obtain a primary private IP address.({eniId} has none)");

            var subnets = await budget.Call(c => clients.Ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest { SubnetIds = [eni.SubnetId] }, c), "DescribeSubnets", cancellationToken).ConfigureAwait(false);
            var cidr = subnets.Subnets?.FirstOrDefault()?.CidrBlock ?? AwsParams.String(r, "subnetCidr");
            if (cidr != null && !AwsParams.CidrContains(cidr, ip))
                throw new ResourceException(AwsCodes.SipAssignFailed, $"{AssignFailed}(Address does not fall within the subnet's address range: {ip} is outside {cidr} of {eni.SubnetId})");
            prefix = AwsParams.CidrPrefix(cidr, 24);

            if (!Holds(eni, ip))
            {
                try
                {
                    await budget.Call(c => clients.Ec2.AssignPrivateIpAddressesAsync(new AssignPrivateIpAddressesRequest
                    {
                        NetworkInterfaceId = eniId, PrivateIpAddresses = [ip.ToString()], AllowReassignment = true,
                    }, c), "AssignPrivateIpAddresses", cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested && AwsRetry.Translate(e) is { IsTimeout: false } a)
                {
                    throw new ResourceException(AwsCodes.SipAssignFailed, $"{AssignFailed}({AwsErrors.Text(a)})", e);
                }
                await ReadBack.RequireAsync(c => DescribeEniAsync(clients, budget, eniId, c), x => Holds(x, ip),
                    budget.ReadBack(), $"{ip} on {eniId}", cancellationToken).ConfigureAwait(false);
                context.Alerts.Log(LogModule, $"{r.Name}: {ip} assigned to {eniId}");
            }
        }
        catch (Exception e) when (e is not ResourceException && !cancellationToken.IsCancellationRequested)
        {
            throw AwsErrors.ToResource(e, AwsCodes.ApiFailed, AwsCodes.SipTimeout);
        }
        var iface = AwsVipResource.OsInterface(r, context.Node.Name);
        if (iface == null) return;
        await AwsVipResource.OsStep(() => _os.AddAsync(ip, prefix, iface, cancellationToken)).ConfigureAwait(false);
        context.Alerts.Log(LogModule, $"{r.Name}: {ip}/{prefix} is on {iface}");
    }

    public async Task StopAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        var r = context.Resource;
        var ip = AwsParams.Ipv4(AwsParams.String(r, "ip"), "ip");
        var budget = new AwsBudget(AwsParams.Seconds(r, "timeoutSeconds", 100));
        if (AwsVipResource.OsInterface(r, context.Node.Name) != null) await AwsVipResource.OsStep(() => _os.RemoveAsync(ip, cancellationToken)).ConfigureAwait(false);
        try
        {
            var clients = _clients.Get(context.Config);
            var eniId = await LocalEni.ResolveAsync(r, context.Node, clients, budget, cancellationToken).ConfigureAwait(false);
            var eni = await DescribeEniAsync(clients, budget, eniId, cancellationToken).ConfigureAwait(false);
            if (!Holds(eni, ip)) return;
            await budget.Call(c => clients.Ec2.UnassignPrivateIpAddressesAsync(new UnassignPrivateIpAddressesRequest
            {
                NetworkInterfaceId = eniId, PrivateIpAddresses = [ip.ToString()],
            }, c), "UnassignPrivateIpAddresses", cancellationToken).ConfigureAwait(false);
            await ReadBack.RequireAsync(c => DescribeEniAsync(clients, budget, eniId, c), x => !Holds(x, ip),
                budget.ReadBack(), $"{ip} off {eniId}", cancellationToken).ConfigureAwait(false);
            context.Alerts.Log(LogModule, $"{r.Name}: {ip} unassigned from {eniId}");
        }
        catch (Exception e) when (e is not ResourceException && !cancellationToken.IsCancellationRequested)
        {
            throw AwsErrors.ToResource(e, AwsCodes.ApiFailed, AwsCodes.SipTimeout);
        }
    }

    /// <summary>Active when this node's ENI holds the address as a secondary IP or the OS holds it (either is
    /// something a stop removes); AWS errors: unknown.</summary>
    public Task<ResourceProbe> ProbeAsync(ResourceContext context, CancellationToken cancellationToken) => AwsProbe.GuardAsync(async () =>
    {
        var r = context.Resource;
        var ip = AwsParams.Ipv4(AwsParams.String(r, "ip"), "ip");
        if (AwsVipResource.OsInterface(r, context.Node.Name) != null && await _os.FindAsync(ip, cancellationToken).ConfigureAwait(false) != null)
            return ResourceProbe.Active;
        var budget = AwsProbe.Budget(r, 100);
        var clients = _clients.Get(context.Config);
        var eniId = await LocalEni.ResolveAsync(r, context.Node, clients, budget, cancellationToken).ConfigureAwait(false);
        var eni = await DescribeEniAsync(clients, budget, eniId, cancellationToken).ConfigureAwait(false);
        return Holds(eni, ip) ? ResourceProbe.Active : ResourceProbe.Inactive;
    }, cancellationToken);

    public static bool Holds(NetworkInterface eni, IPAddress ip) =>
        eni.PrivateIpAddresses != null && eni.PrivateIpAddresses.Any(p => p.Primary != true && p.PrivateIpAddress == ip.ToString());

    public static async Task<NetworkInterface> DescribeEniAsync(IAwsClients clients, AwsBudget budget, string eniId, CancellationToken ct)
    {
        var res = await budget.Call(c => clients.Ec2.DescribeNetworkInterfacesAsync(new DescribeNetworkInterfacesRequest { NetworkInterfaceIds = [eniId] }, c),
            "DescribeNetworkInterfaces", ct).ConfigureAwait(false);
        return res.NetworkInterfaces?.FirstOrDefault() ?? throw new ResourceException(AwsCodes.ApiFailed, $"The networkInterface ID '{eniId}' does not exist");
    }
}
