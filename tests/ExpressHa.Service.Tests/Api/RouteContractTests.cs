using System.Net;
using ExpressHa.Api;

namespace ExpressHa.Service.Tests.Api;

/// <summary>The service maps exactly the routes of the contract in Core (<see cref="ApiRoutes"/>), which the clients call.</summary>
public class RouteContractTests
{
    [Fact]
    public async Task The_service_maps_every_contract_route_and_no_other()
    {
        await using var s = await ApiTestServer.StartAsync();
        var mapped = s.Api.Routes().Where(r => r.Method != "*").Select(r => r.Method + " " + r.Pattern).OrderBy(x => x).ToList();
        var contract = ApiRoutes.Mapped.Select(r => r.ToString()).OrderBy(x => x).ToList();
        Assert.Equal(contract, mapped);
        // the only endpoint outside the contract is the fallback that answers unknown routes
        Assert.Equal(["*"], s.Api.Routes().Where(r => !contract.Contains(r.Method + " " + r.Pattern)).Select(r => r.Method).Distinct());
    }

    [Fact]
    public async Task The_routes_answered_before_authentication_answer_without_a_credential()
    {
        await using var s = await ApiTestServer.StartAsync();
        using var anonymous = s.Client(token: null);
        using var who = await anonymous.GetAsync(ApiRoutes.SessionWhoAmI.Path());
        Assert.Equal(HttpStatusCode.OK, who.StatusCode);
        Assert.Contains("\"none\"", await who.Content.ReadAsStringAsync());
        using var signIn = await anonymous.PostAsync(ApiRoutes.SessionSignIn.Path(), new StringContent("{\"token\":\"wrong\"}", System.Text.Encoding.UTF8, "application/json"));
        Assert.NotEqual(HttpStatusCode.NotFound, signIn.StatusCode);
        using var status = await anonymous.GetAsync(ApiRoutes.Status.Path());
        Assert.Equal(HttpStatusCode.Unauthorized, status.StatusCode);
    }

    /// <summary>The web UI is a client too: every API path its scripts call is a route of the contract.</summary>
    [Fact]
    public void The_web_ui_calls_only_contract_routes()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "ExpressHa.slnx"))) dir = dir.Parent;
        var assets = Path.Combine(dir!.FullName, "src", "ExpressHa.Service", "WebUi", "assets");
        var templates = ApiRoutes.Mapped.Concat(ApiRoutes.BeforeAuthentication).Select(r => r.Template).ToList();
        var calls = Directory.GetFiles(assets, "*.js")
            .SelectMany(f => System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(f), @"['`""]/(v1/[^'`""?]*)").Select(m => (File: Path.GetFileName(f), Path: m.Groups[1].Value)))
            .ToList();
        Assert.True(calls.Count >= 8, $"only {calls.Count} API paths found in the web UI");
        foreach (var (file, path) in calls)
        {
            // ${...} is one path segment filled in by the page
            var pattern = "^" + string.Join("/", path.Split('/').Select(seg => seg.Contains("${") ? "[^/]+" : System.Text.RegularExpressions.Regex.Escape(seg))) + "$";
            Assert.True(templates.Any(t => System.Text.RegularExpressions.Regex.IsMatch(t, pattern)), $"{file} calls /{path}, which is not a route of the contract");
        }
    }
}
