using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ExpressHa.Api;

namespace ExpressHa.Client
{
    /// <summary>The HTTP side of <see cref="HaApiClient"/>: the pinned certificate, the token, JSON in and out, and every
    /// failure as an <see cref="HaApiException"/>.</summary>
    sealed class HaApiConnection : IDisposable
    {
        readonly HttpClient _http;
        readonly string? _expected;
        string? _presented;
        bool _pinFailed;

        /// <param name="endpoint">https://host:port/ (or http://127.0.0.1:port/ on loopback).</param>
        /// <param name="token">The cluster's API token.</param>
        /// <param name="certificateFingerprint">SHA-256 of the server certificate (hex, ':' allowed); required for HTTPS.</param>
        public HaApiConnection(Uri endpoint, string token, string? certificateFingerprint, TimeSpan? timeout)
        {
            if (endpoint == null) throw new ArgumentNullException(nameof(endpoint));
            if (string.IsNullOrEmpty(token)) throw new ArgumentException("the API token is empty", nameof(token));
            if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != "https" && endpoint.Scheme != "http"))
                throw new ArgumentException($"'{endpoint}' is not an http:// or https:// URL", nameof(endpoint));
            if (endpoint.Scheme == "http" && !endpoint.IsLoopback)
                throw new HaApiException(0, ErrorCodes.InsecureEndpoint,
                    $"Plain HTTP is allowed only to a loopback address; '{endpoint}' is not one. Use https:// with -CertificateFingerprint.");
            if (certificateFingerprint != null)
            {
                _expected = Client.CertificateFingerprint.Normalize(certificateFingerprint)
                    ?? throw new ArgumentException($"'{certificateFingerprint}' is not a SHA-256 fingerprint (64 hex digits)", nameof(certificateFingerprint));
                if (endpoint.Scheme != "https")
                    throw new ArgumentException("a certificate fingerprint pins an HTTPS certificate; the endpoint uses plain HTTP", nameof(certificateFingerprint));
            }

