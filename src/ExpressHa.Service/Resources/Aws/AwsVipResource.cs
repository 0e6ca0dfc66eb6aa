using System.Net;
using Amazon.EC2.Model;
using ExpressHa.Config;
using ExpressHa.Service.Aws;

namespace ExpressHa.Service.Resources.Aws;

/// <summary>awsvip: a virtual IP outside the VPC CIDR, reached through a /32 route in the VPC's route tables.
/// Start: DescribeVpcs (the VIP must lie outside every CIDR of the VPC: code 53); DescribeRouteTables of the VPC
/// holding ip/32; ReplaceRoute to the local ENI in each that does not point at it yet (as aws-vpc-move-ip and the
/// products do; a VPC where no table holds the route is an error, 50); read back until every route points at the
/// ENI; then the address is added to the OS interface as /32. Stop removes the OS address only: the route keeps
/// pointing at the last owner until the next node takes it. Codes: <see cref="AwsCodes"/>.</summary>
public sealed class AwsVipResource : IResourceDriver
{
    public const string LogModule = "awsvip";
    readonly AwsClientsProvider _clients;
    readonly IOsAddresses _os;

    public AwsVipResource(AwsClientsProvider clients, IOsAddresses? osAddresses = null)
    {
        _clients = clients ?? throw new ArgumentNullException(nameof(clients));
        _os = osAddresses ?? new IpCommandAddresses();
    }

    public string Type => "awsvip";

    public async Task StartAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        var r = context.Resource;
        var ip = AwsParams.Ipv4(AwsParams.String(r, "ip"), "ip");
        var vpcId = AwsParams.Required(r, "vpcId");
        var budget = new AwsBudget(AwsParams.Seconds(r, "timeoutSeconds", 100));
        var dest = ip + "/32";
        try
        {
            var clients = _clients.Get(context.Config);
            var vpcs = await budget.Call(c => clients.Ec2.DescribeVpcsAsync(new DescribeVpcsRequest { VpcIds = [vpcId] }, c), "DescribeVpcs", cancellationToken).ConfigureAwait(false);
            var vpc = vpcs.Vpcs?.FirstOrDefault() ?? throw new ResourceException(AwsCodes.ApiFailed, $"The vpc ID '{vpcId}' does not exist");
            var cidrs = new List<string?> { vpc.CidrBlock };
            if (vpc.CidrBlockAssociationSet != null) cidrs.AddRange(vpc.CidrBlockAssociationSet.Select(a => a.CidrBlock));
            if (cidrs.Any(c => AwsParams.CidrContains(c, ip)))
                throw new ResourceException(AwsCodes.VipInsideVpc, $"The VIP address belongs to a VPC subnet. ({ip} is inside {string.Join(", ", cidrs.Where(c => c != null).Distinct())} of {vpcId})");

            var eni = await LocalEni.ResolveAsync(r, context.Node, clients, budget, cancellationToken).ConfigureAwait(false);
            var tables = await DescribeVipTablesAsync(clients, budget, vpcId, dest, cancellationToken).ConfigureAwait(false);
            if (tables.Count == 0)
                throw new ResourceException(AwsCodes.ApiFailed, $"No route table of {vpcId} has a route to {dest}; add the route first.");
            foreach (var t in tables)
            {
                var route = t.Routes.First(x => x.DestinationCidrBlock == dest);
                if (route.NetworkInterfaceId == eni) continue;
                await budget.Call(c => clients.Ec2.ReplaceRouteAsync(new ReplaceRouteRequest { RouteTableId = t.RouteTableId, DestinationCidrBlock = dest, NetworkInterfaceId = eni }, c),
                    "ReplaceRoute", cancellationToken).ConfigureAwait(false);
                context.Alerts.Log(LogModule, $"{r.Name}: {t.RouteTableId} {dest} -> {eni} (was {route.NetworkInterfaceId ?? route.InstanceId ?? route.GatewayId})");
            }
            await ReadBack.RequireAsync(c => DescribeVipTablesAsync(clients, budget, vpcId, dest, c),
                ts => ts.Count > 0 && ts.All(t => t.Routes.First(x => x.DestinationCidrBlock == dest).NetworkInterfaceId == eni),
                budget.ReadBack(), $"routes to {dest} in {vpcId}", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not ResourceException && !cancellationToken.IsCancellationRequested)
        {
            throw AwsErrors.ToResource(e, AwsCodes.ApiFailed, AwsCodes.VipTimeout);
        }

        var iface = OsInterface(r, context.Node.Name);
        if (iface == null)
        {
            context.Alerts.Log(LogModule, $"{r.Name}: {ip}/32 is not added to an OS interface (interface: none)");
            return;
        }
        await OsStep(() => _os.AddAsync(ip, 32, iface, cancellationToken)).ConfigureAwait(false);
        context.Alerts.Log(LogModule, $"{r.Name}: {ip}/32 is on {iface}");
    }

