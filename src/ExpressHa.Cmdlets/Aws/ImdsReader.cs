using System;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace ExpressHa.Cmdlets
{
    /// <summary>Reads EC2 instance metadata over IMDSv2 with plain HTTP (no AWS SDK in the user's session): one
    /// session token (PUT /latest/api/token), then GETs under /latest/meta-data/ carrying it. No proxy: the metadata
    /// address is link-local.</summary>
    public sealed class ImdsReader : IDisposable
    {
        public const string DefaultEndpoint = "http://169.254.169.254";
        const string TokenHeader = "X-aws-ec2-metadata-token";
        const string TtlHeader = "X-aws-ec2-metadata-token-ttl-seconds";

        readonly HttpClient _http;
        readonly Uri _base;
        string? _token;

        public ImdsReader(Uri endpoint, TimeSpan timeout)
        {
            _base = new Uri(endpoint.GetLeftPart(UriPartial.Authority) + "/");
            _http = new HttpClient(new HttpClientHandler { UseProxy = false, AllowAutoRedirect = false }) { Timeout = timeout };
        }

        public Uri Endpoint => _base;

        /// <summary>Gets the session token (6 hours). Failures to reach the endpoint are <see cref="ImdsUnavailableException"/>.</summary>
        public async Task ConnectAsync(CancellationToken ct)
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(_base, "latest/api/token"));
            request.Headers.TryAddWithoutValidation(TtlHeader, "21600");
            using var response = await SendAsync(request, ct).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK || string.IsNullOrWhiteSpace(body))
                throw new ImdsUnavailableException($"the instance metadata service at {_base} refused a session token (HTTP {(int)response.StatusCode} {response.ReasonPhrase}); IMDSv2 must be enabled on the instance");
            _token = body.Trim();
        }

        /// <summary>The value at a meta-data path such as "instance-id"; null when the path does not exist (404).</summary>
        public async Task<string?> GetAsync(string path, CancellationToken ct)
        {
            if (_token == null) await ConnectAsync(ct).ConfigureAwait(false);
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_base, "latest/meta-data/" + path));
            request.Headers.TryAddWithoutValidation(TokenHeader, _token);
            using var response = await SendAsync(request, ct).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound) return null;
            if (response.StatusCode != HttpStatusCode.OK)
                throw new ImdsUnavailableException($"GET {path} from the instance metadata service failed: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            var text = (await response.Content.ReadAsStringAsync().ConfigureAwait(false)).Trim();
            return text.Length == 0 ? null : text;
        }

        async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            try
            {
                return await _http.SendAsync(request, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
            catch (OperationCanceledException e)
            {
                throw new ImdsUnavailableException($"the instance metadata service at {_base} did not answer within {_http.Timeout.TotalSeconds:0.#} s; is this an EC2 instance?", e);
            }
            catch (HttpRequestException e)
            {
                throw new ImdsUnavailableException($"cannot reach the instance metadata service at {_base}: {Innermost(e).Message}; is this an EC2 instance?", e);
            }
        }

        static Exception Innermost(Exception e)
        {
            while (e.InnerException != null && !(e is SocketException)) e = e.InnerException;
            return e;
        }

        public void Dispose() => _http.Dispose();
    }

    /// <summary>The metadata service cannot be reached or refuses the request (not on EC2, IMDS disabled, hop limit).</summary>
    public sealed class ImdsUnavailableException : Exception
    {
        public ImdsUnavailableException(string message, Exception? inner = null) : base(message, inner) { }
    }
}
