using System.Net;
using System.Text.RegularExpressions;
using ExpressHa.Service.Tests.Api;
using ExpressHa.Service.WebUi;

namespace ExpressHa.Service.Tests.WebUi;

/// <summary>The page and its files come from the binary, with their content types and a strict CSP, without a credential.</summary>
public class WebUiAssetsTests
{
    [Fact]
    public async Task The_page_and_every_file_it_loads_are_served_with_content_type_and_CSP()
    {
        await using var s = await ApiTestServer.StartAsync();
        using var c = s.Client(null);
        var page = await c.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var csp = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'none'", csp);
        Assert.Contains("script-src 'self'", csp);
        Assert.DoesNotContain("unsafe", csp);
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());

        // every file the page and the modules name is embedded and served with its type
        var html = await page.Content.ReadAsStringAsync();
        var named = Regex.Matches(html, "(?:src|href)=\"/ui/([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        foreach (var js in WebUiAssets.Names.Where(n => n.EndsWith(".js")))
        {
            var text = await c.GetStringAsync("/ui/" + js);
            named.AddRange(Regex.Matches(text, "from '\\./([^']+)'").Select(m => m.Groups[1].Value));
            Assert.DoesNotContain("innerHTML", text);
            Assert.DoesNotContain("localStorage", text);
        }
        Assert.Contains("app.js", named);
        foreach (var file in named.Distinct())
        {
            var r = await c.GetAsync("/ui/" + file);
            Assert.True(r.StatusCode == HttpStatusCode.OK, $"/ui/{file} answered {r.StatusCode}");
            Assert.Equal(WebUiAssets.ContentTypeOf(file).Split(';')[0], r.Content.Headers.ContentType?.MediaType);
        }
        Assert.DoesNotContain("style=", html);
        Assert.DoesNotContain("<script>", html);
    }

    [Theory]
    [InlineData("/ui/missing.js", HttpStatusCode.NotFound)]
    [InlineData("/ui/../v1/status", HttpStatusCode.Unauthorized)]
    [InlineData("/ui/sub/app.js", HttpStatusCode.Unauthorized)]
    [InlineData("/v1/status", HttpStatusCode.Unauthorized)]
    public async Task Nothing_but_the_embedded_files_is_served_without_a_credential(string path, HttpStatusCode expected)
    {
        await using var s = await ApiTestServer.StartAsync();
        using var c = s.Client(null);
        Assert.Equal(expected, (await c.GetAsync(path)).StatusCode);
    }
}
