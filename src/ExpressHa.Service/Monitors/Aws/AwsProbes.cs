using System.Net;
using Amazon.EC2;
using Amazon.EC2.Model;
using ExpressHa.Config;
using ExpressHa.Service.Aws;
using ExpressHa.Service.Resources;
using ExpressHa.Service.Resources.Aws;

namespace ExpressHa.Service.Monitors.Aws;

/// <summary>Shared plumbing of the AWS monitors: the budget from the monitor's timeout, the target resource, and the
/// translation of failures: an AWS error (timeout, throttling, 5xx, any service error) is an ApiFailure result so
/// onApiFailure applies; parameter problems are plain failures. Codes: <see cref="AwsCodes"/>.</summary>
public static class AwsProbeSupport
{
    /// <summary>80% of the monitor's timeout, so an API that does not answer ends as an ApiFailure of the probe
    /// (onApiFailure) before the runner's own timeout (a plain failure, code 6) would fire; each call at most a third.</summary>
    public static AwsBudget Budget(MonitorContext context)
    {
        var total = TimeSpan.FromSeconds(Math.Max(1, context.Monitor.TimeoutSeconds) * 0.8);
        return new(total, TimeSpan.FromSeconds(Math.Clamp(total.TotalSeconds / 3.0, 0.5, 20)));
    }

    public static ResourceConfig Target(MonitorContext context, string type) =>
        context.Target is { } t && t.Type == type ? t
            : throw new ResourceException(AwsCodes.BadParameter, $"monitor {context.Monitor.Name} needs a target resource of type {type}");

    /// <summary>Runs the check; AWS failures become ApiFailure results (timeouts: timeoutCode "Timeout occurred.").</summary>
    public static async Task<ProbeResult> GuardAsync(Func<Task<ProbeResult>> check, int failedCode, int timeoutCode, CancellationToken ct)
    {
        try { return await check().ConfigureAwait(false); }
        catch (ResourceException e) { return ProbeCodes.Fail(e.Code == AwsCodes.BadParameter ? ProbeCodes.Failed : e.Code, e.Message); }
        catch (Exception e) when (!ct.IsCancellationRequested && AwsRetry.Translate(e) is { } a)
        {
            return a.IsTimeout
                ? ProbeCodes.ApiFailed(timeoutCode, $"{AwsCodes.TimeoutText} ({a.Message})")
                : ProbeCodes.ApiFailed(failedCode, AwsErrors.Text(a));
        }
    }
}

/// <summary>awsvip monitor: the VIP is on the OS and every route table of the VPC holding ip/32 points at our ENI.
/// 57: not on the OS; 56: "The routing for VIP x was changed." (restart repairs).</summary>
public sealed class AwsVipProbe : IMonitorProbe
{
    readonly AwsClientsProvider _clients;
    readonly IOsAddresses _os;

    public AwsVipProbe(AwsClientsProvider clients, IOsAddresses? osAddresses = null)
    {
        _clients = clients;
        _os = osAddresses ?? new IpCommandAddresses();
    }

    public string Type => "awsvip";

    public Task<ProbeResult> ProbeAsync(MonitorContext context, CancellationToken ct) => AwsProbeSupport.GuardAsync(async () =>
    {
        var r = AwsProbeSupport.Target(context, "awsvip");
        var ip = AwsParams.Ipv4(AwsParams.String(r, "ip"), "ip");
        var vpcId = AwsParams.Required(r, "vpcId");
        var budget = AwsProbeSupport.Budget(context);
        if (AwsVipResource.OsInterface(r, context.Node.Name) != null && await _os.FindAsync(ip, ct).ConfigureAwait(false) == null)
            return ProbeCodes.Fail(AwsCodes.MonVipOsAddressMissing, $"The VIP {ip} is not on the OS interface.");
        var clients = _clients.Get(context.Config);
        var eni = await LocalEni.ResolveAsync(r, context.Node, clients, budget, ct).ConfigureAwait(false);
        var dest = ip + "/32";
        var tables = await AwsVipResource.DescribeVipTablesAsync(clients, budget, vpcId, dest, ct).ConfigureAwait(false);
        var wrong = tables.Where(t => t.Routes.First(x => x.DestinationCidrBlock == dest).NetworkInterfaceId != eni).ToList();
        if (tables.Count == 0 || wrong.Count > 0)
            return ProbeCodes.Fail(AwsCodes.MonVipRouteChanged, $"The routing for VIP {ip} was changed. ("
                + (tables.Count == 0 ? $"no route table of {vpcId} holds {dest}" : string.Join(", ", wrong.Select(t => $"{t.RouteTableId}: {Target(t.Routes.First(x => x.DestinationCidrBlock == dest))}"))) + $"; expected {eni})");
        return ProbeResult.Ok($"{dest} -> {eni} in {tables.Count} route table(s); {ip} on the OS");
    }, AwsCodes.MonApiFailed, AwsCodes.MonTimeout, ct);

