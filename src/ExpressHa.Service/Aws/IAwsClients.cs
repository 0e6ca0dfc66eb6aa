using Amazon.EC2;

namespace ExpressHa.Service.Aws;

/// <summary>The AWS APIs the service uses. EC2 is the real SDK client; Route 53 and SNS are our own signed clients
/// (their SDK packages are not available here) behind interfaces an SDK-backed class can implement later.</summary>
public interface IAwsClients : IDisposable
{
    IAmazonEC2 Ec2 { get; }
    IRoute53Api Route53 { get; }
    ISnsApi Sns { get; }
    IImdsClient Imds { get; }
}

public interface IRoute53Api
{
    /// <summary>CREATE, UPSERT or DELETE one record set; returns the change id (e.g. "/change/C123" or "C123").</summary>
    Task<string> ChangeRecordAsync(string hostedZoneId, string action, RecordSet record, CancellationToken ct);
    /// <summary>PENDING or INSYNC.</summary>
    Task<string> GetChangeStatusAsync(string changeId, CancellationToken ct);
    /// <summary>Record sets of the zone starting at the given name (Route 53 order), at most maxItems.</summary>
    Task<IReadOnlyList<RecordSet>> ListRecordsAsync(string hostedZoneId, string? startName, string? startType, int maxItems, CancellationToken ct);
    Task<IReadOnlyList<HostedZone>> ListHostedZonesAsync(CancellationToken ct);
}

public sealed record RecordSet(string Name, string Type, long Ttl, IReadOnlyList<string> Values);
public sealed record HostedZone(string Id, string Name);

public interface ISnsApi
{
    /// <summary>Publishes a message; returns the message id.</summary>
    Task<string> PublishAsync(string topicArn, string subject, string message, CancellationToken ct);
}

/// <summary>IMDSv2: a session token (PUT, cached and renewed), then GETs under /latest/meta-data/.</summary>
public interface IImdsClient
{
    /// <summary>The value at a meta-data path such as "instance-id", "placement/availability-zone", "mac",
    /// "network/interfaces/macs/{mac}/interface-id"; null when the path does not exist (404).</summary>
    Task<string?> GetMetadataAsync(string path, CancellationToken ct);
}

/// <summary>An AWS call that failed: the service's error code (InvalidVpcID.NotFound, Throttling, ...), HTTP status,
/// and whether it was a timeout or throttling (which the callers treat as "the API did not answer").</summary>
public sealed class AwsApiException : Exception
{
    public AwsApiException(string code, string message, int statusCode = 0, bool timeout = false, Exception? inner = null) : base(message, inner)
    {
        Code = code;
        StatusCode = statusCode;
        IsTimeout = timeout;
    }

    public string Code { get; }
    public int StatusCode { get; }
    public bool IsTimeout { get; }
    public bool IsThrottling => Code is "Throttling" or "ThrottlingException" or "RequestLimitExceeded" or "PriorRequestNotComplete";
}
