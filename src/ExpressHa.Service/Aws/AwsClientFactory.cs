using System.Net;
using Amazon;
using Amazon.EC2;
using Amazon.Runtime;
using ExpressHa.Config;

namespace ExpressHa.Service.Aws;

/// <summary>Knobs of <see cref="AwsClientFactory"/> that are not in the cluster config (tests, special setups).</summary>
public sealed class AwsClientOptions
{
    /// <summary>Fixed credentials; null = the chain (<see cref="AwsCredentialChain"/>: profile, environment, instance role).</summary>
    public AWSCredentials? Credentials { get; init; }
    /// <summary>The SDK's own retries per EC2 call. 0 by default: <see cref="AwsRetry"/> is the one retry layer (it knows the
    /// action's deadline); call EC2 through it.</summary>
    public int MaxErrorRetry { get; init; }
    public RequestRetryMode RetryMode { get; init; } = RequestRetryMode.Standard;
    /// <summary>Per-call timeout of IMDS requests (token, metadata, region lookup, role credentials).</summary>
    public TimeSpan ImdsTimeout { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Environment lookup (AWS_REGION, AWS_ACCESS_KEY_ID, AWS_PROFILE, ...); null = the process environment.</summary>
    public Func<string, string?>? Environment { get; init; }
    /// <summary>Shared credentials file; null = the SDK's default locations (~/.aws/credentials, ~/.aws/config).</summary>
    public string? ProfilesLocation { get; init; }
}

/// <summary>The clients built from the config: the SDK's EC2 client, our Route 53/SNS/IMDS clients, and what they were
/// built with. Disposing disposes the clients and their HTTP handlers.</summary>
public sealed class AwsClients : IAwsClients
{
    private readonly IDisposable[] _owned;

    public AwsClients(IAmazonEC2 ec2, IRoute53Api route53, ISnsApi sns, IImdsClient imds, string region, TimeSpan perCallTimeout,
        AWSCredentials? credentials = null, params IDisposable[] owned)
    {
        Ec2 = ec2;
        Route53 = route53;
        Sns = sns;
        Imds = imds;
        Region = region;
        PerCallTimeout = perCallTimeout;
        Credentials = credentials;
        _owned = owned;
    }

    public IAmazonEC2 Ec2 { get; }
    public IRoute53Api Route53 { get; }
    public ISnsApi Sns { get; }
    public IImdsClient Imds { get; }
    public string Region { get; }
    public TimeSpan PerCallTimeout { get; }
    public AWSCredentials? Credentials { get; }

    public void Dispose()
    {
        Ec2.Dispose();
        foreach (var d in _owned) d.Dispose();
    }
}

/// <summary>Builds <see cref="IAwsClients"/> from the config's <c>aws</c> section.</summary>
public static class AwsClientFactory
{
    public const string Ec2Service = "ec2", Route53Service = "route53", SnsService = "sns", ImdsService = "imds";

    /// <summary>Synchronous form of <see cref="CreateAsync"/> (it may ask IMDS for the region when none is configured).</summary>
    public static IAwsClients Create(AwsSettings settings, TimeSpan perCallTimeout, AwsClientOptions? options = null) =>
        Task.Run(() => CreateAsync(settings, perCallTimeout, options, CancellationToken.None)).GetAwaiter().GetResult();