    static string Target(Route r) => r.NetworkInterfaceId ?? r.InstanceId ?? r.GatewayId ?? r.NatGatewayId ?? "blackhole";
}

/// <summary>awseip monitor: the allocation is associated with our ENI; else 52 "The EIP address does not exist.".</summary>
public sealed class AwsEipProbe : IMonitorProbe
{
    readonly AwsClientsProvider _clients;
    public AwsEipProbe(AwsClientsProvider clients) => _clients = clients;
    public string Type => "awseip";

    public Task<ProbeResult> ProbeAsync(MonitorContext context, CancellationToken ct) => AwsProbeSupport.GuardAsync(async () =>
    {
        var r = AwsProbeSupport.Target(context, "awseip");
        var alloc = AwsParams.Required(r, "allocationId");
        var budget = AwsProbeSupport.Budget(context);
        var clients = _clients.Get(context.Config);
        var eni = await LocalEni.ResolveAsync(r, context.Node, clients, budget, ct).ConfigureAwait(false);
        var a = await AwsEipResource.DescribeAsync(clients, budget, alloc, ct).ConfigureAwait(false);
        return a.NetworkInterfaceId == eni
            ? ProbeResult.Ok($"{alloc} ({a.PublicIp}) on {eni}")
            : ProbeCodes.Fail(AwsCodes.MonEipNotAssociated, $"The EIP address does not exist. (EIP ALLOCATION ID={alloc}; associated with {a.NetworkInterfaceId ?? "nothing"}, expected {eni})");
    }, AwsCodes.MonApiFailed, AwsCodes.MonTimeout, ct);
}

/// <summary>awssip monitor: the secondary IP is on our ENI and on the OS; else 58.</summary>
public sealed class AwsSipProbe : IMonitorProbe
{
    readonly AwsClientsProvider _clients;
    readonly IOsAddresses _os;

    public AwsSipProbe(AwsClientsProvider clients, IOsAddresses? osAddresses = null)
    {
        _clients = clients;
        _os = osAddresses ?? new IpCommandAddresses();
    }

    public string Type => "awssip";

    public Task<ProbeResult> ProbeAsync(MonitorContext context, CancellationToken ct) => AwsProbeSupport.GuardAsync(async () =>
    {
        var r = AwsProbeSupport.Target(context, "awssip");
        var ip = AwsParams.Ipv4(AwsParams.String(r, "ip"), "ip");
        var budget = AwsProbeSupport.Budget(context);
        if (AwsVipResource.OsInterface(r, context.Node.Name) != null && await _os.FindAsync(ip, ct).ConfigureAwait(false) == null)
            return ProbeCodes.Fail(AwsCodes.MonSipMissing, $"The secondary IP {ip} is not on the OS interface.");
        var clients = _clients.Get(context.Config);
        var eniId = await LocalEni.ResolveAsync(r, context.Node, clients, budget, ct).ConfigureAwait(false);
        var eni = await AwsSipResource.DescribeEniAsync(clients, budget, eniId, ct).ConfigureAwait(false);
        return AwsSipResource.Holds(eni, ip)
            ? ProbeResult.Ok($"{ip} on {eniId} and on the OS")
            : ProbeCodes.Fail(AwsCodes.MonSipMissing, $"The secondary IP {ip} is not assigned to {eniId}.");
    }, AwsCodes.MonApiFailed, AwsCodes.MonTimeout, ct);
}

/// <summary>awsdns monitor. With checkResolution, the name is resolved first (no API call when it resolves to our
/// address, sparing Route 53's ~5 requests/s); when it does not resolve (or resolves elsewhere) the record is read
/// with one ListResourceRecordSets. 52 missing, 53 a different IP registered, 55 Route 53 holds ours but the
/// resolver answers another, 54 the name does not resolve and the API did not answer either.</summary>
public sealed class AwsDnsProbe : IMonitorProbe
{
    /// <summary>Resolves a name to IPv4 addresses; null when it cannot be resolved.</summary>
    public delegate Task<IReadOnlyList<IPAddress>?> Resolver(string name, CancellationToken ct);

    readonly AwsClientsProvider _clients;
    readonly Resolver _resolve;

    public AwsDnsProbe(AwsClientsProvider clients, Resolver? resolver = null)
    {
        _clients = clients;
        _resolve = resolver ?? SystemResolveAsync;
    }

    public string Type => "awsdns";

    /// <summary>Counts ListResourceRecordSets calls made by this probe (tests check the API is spared).</summary>
    public int ApiReads;

