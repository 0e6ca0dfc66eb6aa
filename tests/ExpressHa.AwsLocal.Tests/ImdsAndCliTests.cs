using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Amazon.EC2.Model;
using ExpressHa.AwsLocal;
using static ExpressHa.AwsLocal.Tests.Harness;

namespace ExpressHa.AwsLocal.Tests;

[Trait("Category", TestCategory.Process)]
public class ImdsAndCliTests
{
    [Fact]
    public async Task ImdsV2TokenFlowAndInstanceData()
    {
        await using var srv = await StartAsync();
        var imds = await srv.StartImdsAsync(Node1);
        var imds2 = await srv.StartImdsAsync(Node2);
        using var http = new HttpClient { BaseAddress = imds.BaseAddress };

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("latest/meta-data/instance-id")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PutAsync("latest/api/token", null)).StatusCode);

        var put = new HttpRequestMessage(HttpMethod.Put, "latest/api/token");
        put.Headers.Add("X-aws-ec2-metadata-token-ttl-seconds", "21600");
        var tokenResp = await http.SendAsync(put);
        Assert.Equal(HttpStatusCode.OK, tokenResp.StatusCode);
        var token = await tokenResp.Content.ReadAsStringAsync();
        http.DefaultRequestHeaders.Add("X-aws-ec2-metadata-token", token);

        Assert.Equal(Node1, await http.GetStringAsync("latest/meta-data/instance-id"));
        Assert.Equal("ap-northeast-1a", await http.GetStringAsync("latest/meta-data/placement/availability-zone"));
        Assert.Equal("ap-northeast-1", await http.GetStringAsync("latest/meta-data/placement/region"));
        Assert.Equal("10.0.110.10", await http.GetStringAsync("latest/meta-data/local-ipv4"));
        Assert.Equal("203.0.113.10", await http.GetStringAsync("latest/meta-data/public-ipv4"));
        var mac = await http.GetStringAsync("latest/meta-data/mac");
        Assert.Equal(mac + "/", await http.GetStringAsync("latest/meta-data/network/interfaces/macs/"));
        Assert.Equal(Eni1, await http.GetStringAsync($"latest/meta-data/network/interfaces/macs/{mac}/interface-id"));
        Assert.Equal("subnet-0private0000000a", await http.GetStringAsync($"latest/meta-data/network/interfaces/macs/{mac}/subnet-id"));
        Assert.Equal(VpcId, await http.GetStringAsync($"latest/meta-data/network/interfaces/macs/{mac}/vpc-id"));
        Assert.Equal("10.0.0.0/16", await http.GetStringAsync($"latest/meta-data/network/interfaces/macs/{mac}/vpc-ipv4-cidr-block"));
        Assert.Contains("instance-id", (await http.GetStringAsync("latest/meta-data/")).Split('\n'));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("latest/meta-data/nothing-here")).StatusCode);

        Assert.Equal("expressha-node", await http.GetStringAsync("latest/meta-data/iam/security-credentials/"));
        var creds = JsonDocument.Parse(await http.GetStringAsync("latest/meta-data/iam/security-credentials/expressha-node")).RootElement;
        Assert.Equal("Success", creds.GetProperty("Code").GetString());
        var doc = JsonDocument.Parse(await http.GetStringAsync("latest/dynamic/instance-identity/document")).RootElement;
        Assert.Equal("ap-northeast-1", doc.GetProperty("region").GetString());

        // the role credentials from IMDS work against the endpoint (SigV4 with the session token)
        using var ec2 = Ec2(srv, key: creds.GetProperty("AccessKeyId").GetString()!, secret: creds.GetProperty("SecretAccessKey").GetString()!, token: creds.GetProperty("Token").GetString());
        Assert.NotEmpty((await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [Node1] })).Reservations);

        // each instance has its own IMDS; a token of one is not valid on the other
        using var http2 = new HttpClient { BaseAddress = imds2.BaseAddress };
        http2.DefaultRequestHeaders.Add("X-aws-ec2-metadata-token", token);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http2.GetAsync("latest/meta-data/instance-id")).StatusCode);

        // the metadata follows the world (an EIP moved away)
        srv.World.Write(s => { var e = s.Eips.Single(x => x.AllocationId == Eip1); e.Eni = null; e.PrivateIp = null; e.AssociationId = null; });
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("latest/meta-data/public-ipv4")).StatusCode);
    }

    [Fact]
    public void WorldFileConsistencyIsChecked()
    {
        Assert.Throws<InvalidDataException>(() => new World(ExampleState(s => s.Enis[1].SecondaryIps.Add("10.0.110.10"))));
        Assert.Throws<InvalidDataException>(() => new World(ExampleState(s => s.Eips[1].Eni = "eni-x")));
        Assert.Throws<InvalidDataException>(() => new World(ExampleState(s => s.RouteTables[1].Subnets.Add("subnet-0private0000000b"))));
        Assert.Throws<InvalidDataException>(() => new World(ExampleState(s => s.Subnets[0].Cidr = "10.9.0.0/24")));
        Assert.Throws<InvalidDataException>(() => new World(ExampleState(s => s.Eips[1].Eni = Eni1)));   // two EIPs on one private IP
    }

    [Fact]
    public async Task CommandLineServesTheWorldAndWritesState()
    {
        var dir = Directory.CreateTempSubdirectory("awslocal-cli-");
        var stateOut = Path.Combine(dir.FullName, "state.yaml");
        var dll = Path.Combine(AppContext.BaseDirectory, "expressha-awslocal.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { dll, "--world", ExampleWorldPath, "--listen", "127.0.0.1:0", "--state-out", stateOut, "--imds", $"{Node1}=127.0.0.1:0" })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        try
        {
            var line = await p.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(15));
            Assert.StartsWith("listening ", line);
            var url = line!["listening ".Length..];
            var imdsLine = await p.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(5));
            Assert.StartsWith($"imds {Node1} http://127.0.0.1:", imdsLine);

            var cfg = new Amazon.EC2.AmazonEC2Config { ServiceURL = url, AuthenticationRegion = "ap-northeast-1", MaxErrorRetry = 0 };
            using var ec2 = new Amazon.EC2.AmazonEC2Client(new Amazon.Runtime.BasicAWSCredentials(Key, Secret), cfg);
            await ec2.ReplaceRouteAsync(new ReplaceRouteRequest { RouteTableId = RtbB, DestinationCidrBlock = Vip, NetworkInterfaceId = Eni2 });
            var state = World.Parse(await File.ReadAllTextAsync(stateOut));
            Assert.Equal(Eni2, state.RouteTables.Single(t => t.Id == RtbB).Routes.Single(r => r.Destination == Vip).Target);
        }
        finally
        {
            if (!p.HasExited) { p.Kill(); await p.WaitForExitAsync(); }
            dir.Delete(true);
        }
    }
}
