using System.Net;
using System.Text.Json;

namespace ExpressHa.Service.Tests.Api;

public class OperationsRoutesTests
{
    static readonly string[] Routes =
    [
        "v1/config", "v1/cluster/alerts", "v1/groups/failover1/history", "v1/support/bundle?node=server1",
        "v1/internal/ownership", "v1/internal/support/bundle",
    ];

    [Fact]
    public async Task Every_operations_route_refuses_a_request_without_the_token()
    {
        await using var s = await ApiTestServer.StartAsync();
        foreach (var token in new[] { null, "wrong" })
        {
            using var c = s.Client(token);
            foreach (var route in Routes)
            {
                using var resp = await c.GetAsync(route);
                Assert.Equal(HttpStatusCode.Unauthorized, resp.StatusCode);
                Assert.DoesNotContain("failover1", await resp.Content.ReadAsStringAsync());
            }
        }
    }

    [Fact]
    public async Task The_running_config_comes_with_its_generation_and_unknown_parameters_are_refused()
    {
        await using var s = await ApiTestServer.StartAsync();
        using var c = s.Client();

        using var doc = JsonDocument.Parse(await c.GetStringAsync("v1/config"));
        Assert.Equal(s.Fake.Generation, doc.RootElement.GetProperty("generation").GetInt64());
        Assert.StartsWith("apiVersion: expressha/v1", doc.RootElement.GetProperty("yaml").GetString());
        Assert.Equal(s.Fake.GetStatus().ClusterName, doc.RootElement.GetProperty("clusterName").GetString());

        using var bad = await c.GetAsync("v1/config?generation=3");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using var error = JsonDocument.Parse(await bad.Content.ReadAsStringAsync());
        Assert.Equal("unknown query parameter 'generation'; this route takes none", error.RootElement.GetProperty("message").GetString());
    }
}
