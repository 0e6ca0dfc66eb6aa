using System.Diagnostics;
using System.Net.Http.Json;
using Amazon.EC2;
using Amazon.EC2.Model;
using ExpressHa.AwsLocal;
using static ExpressHa.AwsLocal.Tests.Harness;

namespace ExpressHa.AwsLocal.Tests;

public class FaultTests
{
    [Fact]
    public async Task ThrottledThenSuccessWithoutSdkRetries()
    {
        await using var srv = await StartAsync();
        srv.Faults.Throttle("ec2:ReplaceRoute", 2);
        using var ec2 = Ec2(srv, maxErrorRetry: 0);
        var req = new ReplaceRouteRequest { RouteTableId = RtbA, DestinationCidrBlock = Vip, NetworkInterfaceId = Eni2 };
        for (int i = 0; i < 2; i++)
        {
            var e = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.ReplaceRouteAsync(req));
            Assert.Equal("RequestLimitExceeded", e.ErrorCode);
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, e.StatusCode);
            Assert.Equal(Eni1, srv.World.Read(s => s.RouteTables.Single(t => t.Id == RtbA).Routes.Single(r => r.Destination == Vip).Target));
        }
        await ec2.ReplaceRouteAsync(req);
        Assert.Equal(3, srv.Faults.Calls("ec2:ReplaceRoute"));
        Assert.Equal(Eni2, srv.World.Read(s => s.RouteTables.Single(t => t.Id == RtbA).Routes.Single(r => r.Destination == Vip).Target));
    }

    [Fact]
    public async Task TheSdkRetriesThrottlingAndServerErrorsByItself()
    {
        await using var srv = await StartAsync();
        srv.Faults.Throttle("DescribeVpcs", 1);
        srv.Faults.Error("DescribeVpcs", 1, 503);
        using var ec2 = Ec2(srv, maxErrorRetry: 3);
        var r = await ec2.DescribeVpcsAsync(new DescribeVpcsRequest());
        Assert.Single(r.Vpcs);
        Assert.Equal(3, srv.Faults.Calls("DescribeVpcs"));
        Assert.Equal("RequestLimitExceeded,Unavailable,", string.Join(",", srv.CallLog.Where(c => c.Action == "DescribeVpcs").Select(c => c.ErrorCode)));
    }

    [Fact]
    public async Task ServerErrorsMapToAwsCodes()
    {
        await using var srv = await StartAsync();
        srv.Faults.Error("ec2:*", 1, 500);
        using var ec2 = Ec2(srv);
        var e = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DescribeInstancesAsync(new DescribeInstancesRequest()));
        Assert.Equal("InternalError", e.ErrorCode);
        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, e.StatusCode);
        await ec2.DescribeInstancesAsync(new DescribeInstancesRequest());
    }

    [Fact]
    public async Task LatencyAndHangPastTheClientTimeout()
    {
        await using var srv = await StartAsync();
        using var ec2 = Ec2(srv, timeout: TimeSpan.FromMilliseconds(2000));
        await ec2.DescribeAvailabilityZonesAsync(new DescribeAvailabilityZonesRequest());   // warm up: the first call pays for JIT and connection setup
        srv.Faults.Latency("DescribeAvailabilityZones", 300);
        var sw = Stopwatch.StartNew();
        await ec2.DescribeAvailabilityZonesAsync(new DescribeAvailabilityZonesRequest());
        Assert.True(sw.ElapsedMilliseconds >= 290, $"{sw.ElapsedMilliseconds} ms");

        srv.Faults.Hang("ReplaceRoute", 5);   // more than one, so a retry inside the SDK hangs as well
        sw.Restart();
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => ec2.ReplaceRouteAsync(new ReplaceRouteRequest { RouteTableId = RtbA, DestinationCidrBlock = Vip, NetworkInterfaceId = Eni2 }));
        Assert.True(sw.ElapsedMilliseconds < 20000, $"{sw.ElapsedMilliseconds} ms ({ex.GetType().Name})");
        Assert.Equal(Eni1, srv.World.Read(s => s.RouteTables.Single(t => t.Id == RtbA).Routes.Single(r => r.Destination == Vip).Target));
        srv.Faults.Clear("ReplaceRoute");
        await ec2.ReplaceRouteAsync(new ReplaceRouteRequest { RouteTableId = RtbA, DestinationCidrBlock = Vip, NetworkInterfaceId = Eni2 });
    }

    [Fact]
    public async Task ReadAfterWriteLag()
    {
        await using var srv = await StartAsync();
        srv.Faults.Lag("ec2:DescribeRouteTables", 400);
        using var ec2 = Ec2(srv);
        await ec2.ReplaceRouteAsync(new ReplaceRouteRequest { RouteTableId = RtbA, DestinationCidrBlock = Vip, NetworkInterfaceId = Eni2 });
        async Task<string> Target() => (await ec2.DescribeRouteTablesAsync(new DescribeRouteTablesRequest { RouteTableIds = [RtbA] }))
            .RouteTables.Single().Routes.Single(r => r.DestinationCidrBlock == Vip).NetworkInterfaceId;
        Assert.Equal(Eni1, await Target());   // still the old state
        Assert.Equal(Eni2, srv.World.Read(s => s.RouteTables.Single(t => t.Id == RtbA).Routes.Single(r => r.Destination == Vip).Target));
        await Task.Delay(500);
        Assert.Equal(Eni2, await Target());
    }

    [Fact]
    public async Task FaultsFromTheWorldFileAndTheControlRoute()
    {
        await using var srv = await StartAsync(s => s.Faults.Add(new FaultSpec { Action = "DescribeSubnets", Throttle = 1 }));
        using var ec2 = Ec2(srv);
        Assert.Equal("RequestLimitExceeded", (await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest()))).ErrorCode);
        await ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest());

        using var http = new HttpClient { BaseAddress = srv.BaseAddress };
        var resp = await http.PostAsJsonAsync("_faults", new { action = "ec2:DescribeInstances", errors = 1, errorStatus = 503 });
        resp.EnsureSuccessStatusCode();
        Assert.Equal("Unavailable", (await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DescribeInstancesAsync(new DescribeInstancesRequest()))).ErrorCode);
        var calls = await http.GetFromJsonAsync<System.Text.Json.JsonElement>("_calls?action=ec2:DescribeInstances");
        Assert.Equal(1, calls.GetProperty("count").GetInt32());

        await http.PostAsJsonAsync("_faults", new[] { new { action = "*", throttle = 5 } });
        (await http.DeleteAsync("_faults")).EnsureSuccessStatusCode();
        await ec2.DescribeInstancesAsync(new DescribeInstancesRequest());

        (await http.PostAsync("_world/az/ap-northeast-1a?state=unavailable", null)).EnsureSuccessStatusCode();
        var az = await ec2.DescribeAvailabilityZonesAsync(new DescribeAvailabilityZonesRequest { ZoneNames = ["ap-northeast-1a"] });
        Assert.Equal(AvailabilityZoneState.Unavailable, az.AvailabilityZones.Single().State);
        var state = await http.GetStringAsync("_state");
        Assert.Contains("state: unavailable", state);
    }
}
