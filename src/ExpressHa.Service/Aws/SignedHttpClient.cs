using System.Net;
using System.Net.Http.Headers;
using System.Xml.Linq;
using Amazon.Runtime;

namespace ExpressHa.Service.Aws;

/// <summary>Sends SigV4-signed requests for one AWS service over an <see cref="HttpClient"/>: each call is bounded by
/// the per-call timeout (→ <see cref="AwsApiException"/> with IsTimeout), an unreachable endpoint is reported the same
/// way (the API did not answer), and an error body (ErrorResponse/Error/Code+Message, or Route 53's
/// InvalidChangeBatch/Messages) becomes an <see cref="AwsApiException"/> with the service's code and HTTP status.</summary>
public sealed class SignedHttpClient
{
    private readonly HttpClient _http;
    private readonly AWSCredentials _credentials;
    private readonly Func<DateTime> _utcNow;

    public SignedHttpClient(HttpClient http, AWSCredentials credentials, Uri endpoint, string signingRegion, string service,
        TimeSpan perCallTimeout, Func<DateTime>? utcNow = null)
    {
        _http = http;
        _credentials = credentials;
        Endpoint = endpoint.AbsoluteUri.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");
        SigningRegion = signingRegion;
        Service = service;
        PerCallTimeout = perCallTimeout;
        _utcNow = utcNow ?? (() => DateTime.UtcNow);
    }

    public Uri Endpoint { get; }
    public string SigningRegion { get; }
    public string Service { get; }
    public TimeSpan PerCallTimeout { get; }

    /// <summary>Sends one signed request; returns the parsed XML body of a 2xx answer.</summary>
    /// <param name="relativePathAndQuery">e.g. "2013-04-01/hostedzone/Z1/rrset?name=a.example.com." (no leading slash needed).</param>
    public async Task<XDocument> SendAsync(HttpMethod method, string relativePathAndQuery, byte[]? body, string? contentType,
        string operation, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(PerCallTimeout);
        try
        {
            var creds = await _credentials.GetCredentialsAsync().WaitAsync(timeout.Token).ConfigureAwait(false);
            using var request = new HttpRequestMessage(method, new Uri(Endpoint, relativePathAndQuery.TrimStart('/')));
            var payload = body ?? [];
            if (body != null)
            {
                request.Content = new ByteArrayContent(body);
                if (contentType != null) request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            }
            AwsSigV4.Sign(request, payload, creds, SigningRegion, Service, _utcNow());
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw ParseError(operation, response.StatusCode, text);
            try
            {
                return XDocument.Parse(text);
            }
            catch (System.Xml.XmlException e)
            {
                throw new AwsApiException("MalformedResponse", $"{operation}: the {Service} endpoint answered with a body that is not XML: {e.Message}", (int)response.StatusCode, inner: e);
            }
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new AwsApiException("RequestTimeout", $"{operation}: no answer from {Endpoint.Authority} within {PerCallTimeout.TotalSeconds:0.###} s.", 0, timeout: true, inner: e);
        }
        catch (HttpRequestException e)
        {
            throw new AwsApiException("EndpointUnreachable", $"{operation}: {Endpoint.Authority} unreachable: {e.Message}", 0, timeout: true, inner: e);
        }
    }

    /// <summary>Turns an AWS error body into an exception. Understands the query/REST-XML ErrorResponse
    /// (Error/Type, Code, Message) and Route 53's InvalidChangeBatch (Messages/Message).</summary>
    public static AwsApiException ParseError(string operation, HttpStatusCode status, string body)
    {
        string code = status switch
        {
            HttpStatusCode.TooManyRequests => "Throttling",
            HttpStatusCode.ServiceUnavailable => "ServiceUnavailable",
            HttpStatusCode.Forbidden => "AccessDenied",
            >= HttpStatusCode.InternalServerError => "InternalFailure",
            _ => "HttpError" + (int)status,
        };
        string message = $"HTTP {(int)status}";
        try
        {
            var root = XDocument.Parse(body).Root;
            if (root != null)
            {
                var error = root.Name.LocalName == "Error" ? root : root.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
                if (error != null)
                {
                    code = Child(error, "Code") ?? code;
                    message = Child(error, "Message") ?? message;
                }
                else if (root.Name.LocalName == "InvalidChangeBatch")
                {
                    code = "InvalidChangeBatch";
                    var messages = root.Descendants().Where(e => e.Name.LocalName == "Message").Select(e => e.Value).ToList();
                    if (messages.Count > 0) message = string.Join("; ", messages);
                }
            }
        }
        catch (System.Xml.XmlException)
        {
            if (!string.IsNullOrWhiteSpace(body)) message += ": " + (body.Length > 200 ? body[..200] : body);
        }
        return new AwsApiException(code, $"{operation}: {code}: {message}", (int)status);
    }

    internal static string? Child(XElement e, string localName) =>
        e.Elements().FirstOrDefault(x => x.Name.LocalName == localName)?.Value;
}