            Endpoint = new Uri(endpoint.GetLeftPart(UriPartial.Authority) + "/");
            var handler = new HttpClientHandler { UseProxy = false, AllowAutoRedirect = false };
            if (endpoint.Scheme == "https") handler.ServerCertificateCustomValidationCallback = (_, cert, __, ___) => Validate(cert);
            _http = new HttpClient(handler) { BaseAddress = Endpoint, Timeout = timeout ?? TimeSpan.FromSeconds(30) };
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        }

        public Uri Endpoint { get; }
        public string? CertificateFingerprint => _expected;

        bool Validate(System.Security.Cryptography.X509Certificates.X509Certificate2? cert)
        {
            if (cert == null) { _pinFailed = true; return false; }
            var fp = Client.CertificateFingerprint.Compute(cert);
            _presented = fp;
            var ok = _expected != null && Client.CertificateFingerprint.Matches(_expected, fp);
            if (!ok) _pinFailed = true;
            return ok;
        }

        /// <summary>Calls a route of the contract; <paramref name="name"/> fills its placeholder, <paramref name="query"/> ("?a=b") follows.</summary>
        public Task<T> CallAsync<T>(ApiRoute route, object? body, CancellationToken ct, string? name = null, string query = "")
            => SendAsync<T>(new HttpMethod(route.Method), (name == null ? route.Path() : route.Path(name)) + query, body, ct);

        public async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken ct)
        {
            using (var req = new HttpRequestMessage(method, path))
            {
                if (body != null) req.Content = new StringContent(JsonLite.Write(body), new UTF8Encoding(false), "application/json");
                var resp = await TransportAsync(req, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
                using (resp)
                {
                    var text = resp.Content == null ? "" : await resp.Content.ReadAsStringAsync().ConfigureAwait(false);
                    var status = (int)resp.StatusCode;
                    if (status >= 200 && status < 300) return Decode<T>(text, status);
                    throw ErrorFrom(status, resp.ReasonPhrase, text, typeof(T) == typeof(ConfigPushResult));
                }
            }
        }

        /// <summary>GETs a binary answer and copies it to <paramref name="destination"/> as it arrives (never held in
        /// memory); <paramref name="progress"/> gets the bytes copied so far. Errors throw as for the JSON routes.</summary>
        public async Task<long> DownloadAsync(string path, Stream destination, Action<long>? progress, CancellationToken ct)
        {
            using (var req = new HttpRequestMessage(HttpMethod.Get, path))
            {
                var resp = await TransportAsync(req, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
                using (resp)
                {
                    var status = (int)resp.StatusCode;
                    if (status < 200 || status >= 300)
                    {
                        var text = resp.Content == null ? "" : await resp.Content.ReadAsStringAsync().ConfigureAwait(false);
                        throw ErrorFrom(status, resp.ReasonPhrase, text, false);
                    }
                    var total = 0L;
                    try
                    {
                        using (var body = await resp.Content!.ReadAsStreamAsync().ConfigureAwait(false))
                        {
                            var buffer = new byte[81920];
                            int n;
                            while ((n = await body.ReadAsync(buffer, 0, buffer.Length, ct).ConfigureAwait(false)) > 0)
                            {
                                await destination.WriteAsync(buffer, 0, n, ct).ConfigureAwait(false);
                                total += n;
                                progress?.Invoke(total);
                            }
                        }
                    }
                    catch (Exception ex) when (ex is IOException || ex is HttpRequestException)
                    {
                        throw new HaApiException(status, ErrorCodes.ConnectionFailed, $"{Endpoint} broke off the transfer after {total} bytes: {ex.Message}", ex);
                    }
                    return total;
                }
            }
        }

        /// <summary>Sends the request; transport failures (timeout, refused connection, certificate) become <see cref="HaApiException"/>.</summary>
        async Task<HttpResponseMessage> TransportAsync(HttpRequestMessage req, HttpCompletionOption completion, CancellationToken ct)
        {
            _pinFailed = false;
            try
            {
                return await _http.SendAsync(req, completion, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw;
            }
            catch (OperationCanceledException ex)
            {
                throw new HaApiException(0, ErrorCodes.Timeout, $"{Endpoint} did not answer within {_http.Timeout.TotalSeconds:0} s.", ex);
            }
            catch (HttpRequestException ex)
            {
                throw TransportError(ex);
            }
        }

        Exception TransportError(HttpRequestException ex)
        {
            if (_pinFailed)
            {
                if (_expected == null)
                    return new HaApiException(0, ErrorCodes.CertificateNotTrusted,
                        $"{Endpoint} presented a certificate with SHA-256 fingerprint {_presented ?? "(none)"}. It is not trusted because no fingerprint was given: " +
                        "check it against the node (its log or state directory shows it) and pass it with -CertificateFingerprint.", ex)
                    { ServerFingerprint = _presented };
                return new HaApiException(0, ErrorCodes.CertificateMismatch,
                    $"{Endpoint} presented a certificate with SHA-256 fingerprint {_presented ?? "(none)"}, not the pinned {_expected}. " +
                    "The node's certificate changed or this is not the node you meant; do not connect until you know which.", ex)
                { ServerFingerprint = _presented };
            }
            var inner = ex.InnerException != null ? ex.InnerException.Message : ex.Message;
            return new HaApiException(0, ErrorCodes.ConnectionFailed, $"Cannot reach {Endpoint}: {inner}", ex);
        }

        T Decode<T>(string text, int status)
        {
            try
            {
                return JsonLite.Deserialize<T>(text);
            }
            catch (JsonLiteException ex)
            {
                throw new HaApiException(status, ErrorCodes.BadResponse, $"{Endpoint} answered with something that is not the expected JSON ({ex.Message}).", ex);
            }
        }

        HaApiException ErrorFrom(int status, string? reason, string text, bool pushResult)
        {
            string? code = null, message = null;
            ConfigPushResult? push = null;
            try
            {
                if (JsonLite.Parse(text) is Dictionary<string, object?> d)
                {
                    code = d.TryGetValue("code", out var c) ? c as string : null;
                    message = d.TryGetValue("message", out var m) ? m as string : null;
                    if (pushResult && d.ContainsKey("diff")) push = (ConfigPushResult?)JsonLite.Bind(d, typeof(ConfigPushResult));
                }
            }
            catch (JsonLiteException)
            {
                // not our JSON: fall back to the status line
            }
            code ??= ErrorCodes.ForStatus(status);
            if (status == 401) message ??= "The API token was refused.";
            message ??= $"HTTP {status} {reason}";
            return new HaApiException(status, code, message) { PushResult = push };
        }

        public void Dispose() => _http.Dispose();
    }
}