    public static async Task<IReadOnlyList<IPAddress>?> SystemResolveAsync(string name, CancellationToken ct)
    {
        try
        {
            var a = await Dns.GetHostAddressesAsync(name.TrimEnd('.'), System.Net.Sockets.AddressFamily.InterNetwork, ct).ConfigureAwait(false);
            return a.Length == 0 ? null : a;
        }
        catch (System.Net.Sockets.SocketException) { return null; }
    }

    public async Task<ProbeResult> ProbeAsync(MonitorContext context, CancellationToken ct)
    {
        IReadOnlyList<IPAddress>? resolved = null;
        string? expected = null, name = null;
        try
        {
            var r = AwsProbeSupport.Target(context, "awsdns");
            name = AwsDnsResource.NormaliseName(AwsParams.Required(r, "recordName"));
            expected = AwsDnsResource.AddressFor(r, context.Node, context.Config);
            if (context.Monitor.GetParameter("checkResolution") is not false)
            {
                resolved = await _resolve(name, ct).ConfigureAwait(false);
                if (resolved != null && resolved.Any(a => a.ToString() == expected))
                    return ProbeResult.Ok($"{name} resolves to {expected}");
            }
        }
        catch (ResourceException e) { return ProbeCodes.Fail(ProbeCodes.Failed, e.Message); }

        var api = await AwsProbeSupport.GuardAsync(async () =>
        {
            var r = context.Target!;
            var zone = AwsParams.Required(r, "hostedZoneId");
            var clients = _clients.Get(context.Config);
            var budget = AwsProbeSupport.Budget(context);
            Interlocked.Increment(ref ApiReads);
            var rs = await budget.Call(c => AwsDnsResource.FindAsync(clients, zone, name!, c), "ListResourceRecordSets", ct).ConfigureAwait(false);
            if (rs == null) return ProbeCodes.Fail(AwsCodes.MonDnsRecordMissing, $"The record set {name} does not exist in {zone}.");
            if (!rs.Values.Contains(expected!)) return ProbeCodes.Fail(AwsCodes.MonDnsDifferentIp, $"A different IP is registered for {name}: {string.Join(", ", rs.Values)} (expected {expected}).");
            if (resolved != null)
                return ProbeCodes.Fail(AwsCodes.MonDnsResolverDifferent, $"The resolver returned a different IP for {name}: {string.Join(", ", resolved)} (Route 53 holds {expected}).");
            return ProbeResult.Ok($"{name} A {expected} in {zone}");
        }, AwsCodes.MonApiFailed, AwsCodes.MonTimeout, ct).ConfigureAwait(false);
        return api;
    }
}

/// <summary>awsaz monitor: the node's availability zone (per-node parameter, else the node's availabilityZone, else
/// IMDS placement/availability-zone) is "available" in DescribeAvailabilityZones. 5: invalid or not available
/// (an API error is an ApiFailure with 5), 6: Timeout occurred. (ApiFailure).</summary>
public sealed class AwsAzProbe : IMonitorProbe
{
    readonly AwsClientsProvider _clients;
    public AwsAzProbe(AwsClientsProvider clients) => _clients = clients;
    public string Type => "awsaz";

    public Task<ProbeResult> ProbeAsync(MonitorContext context, CancellationToken ct) => AwsProbeSupport.GuardAsync(async () =>
    {
        var budget = AwsProbeSupport.Budget(context);
        var clients = _clients.Get(context.Config);
        var az = context.Monitor.GetParameter("availabilityZone", context.Node.Name)
            ?? context.Node.AvailabilityZone
            ?? await budget.Call(c => clients.Imds.GetMetadataAsync("placement/availability-zone", c), "IMDS placement/availability-zone", ct).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(az)) return ProbeCodes.Fail(AwsCodes.AzFailed, $"no availability zone known for node {context.Node.Name}");
        DescribeAvailabilityZonesResponse res;
        try
        {
            res = await budget.Call(c => clients.Ec2.DescribeAvailabilityZonesAsync(new DescribeAvailabilityZonesRequest { ZoneNames = [az] }, c), "DescribeAvailabilityZones", ct).ConfigureAwait(false);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && AwsRetry.Translate(e) is { IsTimeout: false, Code: "InvalidParameterValue" } a)
        {
            return ProbeCodes.Fail(AwsCodes.AzFailed, AwsErrors.Text(a)); // Invalid availability zone: [x] — a real answer, not an API failure
        }
        var zone = res.AvailabilityZones?.FirstOrDefault(z => z.ZoneName == az);
        if (zone == null) return ProbeCodes.Fail(AwsCodes.AzFailed, $"Invalid availability zone: [{az}]");
        return zone.State == AvailabilityZoneState.Available
            ? ProbeResult.Ok($"{az} is available")
            : ProbeCodes.Fail(AwsCodes.AzFailed, $"The availability zone {az} is {zone.State}.");
    }, AwsCodes.AzFailed, AwsCodes.AzTimeout, ct);
}