    public async Task StopAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        var ip = AwsParams.Ipv4(AwsParams.String(context.Resource, "ip"), "ip");
        if (OsInterface(context.Resource, context.Node.Name) != null) await OsStep(() => _os.RemoveAsync(ip, cancellationToken)).ConfigureAwait(false);
        context.Alerts.Log(LogModule, $"{context.Resource.Name}: removed {ip} from the OS (the route stays on the last owner)");
    }

    /// <summary>Active when the OS holds the address (a leftover to remove, wherever the routes point). With interface
    /// none the routes are the only state, and a clean stop leaves them on the last owner, so they cannot show whether the
    /// resource runs here: unknown (the journal decides). AWS errors: unknown.</summary>
    public Task<ResourceProbe> ProbeAsync(ResourceContext context, CancellationToken cancellationToken) => AwsProbe.GuardAsync(async () =>
    {
        var r = context.Resource;
        var ip = AwsParams.Ipv4(AwsParams.String(r, "ip"), "ip");
        var iface = OsInterface(r, context.Node.Name);
        if (iface == null) return ResourceProbe.Unknown;
        return await _os.FindAsync(ip, cancellationToken).ConfigureAwait(false) != null ? ResourceProbe.Active : ResourceProbe.Inactive;
    }, cancellationToken);

    /// <summary>The OS interface the address goes on; null for "none" (the address is handled outside the cluster, or
    /// the node is not a real host, as in the demo).</summary>
    public static string? OsInterface(Config.ResourceConfig r, string node)
    {
        var iface = r.GetParameter("interface", node) ?? "eth0";
        return string.Equals(iface, "none", StringComparison.OrdinalIgnoreCase) ? null : iface;
    }

    /// <summary>The route tables of the VPC holding a route to dest (only tables whose routes really contain it).</summary>
    public static async Task<IReadOnlyList<RouteTable>> DescribeVipTablesAsync(IAwsClients clients, AwsBudget budget, string vpcId, string dest, CancellationToken ct)
    {
        var res = await budget.Call(c => clients.Ec2.DescribeRouteTablesAsync(new DescribeRouteTablesRequest
        {
            Filters = [new Filter("vpc-id", [vpcId]), new Filter("route.destination-cidr-block", [dest])],
        }, c), "DescribeRouteTables", ct).ConfigureAwait(false);
        return (res.RouteTables ?? new List<RouteTable>()).Where(t => t.Routes != null && t.Routes.Any(x => x.DestinationCidrBlock == dest)).ToList();
    }

    internal static async Task OsStep(Func<Task> step)
    {
        try { await step().ConfigureAwait(false); }
        catch (ResourceException e) when (e.Code == ResourceErrorCodes.CannotRun)
        {
            throw new ResourceException(AwsCodes.VipCommandNotFound, "command not found: " + e.Message, e);
        }
        catch (ResourceException e) when (e.Code is ResourceErrorCodes.CommandFailed or ResourceErrorCodes.Timeout)
        {
            throw new ResourceException(AwsCodes.ApiFailed, e.Message, e);
        }
    }
}
