using Amazon.EC2.Model;
using ExpressHa.Service.Aws;

namespace ExpressHa.Service.Resources.Aws;

/// <summary>awseip: the Elastic IP allocation associated with the local ENI. Start: DescribeAddresses (the
/// allocation must exist: 50 "The allocation ID 'eipalloc-x' does not exist"); when not on our ENI,
/// AssociateAddress with AllowReassociation (moves it from the previous owner); read back. Stop: when associated
/// with our ENI, DisassociateAddress and read back; associated elsewhere or not at all → nothing to do.
/// Codes: 50 failed, 53 Timeout occurred. (<see cref="AwsCodes"/>).</summary>
public sealed class AwsEipResource : IResourceDriver
{
    public const string LogModule = "awseip";
    readonly AwsClientsProvider _clients;

    public AwsEipResource(AwsClientsProvider clients) => _clients = clients ?? throw new ArgumentNullException(nameof(clients));

    public string Type => "awseip";

    public async Task StartAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        var r = context.Resource;
        var alloc = AwsParams.Required(r, "allocationId");
        var budget = new AwsBudget(AwsParams.Seconds(r, "timeoutSeconds", 100));
        try
        {
            var clients = _clients.Get(context.Config);
            var eni = await LocalEni.ResolveAsync(r, context.Node, clients, budget, cancellationToken).ConfigureAwait(false);
            var address = await DescribeAsync(clients, budget, alloc, cancellationToken).ConfigureAwait(false);
            if (address.NetworkInterfaceId == eni)
            {
                context.Alerts.Log(LogModule, $"{r.Name}: {alloc} ({address.PublicIp}) is already on {eni}");
                return;
            }
            await budget.Call(c => clients.Ec2.AssociateAddressAsync(new AssociateAddressRequest
            {
                AllocationId = alloc, NetworkInterfaceId = eni, AllowReassociation = true,
            }, c), "AssociateAddress", cancellationToken).ConfigureAwait(false);
            await ReadBack.RequireAsync(c => DescribeAsync(clients, budget, alloc, c), a => a.NetworkInterfaceId == eni,
                budget.ReadBack(), $"association of {alloc} with {eni}", cancellationToken).ConfigureAwait(false);
            context.Alerts.Log(LogModule, $"{r.Name}: {alloc} ({address.PublicIp}) -> {eni} (was {address.NetworkInterfaceId ?? "unassociated"})");
        }
        catch (Exception e) when (e is not ResourceException && !cancellationToken.IsCancellationRequested)
        {
            throw AwsErrors.ToResource(e, AwsCodes.ApiFailed, AwsCodes.EipTimeout);
        }
    }

    public async Task StopAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        var r = context.Resource;
        var alloc = AwsParams.Required(r, "allocationId");
        var budget = new AwsBudget(AwsParams.Seconds(r, "timeoutSeconds", 100));
        try
        {
            var clients = _clients.Get(context.Config);
            var eni = await LocalEni.ResolveAsync(r, context.Node, clients, budget, cancellationToken).ConfigureAwait(false);
            var address = await DescribeAsync(clients, budget, alloc, cancellationToken).ConfigureAwait(false);
            if (address.NetworkInterfaceId != eni || string.IsNullOrEmpty(address.AssociationId))
            {
                context.Alerts.Log(LogModule, $"{r.Name}: {alloc} is not on {eni} ({address.NetworkInterfaceId ?? "unassociated"}): nothing to do");
                return;
            }
            await budget.Call(c => clients.Ec2.DisassociateAddressAsync(new DisassociateAddressRequest { AssociationId = address.AssociationId }, c),
                "DisassociateAddress", cancellationToken).ConfigureAwait(false);
            await ReadBack.RequireAsync(c => DescribeAsync(clients, budget, alloc, c), a => a.NetworkInterfaceId != eni,
                budget.ReadBack(), $"disassociation of {alloc} from {eni}", cancellationToken).ConfigureAwait(false);
            context.Alerts.Log(LogModule, $"{r.Name}: {alloc} disassociated from {eni}");
        }
        catch (Exception e) when (e is not ResourceException && !cancellationToken.IsCancellationRequested)
        {
            throw AwsErrors.ToResource(e, AwsCodes.ApiFailed, AwsCodes.EipTimeout);
        }
    }

    /// <summary>Active when the allocation is associated with this node's ENI; AWS errors (a missing allocation
    /// included): unknown.</summary>
    public Task<ResourceProbe> ProbeAsync(ResourceContext context, CancellationToken cancellationToken) => AwsProbe.GuardAsync(async () =>
    {
        var r = context.Resource;
        var alloc = AwsParams.Required(r, "allocationId");
        var budget = AwsProbe.Budget(r, 100);
        var clients = _clients.Get(context.Config);
        var eni = await LocalEni.ResolveAsync(r, context.Node, clients, budget, cancellationToken).ConfigureAwait(false);
        var address = await DescribeAsync(clients, budget, alloc, cancellationToken).ConfigureAwait(false);
        return address.NetworkInterfaceId == eni && !string.IsNullOrEmpty(address.AssociationId) ? ResourceProbe.Active : ResourceProbe.Inactive;
    }, cancellationToken);

    public static async Task<Address> DescribeAsync(IAwsClients clients, AwsBudget budget, string alloc, CancellationToken ct)
    {
        var res = await budget.Call(c => clients.Ec2.DescribeAddressesAsync(new DescribeAddressesRequest { AllocationIds = [alloc] }, c), "DescribeAddresses", ct).ConfigureAwait(false);
        return res.Addresses?.FirstOrDefault() ?? throw new ResourceException(AwsCodes.ApiFailed, $"The allocation ID '{alloc}' does not exist");
    }
}
