using System.Text.Json;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;

namespace ExpressHa.Service.Aws;

/// <summary>The instance role's credentials from IMDS (iam/security-credentials/{role}) through our
/// <see cref="IImdsClient"/>, so the configured IMDS endpoint (aws.endpoints.imds) is honoured. Refreshed by
/// AWSSDK.Core's <see cref="RefreshingAWSCredentials"/> before they expire.</summary>
public sealed class ImdsRoleCredentials : RefreshingAWSCredentials
{
    private readonly IImdsClient _imds;
    private readonly TimeSpan _timeout;

    public ImdsRoleCredentials(IImdsClient imds, TimeSpan? timeout = null)
    {
        _imds = imds;
        _timeout = timeout ?? TimeSpan.FromSeconds(10);
        PreemptExpiryTime = TimeSpan.FromMinutes(5);
    }

    protected override CredentialsRefreshState GenerateNewCredentials() =>
        Task.Run(GenerateNewCredentialsAsync).GetAwaiter().GetResult();

    protected override async Task<CredentialsRefreshState> GenerateNewCredentialsAsync()
    {
        using var cts = new CancellationTokenSource(_timeout);
        var roles = await _imds.GetMetadataAsync("iam/security-credentials/", cts.Token).ConfigureAwait(false);
        var role = roles?.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault()
            ?? throw new AwsApiException("NoCredentials", "No credentials: the instance has no IAM role (IMDS iam/security-credentials/ is empty), and no profile or environment credentials were found.");
        var json = await _imds.GetMetadataAsync("iam/security-credentials/" + role, cts.Token).ConfigureAwait(false)
            ?? throw new AwsApiException("NoCredentials", $"No credentials: IMDS has no credentials for role '{role}'.");
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        string? Str(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        if (Str("Code") is { } code && code != "Success")
            throw new AwsApiException("NoCredentials", $"IMDS credentials for role '{role}': {code} {Str("Message")}");
        var key = Str("AccessKeyId");
        var secret = Str("SecretAccessKey");
        if (string.IsNullOrEmpty(key) || string.IsNullOrEmpty(secret))
            throw new AwsApiException("NoCredentials", $"IMDS credentials for role '{role}' lack AccessKeyId/SecretAccessKey.");
        var expiration = DateTime.TryParse(Str("Expiration"), System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var exp)
            ? exp : DateTime.UtcNow.AddMinutes(15);
        return new CredentialsRefreshState(new ImmutableCredentials(key, secret, Str("Token")), expiration);
    }
}

/// <summary>The service's credential chain, resolved on first use (not at construction) and cached:
/// 1. the configured profile (aws.profile) from the shared credentials/config files — an error if it is missing;
/// 2. environment variables AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN);
/// 3. the profile named by AWS_PROFILE, or "default", when the shared files have it;
/// 4. the instance role through IMDSv2 (our <see cref="ImdsClient"/>, so the endpoint override applies).
/// Profiles are read by AWSSDK.Core's <see cref="CredentialProfileStoreChain"/> (static keys, session tokens,
/// assume-role, SSO, credential_process as the SDK supports them).</summary>
public sealed class AwsCredentialChain : AWSCredentials
{
    private readonly string? _profile;
    private readonly IImdsClient? _imds;
    private readonly Func<string, string?> _env;
    private readonly string? _profilesLocation;
    private readonly object _lock = new();
    private AWSCredentials? _resolved;

    /// <param name="profile">aws.profile; null = none configured</param>
    /// <param name="imds">null = no instance-role step</param>
    /// <param name="environment">environment lookup (tests); null = the process environment</param>
    /// <param name="profilesLocation">shared credentials file (tests); null = the SDK's default locations</param>
    public AwsCredentialChain(string? profile, IImdsClient? imds, Func<string, string?>? environment = null, string? profilesLocation = null)
    {
        _profile = string.IsNullOrWhiteSpace(profile) ? null : profile;
        _imds = imds;
        _env = environment ?? Environment.GetEnvironmentVariable;
        _profilesLocation = profilesLocation;
    }

    /// <summary>Which step supplied the credentials ("profile:NAME", "environment", "imds-role"); null before the first use.</summary>
    public string? Source { get; private set; }

    public override ImmutableCredentials GetCredentials() => Resolve().GetCredentials();

    public override Task<ImmutableCredentials> GetCredentialsAsync() => Resolve().GetCredentialsAsync();

    /// <summary>The credentials object chosen by the chain.</summary>
    public AWSCredentials Resolve()
    {
        var r = _resolved;
        if (r != null) return r;
        lock (_lock)
        {
            if (_resolved != null) return _resolved;
            (_resolved, Source) = ResolveNow();
            return _resolved;
        }
    }

    private (AWSCredentials, string) ResolveNow()
    {
        var store = _profilesLocation != null ? new CredentialProfileStoreChain(_profilesLocation) : new CredentialProfileStoreChain();
        if (_profile != null)
        {
            if (store.TryGetAWSCredentials(_profile, out var p)) return (p, "profile:" + _profile);
            throw new AwsApiException("NoCredentials", $"AWS profile '{_profile}' (aws.profile) was not found in the shared credentials or config file.");
        }
        var key = _env("AWS_ACCESS_KEY_ID");
        var secret = _env("AWS_SECRET_ACCESS_KEY");
        if (!string.IsNullOrEmpty(key) && !string.IsNullOrEmpty(secret))
        {
            var token = _env("AWS_SESSION_TOKEN");
            return (string.IsNullOrEmpty(token) ? new BasicAWSCredentials(key, secret) : new SessionAWSCredentials(key, secret, token), "environment");
        }
        var envProfile = _env("AWS_PROFILE");
        var name = string.IsNullOrEmpty(envProfile) ? "default" : envProfile;
        if (store.TryGetAWSCredentials(name, out var d)) return (d, "profile:" + name);
        if (_imds != null) return (new ImdsRoleCredentials(_imds), "imds-role");
        throw new AwsApiException("NoCredentials", "No AWS credentials: no profile, no environment credentials and no instance role.");
    }
}
