using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using ExpressHa.Config;
using ExpressHa.Service.Aws;

namespace ExpressHa.Service.Resources.Aws;

/// <summary>Error codes of the AWS resources and monitors. They follow the newer scheme of the "EXPRESSCLUSTER X HA Cluster
/// Configuration Guide for Amazon Web Services" (the 6.0 edition); where it names no code for a condition the choice is
/// ours and marked so. Alerts show them as
/// "Activating X resource has failed.(N : msg)" / "Detected an error in monitoring X. (N : msg)"; a monitor whose
/// onApiFailure is warn reports 100 + N.
/// <code>
/// resource  code  condition
/// awsvip     50   AWS call failed (the AWS message: "The vpc ID 'vpc-x' does not exist", "The networkInterface ID
///                 'eni-x' does not exist", "You are not authorized to perform this operation.", no route to ip/32)
/// awsvip     51   the OS command (ip) could not be run ("command not found")
/// awsvip      9   Timeout occurred. (no answer / throttled until timeoutSeconds ran out)
/// awsvip     53   The VIP address belongs to a VPC subnet.
/// awseip     50   AWS call failed ("The allocation ID 'eipalloc-x' does not exist", ENI does not exist, ...)
/// awseip     53   Timeout occurred.
/// awssip     50   AWS call failed (ENI, subnet lookups; OS address step failed)
/// awssip     55   Failed to assign the secondary IP address on the AWS side.(AWS message / outside the subnet)
/// awssip     68   Failed to obtain a primary private IP address.(...)
/// awssip      9   Timeout occurred. (ours: 001 names none; same as awsvip)
/// awsdns     50   AWS call failed ("No hosted zone found with ID: Z..", InvalidChangeBatch texts, ...)
/// awsdns     51   Timeout occurred. (also: the change did not become INSYNC within insyncIntervalSeconds × insyncTries)
/// all         8   a parameter is missing or malformed on this node (shared with the local drivers)
///
/// monitor   code  condition
/// awsvip     56   The routing for VIP x was changed. (a route holding ip/32 does not point at our ENI)
/// awsvip     57   the VIP is not on the OS interface (ours)
/// awseip     52   The EIP address does not exist. (EIP ALLOCATION ID=...) (not associated with our ENI)
/// awssip     58   the secondary IP is missing on the ENI or on the OS
/// awsdns     52   record set does not exist      53  a different IP is registered
/// awsdns     54   failed to resolve the name (only when the API also fails to show the record)
/// awsdns     55   the resolver returned a different IP while Route 53 holds ours
/// vip/eip/sip/dns 50 AWS call failed (ApiFailure)   51  Timeout occurred. (ApiFailure; ours for vip/eip/sip)
/// awsaz       5   AWS call failed / Invalid availability zone: [x] / zone not available (API errors: ApiFailure)
/// awsaz       6   Timeout occurred. (ApiFailure)
/// </code></summary>
public static class AwsCodes
{
    public const int BadParameter = ResourceErrorCodes.BadParameter;
    public const int ApiFailed = 50;
    public const int VipCommandNotFound = 51;
    public const int VipTimeout = 9;
    public const int VipInsideVpc = 53;
    public const int EipTimeout = 53;
    public const int SipAssignFailed = 55;
    public const int SipPrimaryIpFailed = 68;
    public const int SipTimeout = 9;
    public const int DnsTimeout = 51;

    public const int MonVipRouteChanged = 56;
    public const int MonVipOsAddressMissing = 57;
    public const int MonEipNotAssociated = 52;
    public const int MonSipMissing = 58;
    public const int MonDnsRecordMissing = 52;
    public const int MonDnsDifferentIp = 53;
    public const int MonDnsResolveFailed = 54;
    public const int MonDnsResolverDifferent = 55;
    public const int MonApiFailed = 50;
    public const int MonTimeout = 51;
    public const int AzFailed = 5;
    public const int AzTimeout = 6;

