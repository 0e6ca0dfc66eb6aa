using System.Net.Http.Headers;
using ExpressHa.Service.Api;

namespace ExpressHa.Service.Tests.Api;

/// <summary>A ManagementApi on 127.0.0.1 with a random port and a fake node behind it.</summary>
public sealed class ApiTestServer : IAsyncDisposable
{
    public const string Token = "test-token-0123456789abcdef";
    /// <summary>The node-to-node credential the server accepts on /v1/internal/*.</summary>
    public const string NodeCredential = "test-node-credential-fedcba9876543210";
    /// <summary>The read-only token (reads and dry runs only).</summary>
    public const string ReadOnlyToken = "test-readonly-token-5a5a5a5a5a5a5a5a";

    readonly bool _ownsDir;

    ApiTestServer(ManagementApi api, FakeClusterControl fake, string stateDir, bool ownsDir)
    {
        _ownsDir = ownsDir;
        Api = api;
        Fake = fake;
        StateDir = stateDir;
    }

    public ManagementApi Api { get; }
    public FakeClusterControl Fake { get; }
    public string StateDir { get; }

    public static async Task<ApiTestServer> StartAsync(bool tls = false, string? stateDir = null, FakeClusterControl? fake = null)
    {
        var ownsDir = stateDir == null;
        stateDir ??= Directory.CreateTempSubdirectory("expressha-api-").FullName;
        fake ??= new FakeClusterControl();
        var api = await ManagementApi.StartAsync(new ApiOptions { BindAddress = "127.0.0.1", Port = 0, Token = Token, ReadOnlyToken = ReadOnlyToken, ClusterCredential = NodeCredential, Tls = tls, StateDir = stateDir }, fake);
        return new ApiTestServer(api, fake, stateDir, ownsDir);
    }

    /// <summary>A client for raw requests; HTTPS is accepted only with the server's own fingerprint. With the default
    /// token and <paramref name="peerStyle"/> it authenticates as a peer does: the node credential on /v1/internal/*,
    /// the API token elsewhere; otherwise the token is sent as given on every route.</summary>
    public HttpClient Client(string? token = Token, bool peerStyle = true)
    {
        var handler = new HttpClientHandler();
        var expected = Api.CertificateFingerprint;
        handler.ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert != null && Client_Fp(cert) == expected;
        if (token == Token && peerStyle) return new HttpClient(new PeerStyleAuth(handler)) { BaseAddress = Api.BaseAddress, Timeout = TimeSpan.FromSeconds(20) };
        var c = new HttpClient(handler) { BaseAddress = Api.BaseAddress, Timeout = TimeSpan.FromSeconds(20) };
        if (token != null) c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return c;
    }

    sealed class PeerStyleAuth(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var node = ApiAuthorization.IsNodeRoute(request.RequestUri!.AbsolutePath);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", node ? NodeCredential : Token);
            return base.SendAsync(request, ct);
        }
    }

    static string Client_Fp(System.Security.Cryptography.X509Certificates.X509Certificate2 c) => ExpressHa.Client.CertificateFingerprint.Compute(c);

    public async ValueTask DisposeAsync()
    {
        await Api.DisposeAsync();
        if (_ownsDir) try { Directory.Delete(StateDir, recursive: true); } catch (IOException) { }
    }
}
