using Amazon.EC2;
using Amazon.EC2.Model;
using ExpressHa.AwsLocal;
using static ExpressHa.AwsLocal.Tests.Harness;

namespace ExpressHa.AwsLocal.Tests;

public class Ec2Tests
{
    private static string? RouteTarget(AwsLocalServer s, string rtb, string dest) =>
        s.World.Read(w => w.RouteTables.Single(t => t.Id == rtb).Routes.SingleOrDefault(r => r.Destination == dest)?.Target);

    [Fact]
    public async Task DescribeVpcsAndSubnets()
    {
        await using var srv = await StartAsync();
        using var ec2 = Ec2(srv);
        var vpcs = await ec2.DescribeVpcsAsync(new DescribeVpcsRequest { VpcIds = [VpcId] });
        var vpc = Assert.Single(vpcs.Vpcs);
        Assert.Equal("10.0.0.0/16", vpc.CidrBlock);
        Assert.Equal(VpcState.Available, vpc.State);
        Assert.Equal("expressha-vpc", vpc.Tags.Single(t => t.Key == "Name").Value);
        Assert.False(string.IsNullOrEmpty(vpcs.ResponseMetadata.RequestId));

        var subnets = await ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest { Filters = [new Filter("vpc-id", [VpcId]), new Filter("availability-zone", ["ap-northeast-1a"])] });
        Assert.Equal(["10.0.10.0/24", "10.0.110.0/24"], subnets.Subnets.Select(s => s.CidrBlock).Order().ToArray());