    public const string TimeoutText = "Timeout occurred.";
}

/// <summary>The AWS clients per cluster config: created on first use by the factory and cached per config object
/// (a reloaded config gets new clients; the old ones are disposed when replaced is not tracked — configs are few).</summary>
public sealed class AwsClientsProvider
{
    readonly Func<ClusterConfig, IAwsClients> _factory;
    readonly ConditionalWeakTable<ClusterConfig, Lazy<IAwsClients>> _cache = new();

    public AwsClientsProvider(Func<ClusterConfig, IAwsClients> factory) => _factory = factory ?? throw new ArgumentNullException(nameof(factory));

    /// <summary>The per-call timeout of the clients <see cref="Default"/> builds (each action still bounds every call
    /// by its own, shorter, share of timeoutSeconds).</summary>
    public static readonly TimeSpan DefaultPerCallTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Clients from cluster.aws with <see cref="AwsClientFactory"/>.</summary>
    public static AwsClientsProvider Default() => new(cfg => AwsClientFactory.Create(cfg.Cluster.Aws, DefaultPerCallTimeout));

    public IAwsClients Get(ClusterConfig config)
    {
        var lazy = _cache.GetValue(config, c => new Lazy<IAwsClients>(() => _factory(c), LazyThreadSafetyMode.ExecutionAndPublication));
        try { return lazy.Value; }
        catch
        {
            _cache.Remove(config); // a failed creation (no region yet, IMDS down) is retried next time
            throw;
        }
    }
}

/// <summary>A time budget for one action: timeoutSeconds overall, each call bounded by a shorter per-call timeout.</summary>
public sealed class AwsBudget
{
    readonly Stopwatch _clock = Stopwatch.StartNew();

    public AwsBudget(TimeSpan total, TimeSpan? perCall = null)
    {
        Total = total;
        PerCall = perCall ?? DefaultPerCall(total);
    }

    public TimeSpan Total { get; }
    public TimeSpan PerCall { get; }
    public TimeSpan Remaining => Total - _clock.Elapsed > TimeSpan.Zero ? Total - _clock.Elapsed : TimeSpan.Zero;

    /// <summary>A third of the action's timeout, between 1 s and 20 s: a hanging call leaves time for retries.</summary>
    public static TimeSpan DefaultPerCall(TimeSpan total)
    {
        var t = TimeSpan.FromTicks(total.Ticks / 3);
        if (t < TimeSpan.FromSeconds(1)) t = TimeSpan.FromSeconds(1);
        if (t > TimeSpan.FromSeconds(20)) t = TimeSpan.FromSeconds(20);
        return t < total ? t : total;
    }

    /// <summary>One AWS call with retries on throttling, 5xx and timeouts within the remaining budget.</summary>
    public Task<T> Call<T>(Func<CancellationToken, Task<T>> call, string operation, CancellationToken ct) =>
        AwsRetry.RunAsync(call, new AwsRetryPolicy(Remaining, PerCall) { BaseDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(2) }, ct, operation);

    public ReadBackOptions ReadBack(TimeSpan? interval = null) =>
        new(Remaining, PerCall) { Interval = interval ?? TimeSpan.FromMilliseconds(250) };
}

public static class AwsParams
{
    public static TimeSpan Seconds(ResourceConfig r, string name, long fallback) =>
        TimeSpan.FromSeconds(r.GetParameter(name) is long n && n > 0 ? n : fallback);

    public static long Long(ResourceConfig r, string name, long fallback) => r.GetParameter(name) is long n ? n : fallback;

    public static bool Bool(ResourceConfig r, string name, bool fallback) => r.GetParameter(name) is bool b ? b : fallback;

    public static string? String(ResourceConfig r, string name) =>
        r.GetParameter(name) is string s && !string.IsNullOrWhiteSpace(s) ? s.Trim() : null;

