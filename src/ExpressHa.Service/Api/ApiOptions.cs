using Microsoft.Extensions.Logging;

namespace ExpressHa.Service.Api;

/// <summary>How <see cref="ManagementApi"/> listens.</summary>
public sealed class ApiOptions
{
    /// <summary>An IP address (0.0.0.0 and :: listen everywhere) or "localhost" (127.0.0.1).</summary>
    public string BindAddress { get; init; } = "127.0.0.1";
    /// <summary>TCP port; 0 picks a free one (tests), read it back from <see cref="ManagementApi.Port"/>.</summary>
    public int Port { get; init; } = 29003;
    /// <summary>The cluster's API token: every request must carry "Authorization: Bearer TOKEN".</summary>
    public string Token { get; init; } = "";
    /// <summary>The read-only token (cluster.security.readOnlyTokenFile): reads and dry runs only. Empty: no such role.</summary>
    public string ReadOnlyToken { get; init; } = "";
    /// <summary>How long a web UI session lives without a request, and at most.</summary>
    public TimeSpan SessionIdleTimeout { get; init; } = TimeSpan.FromMinutes(30);
    public TimeSpan SessionLifetime { get; init; } = TimeSpan.FromHours(12);
    /// <summary>The credential derived from the cluster key (<see cref="Security.ClusterCredential"/>): the only one the
    /// node-to-node routes (/v1/internal/*) accept. Empty: those routes refuse every caller.</summary>
    public string ClusterCredential { get; init; } = "";
    /// <summary>HTTPS with the node's self-signed certificate. Off is allowed only when <see cref="BindAddress"/> is loopback.</summary>
    public bool Tls { get; init; } = true;
    /// <summary>The node's state directory: the certificate lives there (<see cref="ApiCertificate.FileName"/>).</summary>
    public string StateDir { get; init; } = "";
    /// <summary>Largest accepted request body (a config push carries the whole YAML).</summary>
    public long MaxBodyBytes { get; init; } = 4 * 1024 * 1024;
    /// <summary>Where the API logs (failed requests, internal errors); none when null.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}

/// <summary>The options cannot work (plain HTTP on a non-loopback address, no token, bad address).</summary>
public sealed class ApiConfigurationException(string message) : Exception(message);
