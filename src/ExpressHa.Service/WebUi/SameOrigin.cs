namespace ExpressHa.Service.WebUi;

/// <summary>The web UI's proof that a changing call comes from its own page, not from another site riding on the
/// session cookie (the cookie is SameSite=Strict too; this holds where a browser does not honour that): the page
/// sends <see cref="HeaderName"/>, which a cross-site form cannot and a cross-site script may not without a CORS
/// pre-flight the API never grants; and an Origin or Sec-Fetch-Site header, when the browser sends one, must name
/// this very server.</summary>
public static class SameOrigin
{
    public const string HeaderName = "X-ExpressHa-Request";
    public const string HeaderValue = "webui";

    /// <summary>Null when the request may go on; otherwise why not.</summary>
    /// <param name="requestHeader">The value of <see cref="HeaderName"/> (null: absent); not needed for sign-in.</param>
    /// <param name="origin">The Origin header, null when absent.</param>
    /// <param name="secFetchSite">The Sec-Fetch-Site header, null when absent.</param>
    /// <param name="self">This server as the browser addresses it: scheme://host[:port].</param>
    public static string? Refusal(string? requestHeader, bool headerRequired, string? origin, string? secFetchSite, string self)
    {
        if (headerRequired && requestHeader != HeaderValue)
            return $"a web UI session's changing call needs the header {HeaderName}: {HeaderValue} (the page sends it; another site cannot)";
        if (origin != null && !string.Equals(origin.TrimEnd('/'), self, StringComparison.OrdinalIgnoreCase))
            return $"the request comes from {origin}, not from this node's page ({self})";
        if (secFetchSite != null && secFetchSite is not ("same-origin" or "none"))
            return $"the browser says the request is {secFetchSite}, not same-origin";
        return null;
    }
}