    /// <summary>EC2: AmazonEC2Client with ServiceURL = the ec2 endpoint override (else the region's endpoint),
    /// AuthenticationRegion = the region, Timeout = perCallTimeout, MaxErrorRetry/RetryMode from the options, the proxy.
    /// Route 53 and SNS: signed HttpClients with the same proxy and per-call timeout. IMDS: never proxied, endpoint
    /// override "imds". Credentials: the options' or the chain. Region: settings.Region, else IMDS placement/region,
    /// else AWS_REGION / AWS_DEFAULT_REGION.</summary>
    public static async Task<AwsClients> CreateAsync(AwsSettings settings, TimeSpan perCallTimeout, AwsClientOptions? options = null,
        CancellationToken ct = default)
    {
        options ??= new AwsClientOptions();
        if (perCallTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(perCallTimeout), "The per-call timeout must be positive.");
        var env = options.Environment ?? System.Environment.GetEnvironmentVariable;

        var imds = new ImdsClient(EndpointFor(settings, ImdsService), options.ImdsTimeout);
        var region = await ResolveRegionAsync(settings, imds, env, ct).ConfigureAwait(false);
        var credentials = options.Credentials ?? new AwsCredentialChain(settings.Profile, imds, env, options.ProfilesLocation);
        var proxy = ProxyFor(settings);

        var ec2Config = new AmazonEC2Config
        {
            Timeout = perCallTimeout,
            MaxErrorRetry = options.MaxErrorRetry,
            RetryMode = options.RetryMode,
            AuthenticationRegion = region,
        };
        var ec2Endpoint = EndpointFor(settings, Ec2Service);
        if (ec2Endpoint != null) ec2Config.ServiceURL = ec2Endpoint.AbsoluteUri;
        else ec2Config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        if (proxy != null)
        {
            ec2Config.ProxyHost = proxy.Host;
            ec2Config.ProxyPort = proxy.Port;
            if (ProxyCredentials(proxy) is { } pc) ec2Config.ProxyCredentials = pc;
        }
        var ec2 = new AmazonEC2Client(credentials, ec2Config);

        var http = CreateHttpClient(proxy, perCallTimeout);
        var route53 = new Route53Client(http, credentials, EndpointFor(settings, Route53Service), perCallTimeout);
        var sns = new SnsClient(http, credentials, EndpointFor(settings, SnsService), region, perCallTimeout);
        return new AwsClients(ec2, route53, sns, imds, region, perCallTimeout, credentials, http, imds);
    }

    /// <summary>The endpoint override for a service (ec2, route53, sns, imds; case-insensitive), or null.</summary>
    public static Uri? EndpointFor(AwsSettings settings, string service)
    {
        foreach (var (name, value) in settings.Endpoints)
        {
            if (!string.Equals(name, service, StringComparison.OrdinalIgnoreCase) || string.IsNullOrWhiteSpace(value)) continue;
            if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                throw new ArgumentException($"aws.endpoints.{name}: '{value}' is not an http(s) URL.");
            return uri;
        }
        return null;
    }

    /// <summary>settings.Region, else IMDS placement/region (skipped when AWS_EC2_METADATA_DISABLED=true), else
    /// AWS_REGION, else AWS_DEFAULT_REGION; AwsApiException "NoRegion" when none is known.</summary>
    public static async Task<string> ResolveRegionAsync(AwsSettings settings, IImdsClient imds, Func<string, string?> env, CancellationToken ct)
    {
        if (!string.IsNullOrWhiteSpace(settings.Region)) return settings.Region.Trim();
        string? imdsError = null;
        if (!string.Equals(env("AWS_EC2_METADATA_DISABLED"), "true", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var r = await imds.GetMetadataAsync("placement/region", ct).ConfigureAwait(false);
                if (!string.IsNullOrWhiteSpace(r)) return r.Trim();
            }
            catch (AwsApiException e)
            {
                imdsError = e.Message;
            }
        }
        foreach (var name in new[] { "AWS_REGION", "AWS_DEFAULT_REGION" })
            if (env(name) is { Length: > 0 } v) return v.Trim();
        throw new AwsApiException("NoRegion", "No AWS region: set aws.region in the config (or AWS_REGION)" + (imdsError != null ? $"; IMDS did not answer: {imdsError}" : "."));
    }

    /// <summary>The proxy URL of aws.proxy (a bare host:port means http://host:port), or null.</summary>
    public static Uri? ProxyFor(AwsSettings settings)
    {
        if (string.IsNullOrWhiteSpace(settings.Proxy)) return null;
        var text = settings.Proxy.Trim();
        if (!text.Contains("://", StringComparison.Ordinal)) text = "http://" + text;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
            throw new ArgumentException($"aws.proxy: '{settings.Proxy}' is not a proxy URL (http://host:port).");
        return uri;
    }

    /// <summary>The HttpClient of the signed clients: the proxy (else the system's), connect timeout = per-call timeout;
    /// each call is bounded by the per-call timeout in <see cref="SignedHttpClient"/>.</summary>
    public static HttpClient CreateHttpClient(Uri? proxy, TimeSpan perCallTimeout)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = perCallTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
        };
        if (proxy != null)
        {
            handler.Proxy = new WebProxy(new UriBuilder(proxy.Scheme, proxy.Host, proxy.Port).Uri) { Credentials = ProxyCredentials(proxy) };
            handler.UseProxy = true;
        }
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    private static NetworkCredential? ProxyCredentials(Uri proxy)
    {
        if (string.IsNullOrEmpty(proxy.UserInfo)) return null;
        var parts = proxy.UserInfo.Split(':', 2);
        return new NetworkCredential(Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "");
    }
}
