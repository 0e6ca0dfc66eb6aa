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
}
