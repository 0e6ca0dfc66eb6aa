using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace ExpressHa.Service.WebUi;

/// <summary>The web UI's static files, embedded in the service (nothing is fetched from elsewhere at run time):
/// GET / is the page, GET /ui/NAME its scripts and styles. Each answer carries its content type and a strict
/// Content-Security-Policy (only this origin's scripts, styles and API; no inline code, no framing).</summary>
public static class WebUiAssets
{
    const string Prefix = "webui/";
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    sealed record Asset(byte[] Bytes, string ContentType, string ETag);

    static readonly FrozenDictionary<string, Asset> Assets = Load();

    /// <summary>The embedded file names (e.g. "index.html", "app.js").</summary>
    public static IReadOnlyCollection<string> Names => Assets.Keys;

    static FrozenDictionary<string, Asset> Load()
    {
        var asm = typeof(WebUiAssets).Assembly;
        var d = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var name in asm.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var s = asm.GetManifestResourceStream(name)!;
            using var m = new MemoryStream();
            s.CopyTo(m);
            var bytes = m.ToArray();
            var file = name[Prefix.Length..];
            d[file] = new Asset(bytes, ContentTypeOf(file), "\"" + Convert.ToHexString(SHA256.HashData(bytes))[..16] + "\"");
        }
        return d.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public static string ContentTypeOf(string file) => Path.GetExtension(file).ToLowerInvariant() switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".ico" => "image/x-icon",
        _ => "application/octet-stream",
    };

    /// <summary>The asset a path names: "/" the page, "/ui/NAME" a file; null for every other path.</summary>
    public static string? AssetFor(PathString path)
    {
        var p = path.Value ?? "";
        if (p is "/" or "/ui" or "/ui/") return "index.html";
        if (!p.StartsWith("/ui/", StringComparison.Ordinal)) return null;
        var name = p["/ui/".Length..];
        return name.Length > 0 && !name.Contains('/') && !name.Contains("..") ? name : null;
    }

    /// <summary>Serves GET/HEAD of / and /ui/*; false for any other request (it goes on to the API).</summary>
    public static async Task<bool> TryServeAsync(HttpContext c)
    {
        if (!HttpMethods.IsGet(c.Request.Method) && !HttpMethods.IsHead(c.Request.Method)) return false;
        var file = AssetFor(c.Request.Path);
        if (file == null) return false;
        var h = c.Response.Headers;
        h.ContentSecurityPolicy = ContentSecurityPolicy;
        h["Referrer-Policy"] = "no-referrer";
        h["Cross-Origin-Opener-Policy"] = "same-origin";
        h.CacheControl = "no-cache";
        if (!Assets.TryGetValue(file, out var asset))
        {
            c.Response.StatusCode = 404;
            c.Response.ContentType = "text/plain; charset=utf-8";
            await c.Response.WriteAsync("no such file in the web UI\n");
            return true;
        }
        h.ETag = asset.ETag;
        if (c.Request.Headers.IfNoneMatch == asset.ETag) { c.Response.StatusCode = 304; return true; }
        c.Response.StatusCode = 200;
        c.Response.ContentType = asset.ContentType;
        c.Response.ContentLength = asset.Bytes.Length;
        if (HttpMethods.IsGet(c.Request.Method)) await c.Response.Body.WriteAsync(asset.Bytes, c.RequestAborted);
        return true;
    }
}