        var e = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DescribeVpcsAsync(new DescribeVpcsRequest { VpcIds = ["vpc-x"] }));
        Assert.Equal("InvalidVpcID.NotFound", e.ErrorCode);
        Assert.Equal("The vpc ID 'vpc-x' does not exist", e.Message);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, e.StatusCode);
        Assert.False(string.IsNullOrEmpty(e.RequestId));
    }

    [Fact]
    public async Task DescribeRouteTablesWithFiltersAndReplaceRoute()
    {
        await using var srv = await StartAsync();
        using var ec2 = Ec2(srv);
        var tables = await ec2.DescribeRouteTablesAsync(new DescribeRouteTablesRequest
        {
            Filters = [new Filter("vpc-id", [VpcId]), new Filter("route.destination-cidr-block", [Vip])]
        });
        Assert.Equal(3, tables.RouteTables.Count);
        var a = tables.RouteTables.Single(t => t.RouteTableId == RtbA);
        var vip = a.Routes.Single(r => r.DestinationCidrBlock == Vip);
        Assert.Equal(Eni1, vip.NetworkInterfaceId);
        Assert.Equal(Node1, vip.InstanceId);
        Assert.Equal(RouteState.Active, vip.State);
        Assert.Equal("local", a.Routes.Single(r => r.DestinationCidrBlock == "10.0.0.0/16").GatewayId);
        Assert.Equal("subnet-0private0000000a", a.Associations.Single().SubnetId);
        Assert.Contains(tables.RouteTables.Single(t => t.RouteTableId == RtbPublic).Associations, x => x.Main == true);

        foreach (var t in tables.RouteTables)
            await ec2.ReplaceRouteAsync(new ReplaceRouteRequest { RouteTableId = t.RouteTableId, DestinationCidrBlock = Vip, NetworkInterfaceId = Eni2 });
        Assert.Equal(Eni2, RouteTarget(srv, RtbA, Vip));
        Assert.Equal(Eni2, RouteTarget(srv, RtbB, Vip));

        var none = await ec2.DescribeRouteTablesAsync(new DescribeRouteTablesRequest { Filters = [new Filter("vpc-id", ["vpc-other"])] });
        Assert.True(none.RouteTables is null or { Count: 0 }); // SDK v4 leaves empty lists null

        var e = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.ReplaceRouteAsync(new ReplaceRouteRequest { RouteTableId = RtbA, DestinationCidrBlock = Vip, NetworkInterfaceId = "eni-x" }));
        Assert.Equal("InvalidNetworkInterfaceID.NotFound", e.ErrorCode);
        Assert.Equal("The networkInterface ID 'eni-x' does not exist", e.Message);
        e = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.ReplaceRouteAsync(new ReplaceRouteRequest { RouteTableId = "rtb-x", DestinationCidrBlock = Vip, NetworkInterfaceId = Eni1 }));
        Assert.Equal("InvalidRouteTableID.NotFound", e.ErrorCode);
        e = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.ReplaceRouteAsync(new ReplaceRouteRequest { RouteTableId = RtbA, DestinationCidrBlock = "10.9.9.9/32", NetworkInterfaceId = Eni1 }));
        Assert.Equal("InvalidParameterValue", e.ErrorCode);
        e = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DescribeRouteTablesAsync(new DescribeRouteTablesRequest { RouteTableIds = ["rtb-x"] }));
        Assert.Equal("InvalidRouteTableID.NotFound", e.ErrorCode);
        Assert.Equal("The routeTable ID 'rtb-x' does not exist", e.Message);
    }

    [Fact]
    public async Task CreateRouteAndDeleteRoute()
    {
        await using var srv = await StartAsync();
        using var ec2 = Ec2(srv);
        await ec2.CreateRouteAsync(new CreateRouteRequest { RouteTableId = RtbA, DestinationCidrBlock = "10.1.0.30/32", NetworkInterfaceId = Eni1 });
        Assert.Equal(Eni1, RouteTarget(srv, RtbA, "10.1.0.30/32"));
        var e = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.CreateRouteAsync(new CreateRouteRequest { RouteTableId = RtbA, DestinationCidrBlock = "10.1.0.30/32", NetworkInterfaceId = Eni2 }));
        Assert.Equal("RouteAlreadyExists", e.ErrorCode);
        await ec2.DeleteRouteAsync(new DeleteRouteRequest { RouteTableId = RtbA, DestinationCidrBlock = "10.1.0.30/32" });
        Assert.Null(RouteTarget(srv, RtbA, "10.1.0.30/32"));
    }

    [Fact]
    public async Task NetworkInterfacesAndSecondaryIps()
    {
        await using var srv = await StartAsync();
        using var ec2 = Ec2(srv);
        var enis = await ec2.DescribeNetworkInterfacesAsync(new DescribeNetworkInterfacesRequest { Filters = [new Filter("attachment.instance-id", [Node1])] });
        var eni = Assert.Single(enis.NetworkInterfaces);
        Assert.Equal(Eni1, eni.NetworkInterfaceId);
        Assert.Equal("10.0.110.10", eni.PrivateIpAddress);
        Assert.Equal(Node1, eni.Attachment.InstanceId);
        Assert.Equal("203.0.113.10", eni.Association.PublicIp);
        Assert.False(eni.SourceDestCheck);
        Assert.Equal(srv.World.Read(s => s.Enis[0].Mac), eni.MacAddress);

        var r = await ec2.AssignPrivateIpAddressesAsync(new AssignPrivateIpAddressesRequest { NetworkInterfaceId = Eni1, PrivateIpAddresses = ["10.0.110.100"] });
        Assert.Equal("10.0.110.100", Assert.Single(r.AssignedPrivateIpAddresses).PrivateIpAddress);
        Assert.Contains("10.0.110.100", srv.World.Read(s => s.Enis.Single(e => e.Id == Eni1).SecondaryIps.ToList()));

        var e = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.AssignPrivateIpAddressesAsync(new AssignPrivateIpAddressesRequest { NetworkInterfaceId = Eni2, PrivateIpAddresses = ["10.0.110.100"] }));
        Assert.Equal("InvalidParameterValue", e.ErrorCode);
        Assert.Equal("Address does not fall within the subnet's address range", e.Message);

        // a second ENI in the same subnet: reassignment needs AllowReassignment
        srv.World.Write(s => s.Enis.Add(new Eni { Id = "eni-0third", Subnet = "subnet-0private0000000a", PrivateIp = "10.0.110.11", Mac = "0a:00:00:00:00:03" }));
        e = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.AssignPrivateIpAddressesAsync(new AssignPrivateIpAddressesRequest { NetworkInterfaceId = "eni-0third", PrivateIpAddresses = ["10.0.110.100"] }));
        Assert.Equal("PrivateIpAddressInUse", e.ErrorCode);
        await ec2.AssignPrivateIpAddressesAsync(new AssignPrivateIpAddressesRequest { NetworkInterfaceId = "eni-0third", PrivateIpAddresses = ["10.0.110.100"], AllowReassignment = true });
        Assert.DoesNotContain("10.0.110.100", srv.World.Read(s => s.Enis.Single(x => x.Id == Eni1).SecondaryIps.ToList()));
        Assert.Contains("10.0.110.100", srv.World.Read(s => s.Enis.Single(x => x.Id == "eni-0third").SecondaryIps.ToList()));

        var d = await ec2.DescribeNetworkInterfacesAsync(new DescribeNetworkInterfacesRequest { NetworkInterfaceIds = ["eni-0third"] });
        Assert.Equal(["10.0.110.11", "10.0.110.100"], d.NetworkInterfaces.Single().PrivateIpAddresses.Select(p => p.PrivateIpAddress).ToArray());
        Assert.True(d.NetworkInterfaces.Single().PrivateIpAddresses[0].Primary);

        await ec2.UnassignPrivateIpAddressesAsync(new UnassignPrivateIpAddressesRequest { NetworkInterfaceId = "eni-0third", PrivateIpAddresses = ["10.0.110.100"] });
        Assert.Empty(srv.World.Read(s => s.Enis.Single(x => x.Id == "eni-0third").SecondaryIps.ToList()));
        e = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.UnassignPrivateIpAddressesAsync(new UnassignPrivateIpAddressesRequest { NetworkInterfaceId = "eni-0third", PrivateIpAddresses = ["10.0.110.100"] }));
        Assert.Equal("InvalidParameterValue", e.ErrorCode);

        e = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DescribeNetworkInterfacesAsync(new DescribeNetworkInterfacesRequest { NetworkInterfaceIds = ["eni-x"] }));
        Assert.Equal("InvalidNetworkInterfaceID.NotFound", e.ErrorCode);
    }

    [Fact]
    public async Task ElasticIpsMoveBetweenEnis()
    {
        await using var srv = await StartAsync();
        using var ec2 = Ec2(srv);
        var a = await ec2.DescribeAddressesAsync(new DescribeAddressesRequest { AllocationIds = [Eip1] });
        var addr = Assert.Single(a.Addresses);
        Assert.Equal("203.0.113.10", addr.PublicIp);
        Assert.Equal(Eni1, addr.NetworkInterfaceId);
        Assert.Equal(Node1, addr.InstanceId);
        Assert.Equal(DomainType.Vpc, addr.Domain);

        var e = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.AssociateAddressAsync(new AssociateAddressRequest { AllocationId = Eip1, NetworkInterfaceId = Eni2 }));
        Assert.Equal("Resource.AlreadyAssociated", e.ErrorCode);

        var assoc = await ec2.AssociateAddressAsync(new AssociateAddressRequest { AllocationId = Eip1, NetworkInterfaceId = Eni2, AllowReassociation = true });
        Assert.StartsWith("eipassoc-", assoc.AssociationId);
        Assert.Equal(Eni2, srv.World.Read(s => s.Eips.Single(x => x.AllocationId == Eip1).Eni));
        Assert.Equal("10.0.120.10", srv.World.Read(s => s.Eips.Single(x => x.AllocationId == Eip1).PrivateIp));

        await ec2.DisassociateAddressAsync(new DisassociateAddressRequest { AssociationId = assoc.AssociationId });
        Assert.Null(srv.World.Read(s => s.Eips.Single(x => x.AllocationId == Eip1).Eni));
        e = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DisassociateAddressAsync(new DisassociateAddressRequest { AssociationId = assoc.AssociationId }));
        Assert.Equal("InvalidAssociationID.NotFound", e.ErrorCode);

        var alloc = await ec2.AllocateAddressAsync(new AllocateAddressRequest { Domain = DomainType.Vpc });
        Assert.StartsWith("eipalloc-", alloc.AllocationId);
        Assert.Equal("203.0.113.1", alloc.PublicIp);
        await ec2.AssociateAddressAsync(new AssociateAddressRequest { AllocationId = alloc.AllocationId, InstanceId = Node1 });
        Assert.Equal(Eni1, srv.World.Read(s => s.Eips.Single(x => x.AllocationId == alloc.AllocationId).Eni));

        e = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DescribeAddressesAsync(new DescribeAddressesRequest { AllocationIds = ["eipalloc-x"] }));
        Assert.Equal("InvalidAllocationID.NotFound", e.ErrorCode);
        Assert.Equal("The allocation ID 'eipalloc-x' does not exist", e.Message);
        e = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.AssociateAddressAsync(new AssociateAddressRequest { AllocationId = "eipalloc-x", NetworkInterfaceId = Eni2 }));
        Assert.Equal("InvalidAllocationID.NotFound", e.ErrorCode);
        e = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.AssociateAddressAsync(new AssociateAddressRequest { AllocationId = Eip2, NetworkInterfaceId = "eni-x" }));
        Assert.Equal("InvalidNetworkInterfaceID.NotFound", e.ErrorCode);
    }

    [Fact]
    public async Task AvailabilityZonesFollowTheWorld()
    {
        await using var srv = await StartAsync();
        using var ec2 = Ec2(srv);
        srv.World.Write(s => s.AvailabilityZones.Single(z => z.Name == "ap-northeast-1c").State = "impaired");
        var r = await ec2.DescribeAvailabilityZonesAsync(new DescribeAvailabilityZonesRequest { ZoneNames = ["ap-northeast-1a", "ap-northeast-1c"] });
        Assert.Equal(AvailabilityZoneState.Available, r.AvailabilityZones.Single(z => z.ZoneName == "ap-northeast-1a").State);
        Assert.Equal(AvailabilityZoneState.Impaired, r.AvailabilityZones.Single(z => z.ZoneName == "ap-northeast-1c").State);
        Assert.Equal("apne1-az4", r.AvailabilityZones.Single(z => z.ZoneName == "ap-northeast-1a").ZoneId);
        var e = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DescribeAvailabilityZonesAsync(new DescribeAvailabilityZonesRequest { ZoneNames = ["ap-northeast-1x"] }));
        Assert.Equal("InvalidParameterValue", e.ErrorCode);
        Assert.Equal("Invalid availability zone: [ap-northeast-1x]", e.Message);
    }

    [Fact]
    [Trait("Category", TestCategory.Process)]
    public async Task StopInstancesGoesStoppingThenStoppedAndRunsTheHook()
    {
        var marker = Path.Combine(Path.GetTempPath(), "awslocal-hook-" + Guid.NewGuid().ToString("N"));
        await using var srv = await StartAsync(s =>
        {
            var i = s.Instances.Single(x => x.Id == Node2);
            i.StopSeconds = 0.5; i.ForceStopSeconds = 0.5;
            i.StopHook = $"echo \"$1 $EXPRESSHA_INSTANCE_STATE\" > {marker}";
        });
        using var ec2 = Ec2(srv);
        try
        {
            var r = await ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [Node2], Force = true });
            var change = Assert.Single(r.StoppingInstances);
            Assert.Equal(InstanceStateName.Stopping, change.CurrentState.Name);
            Assert.Equal(64, change.CurrentState.Code);
            Assert.Equal(InstanceStateName.Running, change.PreviousState.Name);

            var d = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [Node2] });
            var inst = d.Reservations.Single().Instances.Single();
            Assert.Equal(InstanceStateName.Stopping, inst.State.Name);
            Assert.Equal("ap-northeast-1c", inst.Placement.AvailabilityZone);
            Assert.Equal(Eni2, inst.NetworkInterfaces.Single().NetworkInterfaceId);
            Assert.Equal("10.0.120.10", inst.PrivateIpAddress);
            Assert.False(File.Exists(marker));

            await srv.WaitForInstanceStateAsync(Node2, "stopped", TimeSpan.FromSeconds(5));
            d = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = [new Filter("instance-state-name", ["stopped"])] });
            Assert.Equal(Node2, d.Reservations.Single().Instances.Single().InstanceId);
            for (int k = 0; k < 100 && srv.HookRuns.Count == 0; k++) await Task.Delay(20);
            var hook = Assert.Single(srv.HookRuns);
            Assert.Equal(0, hook.ExitCode);
            Assert.Equal($"{Node2} stopped", File.ReadAllText(marker).Trim());

            // the VIP route to a stopped instance's ENI is a blackhole
            srv.World.Write(s => s.RouteTables.Single(t => t.Id == RtbA).Routes.Single(x => x.Destination == Vip).Target = Eni2);
            var rt = await ec2.DescribeRouteTablesAsync(new DescribeRouteTablesRequest { RouteTableIds = [RtbA] });
            Assert.Equal(RouteState.Blackhole, rt.RouteTables.Single().Routes.Single(x => x.DestinationCidrBlock == Vip).State);

            var st = await ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = [Node2] });
            Assert.Equal(InstanceStateName.Pending, st.StartingInstances.Single().CurrentState.Name);
            await srv.WaitForInstanceStateAsync(Node2, "running", TimeSpan.FromSeconds(5));

            var e = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = ["i-x"] }));
            Assert.Equal("InvalidInstanceID.NotFound", e.ErrorCode);
            Assert.Equal("The instance ID 'i-x' does not exist", e.Message);
            e = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = ["i-x"] }));
            Assert.Equal("InvalidInstanceID.NotFound", e.ErrorCode);
        }
        finally { File.Delete(marker); }
    }

    [Fact]
    public async Task UnauthorizedOperationForDeniedActions()
    {
        await using var srv = await StartAsync(s => s.DeniedActions.Add("ec2:DescribeVpcs"));
        using var ec2 = Ec2(srv);
        var e = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DescribeVpcsAsync(new DescribeVpcsRequest()));
        Assert.Equal("UnauthorizedOperation", e.ErrorCode);
        Assert.Equal("You are not authorized to perform this operation.", e.Message);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, e.StatusCode);

        // the restricted key: StopInstances denied, ReplaceRoute denied on one route table only
        using var restricted = Ec2(srv, key: "AKIAEXPRESSHARESTRICT", secret: "expressha-local-secret-key-restricted00");
        e = await Assert.ThrowsAsync<AmazonEC2Exception>(() => restricted.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [Node2] }));
        Assert.Equal("UnauthorizedOperation", e.ErrorCode);
        e = await Assert.ThrowsAsync<AmazonEC2Exception>(() => restricted.ReplaceRouteAsync(new ReplaceRouteRequest { RouteTableId = RtbPublic, DestinationCidrBlock = Vip, NetworkInterfaceId = Eni2 }));
        Assert.Equal("UnauthorizedOperation", e.ErrorCode);
        await restricted.ReplaceRouteAsync(new ReplaceRouteRequest { RouteTableId = RtbA, DestinationCidrBlock = Vip, NetworkInterfaceId = Eni2 });
        Assert.Equal("running", srv.World.Read(s => s.Instances.Single(i => i.Id == Node2).State));
    }

    [Fact]
    public async Task AuthenticationErrors()
    {
        await using var srv = await StartAsync();
        using (var bad = Ec2(srv, key: "AKIAUNKNOWN"))
        {
            var e = await Assert.ThrowsAsync<AmazonEC2Exception>(() => bad.DescribeVpcsAsync(new DescribeVpcsRequest()));
            Assert.Equal("AuthFailure", e.ErrorCode);
        }
        using (var bad = Ec2(srv, secret: "wrong"))
        {
            var e = await Assert.ThrowsAsync<AmazonEC2Exception>(() => bad.DescribeVpcsAsync(new DescribeVpcsRequest()));
            Assert.Equal("SignatureDoesNotMatch", e.ErrorCode);
        }
        // the role's temporary credentials need their session token
        using (var role = Ec2(srv, key: "ASIAEXPRESSHAROLE001", secret: "expressha-local-role-secret-0000000001", token: "expressha-local-session-token-1"))
            Assert.NotEmpty((await role.DescribeVpcsAsync(new DescribeVpcsRequest())).Vpcs);
        using (var role = Ec2(srv, key: "ASIAEXPRESSHAROLE001", secret: "expressha-local-role-secret-0000000001"))
            Assert.Equal("AuthFailure", (await Assert.ThrowsAsync<AmazonEC2Exception>(() => role.DescribeVpcsAsync(new DescribeVpcsRequest()))).ErrorCode);

        using var http = new HttpClient();
        var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["Action"] = "DescribeVpcs", ["Version"] = "2016-11-15" });
        var resp = await http.PostAsync(srv.BaseAddress, form);
        var body = await resp.Content.ReadAsStringAsync();
        Assert.Equal(401, (int)resp.StatusCode);
        var doc = System.Xml.Linq.XDocument.Parse(body);
        Assert.Equal("Response", doc.Root!.Name.LocalName);
        Assert.Equal("MissingAuthenticationToken", doc.Root.Element("Errors")!.Element("Error")!.Element("Code")!.Value);
        Assert.False(string.IsNullOrEmpty(doc.Root.Element("RequestID")!.Value));

        var req = new HttpRequestMessage(HttpMethod.Post, srv.BaseAddress) { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["Action"] = "DescribeVpcs", ["Version"] = "2016-11-15" }) };
        req.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 garbage");
        resp = await http.SendAsync(req);
        Assert.Contains("<Code>IncompleteSignature</Code>", await resp.Content.ReadAsStringAsync());
    }
}