    public static string Required(ResourceConfig r, string name) =>
        String(r, name) ?? throw new ResourceException(AwsCodes.BadParameter, $"{name} is not set");

    public static IPAddress Ipv4(string? text, string name)
    {
        if (text == null || !IPAddress.TryParse(text, out var ip) || ip.AddressFamily != AddressFamily.InterNetwork)
            throw new ResourceException(AwsCodes.BadParameter, $"{name} '{text}' is not an IPv4 address");
        return ip;
    }

    /// <summary>Whether a CIDR such as 10.0.0.0/16 contains the address (false for anything unparsable).</summary>
    public static bool CidrContains(string? cidr, IPAddress ip)
    {
        if (cidr == null) return false;
        var parts = cidr.Split('/');
        if (parts.Length != 2 || !IPAddress.TryParse(parts[0], out var net) || !int.TryParse(parts[1], out var len)) return false;
        return new InterfaceAddress("", net, len).Contains(ip);
    }

    public static int CidrPrefix(string? cidr, int fallback) =>
        cidr != null && cidr.Split('/') is { Length: 2 } p && int.TryParse(p[1], out var n) ? n : fallback;
}

public static class AwsErrors
{
    /// <summary>The AWS text of an error without our "Operation: Code: " prefixes, e.g. "The vpc ID 'vpc-x' does not exist".</summary>
    public static string Text(Exception e)
    {
        for (var x = e; x != null; x = x.InnerException)
            if (x is AmazonServiceException s && !string.IsNullOrEmpty(s.ErrorCode) && !string.IsNullOrEmpty(s.Message)) return s.Message;
        var msg = e.Message;
        if (e is AwsApiException a)
        {
            var marker = ": " + a.Code + ": ";
            var i = msg.IndexOf(marker, StringComparison.Ordinal);
            if (i >= 0) return msg[(i + marker.Length)..];
        }
        return msg;
    }

    /// <summary>Whether the error means "the API did not answer in time" (timeout, unreachable, or still throttled at the deadline).</summary>
    public static bool IsTimeout(Exception e) => e is AwsApiException { IsTimeout: true } || e is OperationCanceledException or TimeoutException;

    /// <summary>Maps an AWS failure to a ResourceException: timeouts → timeoutCode "Timeout occurred." (with the
    /// detail), others → failedCode with the AWS message. Non-AWS exceptions (and ResourceExceptions) pass through.</summary>
    public static Exception ToResource(Exception e, int failedCode, int timeoutCode, string? prefix = null)
    {
        if (e is ResourceException) return e;
        var api = e as AwsApiException ?? AwsRetry.Translate(e);
        if (api == null) return e;
        if (api.IsTimeout) return new ResourceException(timeoutCode, AwsCodes.TimeoutText + " (" + api.Message + ")", e);
        var text = Text(api);
        return new ResourceException(failedCode, prefix != null ? $"{prefix}({text})" : text, e);
    }
}

/// <summary>The ENI of this node for a resource: its per-node <c>eni</c>, else IMDS (mac → interface-id).</summary>
public static class LocalEni
{
    public static async Task<string> ResolveAsync(ResourceConfig resource, NodeConfig node, IAwsClients clients, AwsBudget budget, CancellationToken ct)
    {
        var configured = resource.GetParameter("eni", node.Name);
        if (configured != null) return configured;
        var mac = await budget.Call(c => clients.Imds.GetMetadataAsync("mac", c), "IMDS mac", ct).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(mac))
            throw new ResourceException(AwsCodes.BadParameter, $"no eni given for node {node.Name} and IMDS has no mac");
        var eni = await budget.Call(c => clients.Imds.GetMetadataAsync($"network/interfaces/macs/{mac.Trim()}/interface-id", c), "IMDS interface-id", ct).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(eni))
            throw new ResourceException(AwsCodes.BadParameter, $"no eni given for node {node.Name} and IMDS has no interface id for mac {mac}");
        return eni.Trim();
    }
}
