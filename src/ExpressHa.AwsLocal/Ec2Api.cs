// Over 400 lines on purpose: one class per AWS API, its actions in the API reference's order with the XML shapes they share.
using System.Net;

namespace ExpressHa.AwsLocal;

/// <summary>EC2 Query API (Version 2016-11-15): the actions the cluster uses, with AWS's parameters, response
/// shapes and error codes.</summary>
internal sealed class Ec2Api
{
    public const string Ns = "http://ec2.amazonaws.com/doc/2016-11-15/";
    private readonly AwsLocalServer _server;
    private World W => _server.World;

    public Ec2Api(AwsLocalServer server) => _server = server;

    public static readonly HashSet<string> Actions = new(StringComparer.Ordinal)
    {
        "DescribeVpcs", "DescribeSubnets", "DescribeRouteTables", "CreateRoute", "ReplaceRoute", "DeleteRoute",
        "DescribeNetworkInterfaces", "DescribeAddresses", "AllocateAddress", "AssociateAddress", "DisassociateAddress",
        "AssignPrivateIpAddresses", "UnassignPrivateIpAddresses", "DescribeAvailabilityZones", "DescribeInstances",
        "StopInstances", "StartInstances",
    };

    public static string ErrorXml(string code, string message, string requestId)
    {
        var x = new XmlOut().Open("Response").Open("Errors").Open("Error").El("Code", code).El("Message", message)
            .Close("Error").Close("Errors").El("RequestID", requestId).Close("Response");
        return x.ToString();
    }

    public string Handle(AwsRequest r)
    {
        var p = r.Params;
        var x = new XmlOut().Open(r.Action + "Response", Ns).El("requestId", r.RequestId);
        switch (r.Action)
        {
            case "DescribeVpcs": DescribeVpcs(r, p, x); break;
            case "DescribeSubnets": DescribeSubnets(r, p, x); break;
            case "DescribeRouteTables": DescribeRouteTables(r, p, x); break;
            case "CreateRoute": CreateRoute(r, p, x); break;
            case "ReplaceRoute": ReplaceRoute(r, p, x); break;
            case "DeleteRoute": DeleteRoute(r, p, x); break;
            case "DescribeNetworkInterfaces": DescribeNetworkInterfaces(r, p, x); break;
            case "DescribeAddresses": DescribeAddresses(r, p, x); break;
            case "AllocateAddress": AllocateAddress(r, p, x); break;
            case "AssociateAddress": AssociateAddress(r, p, x); break;
            case "DisassociateAddress": DisassociateAddress(r, p, x); break;
            case "AssignPrivateIpAddresses": AssignPrivateIpAddresses(r, p, x); break;
            case "UnassignPrivateIpAddresses": UnassignPrivateIpAddresses(r, p, x); break;
            case "DescribeAvailabilityZones": DescribeAvailabilityZones(r, p, x); break;
            case "DescribeInstances": DescribeInstances(r, p, x); break;
            case "StopInstances": StopStart(r, p, x, stop: true); break;
            case "StartInstances": StopStart(r, p, x, stop: false); break;
            default: throw new AwsError(400, "InvalidAction", $"The action {r.Action} is not valid for this web service.");
        }
        return x.Close(r.Action + "Response").ToString();
    }

    // ------------------------------------------------------------------ helpers

    private static AwsError NotFound(string code, string kind, IReadOnlyList<string> ids) =>
        ids.Count == 1
            ? new AwsError(400, code, $"The {kind} ID '{ids[0]}' does not exist")
            : new AwsError(400, code, $"The {kind} IDs '{string.Join(", ", ids)}' do not exist");

    private static AwsError Invalid(string message) => new(400, "InvalidParameterValue", message);

    /// <summary>Applies Filter.N to items; attr(item, filterName) returns the item's values for that filter, or null for an unknown filter name.</summary>
    private static IEnumerable<T> Filter<T>(Dictionary<string, string> p, IEnumerable<T> items, Func<T, string, IEnumerable<string?>?> attr)
    {
        var filters = Q.Filters(p);
        var list = items.ToList();
        foreach (var (name, values) in filters)
        {
            list = list.Where(i =>
            {
                var vals = attr(i, name) ?? throw new AwsError(400, "InvalidParameterValue", $"The filter '{name}' is invalid");
                return vals.Any(v => v != null && values.Any(f => Q.WildMatch(f, v)));
            }).ToList();
        }
        return list;
    }

    private static IEnumerable<string?>? TagAttr(string? nameTag, string filter) => filter switch
    {
        "tag:Name" => new[] { nameTag },
        "tag-key" => nameTag != null ? new[] { "Name" } : Array.Empty<string>(),
        _ => null
    };

    private static void Tags(XmlOut x, string? name)
    {
        if (name == null) { x.Empty("tagSet"); return; }
        x.Open("tagSet").Open("item").El("key", "Name").El("value", name).Close("item").Close("tagSet");
    }

    private static Vpc VpcOf(WorldState s, string subnetId) => s.Vpcs.First(v => v.Id == s.Subnets.First(sn => sn.Id == subnetId).Vpc);

    private static Eni FindEni(WorldState s, string id) =>
        s.Enis.FirstOrDefault(e => e.Id == id) ?? throw NotFound("InvalidNetworkInterfaceID.NotFound", "networkInterface", [id]);

    private static RouteTable FindRouteTable(WorldState s, string id) =>
        s.RouteTables.FirstOrDefault(e => e.Id == id) ?? throw NotFound("InvalidRouteTableID.NotFound", "routeTable", [id]);

    private static Instance FindInstance(WorldState s, string id) =>
        s.Instances.FirstOrDefault(e => e.Id == id) ?? throw NotFound("InvalidInstanceID.NotFound", "instance", [id]);

    private static string DestinationCidr(Dictionary<string, string> p)
    {
        var d = Q.Req(p, "DestinationCidrBlock");
        if (!Cidr.TryParse(d, out var c)) throw Invalid($"Value ({d}) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block.");
        return d;
    }

    private static bool SameCidr(string a, string b) =>
        Cidr.TryParse(a, out var x) && Cidr.TryParse(b, out var y) && x.Prefix == y.Prefix && x.Contains(y.Network) ;

    private static int StateCode(string state) => state switch
    {
        "pending" => 0, "running" => 16, "shutting-down" => 32, "terminated" => 48, "stopping" => 64, "stopped" => 80, _ => 16
    };

    // ------------------------------------------------------------------ VPCs and subnets

    private void DescribeVpcs(AwsRequest r, Dictionary<string, string> p, XmlOut x)
    {
        var ids = Q.List(p, "VpcId");
        W.ReadLagged(r.LagMs, s =>
        {
            var missing = ids.Where(id => s.Vpcs.All(v => v.Id != id)).ToList();
            if (missing.Count > 0) throw NotFound("InvalidVpcID.NotFound", "vpc", missing);
            var vpcs = Filter(p, s.Vpcs.Where(v => ids.Count == 0 || ids.Contains(v.Id)), (v, f) => f switch
            {
                "vpc-id" => new[] { v.Id }, "cidr" or "cidr-block-association.cidr-block" => new[] { v.Cidr },
                "state" => new[] { "available" }, "owner-id" => new[] { s.AccountId }, "is-default" => new[] { "false" },
                _ => TagAttr(v.Name, f)
            });
            x.Set("vpcSet", vpcs, (x, v) =>
            {
                x.El("vpcId", v.Id).El("ownerId", s.AccountId).El("state", "available").El("cidrBlock", v.Cidr)
                 .Open("cidrBlockAssociationSet").Open("item").El("cidrBlock", v.Cidr).El("associationId", "vpc-cidr-assoc-" + Ids.Hex(17, v.Id))
                 .Open("cidrBlockState").El("state", "associated").Close("cidrBlockState").Close("item").Close("cidrBlockAssociationSet")
                 .El("dhcpOptionsId", "dopt-" + Ids.Hex(17, v.Id)).El("instanceTenancy", "default").El("isDefault", false);
                Tags(x, v.Name);
            });
            return 0;
        });
    }

    private void DescribeSubnets(AwsRequest r, Dictionary<string, string> p, XmlOut x)
    {
        var ids = Q.List(p, "SubnetId");
        W.ReadLagged(r.LagMs, s =>
        {
            var missing = ids.Where(id => s.Subnets.All(v => v.Id != id)).ToList();
            if (missing.Count > 0) throw NotFound("InvalidSubnetID.NotFound", "subnet", missing);
            var subnets = Filter(p, s.Subnets.Where(v => ids.Count == 0 || ids.Contains(v.Id)), (v, f) => f switch
            {
                "subnet-id" => new[] { v.Id }, "vpc-id" => new[] { v.Vpc }, "cidr-block" or "cidr" or "cidrBlock" => new[] { v.Cidr },
                "availability-zone" or "availabilityZone" => new[] { v.Az }, "state" => new[] { "available" },
                "owner-id" => new[] { s.AccountId },
                _ => TagAttr(v.Name, f)
            });
            x.Set("subnetSet", subnets, (x, sn) =>
            {
                var c = Cidr.Parse(sn.Cidr);
                var used = s.Enis.Where(e => e.Subnet == sn.Id).Sum(e => 1 + e.SecondaryIps.Count);
                x.El("subnetId", sn.Id).El("subnetArn", $"arn:aws:ec2:{s.Region}:{s.AccountId}:subnet/{sn.Id}").El("state", "available")
                 .El("ownerId", s.AccountId).El("vpcId", sn.Vpc).El("cidrBlock", sn.Cidr).El("availableIpAddressCount", Math.Max(0, c.Size - 5 - used))
                 .El("availabilityZone", sn.Az).El("availabilityZoneId", s.AvailabilityZones.FirstOrDefault(a => a.Name == sn.Az)?.Id ?? sn.Az)
                 .El("defaultForAz", false).El("mapPublicIpOnLaunch", false).El("assignIpv6AddressOnCreation", false).Empty("ipv6CidrBlockAssociationSet");
                Tags(x, sn.Name);
            });
            return 0;
        });
    }

    // ------------------------------------------------------------------ route tables

    private static string RouteState(WorldState s, Route rt)
    {
        if (!rt.Target.StartsWith("eni-")) return "active";
        var eni = s.Enis.FirstOrDefault(e => e.Id == rt.Target);
        if (eni?.Instance == null) return "blackhole";
        var inst = s.Instances.FirstOrDefault(i => i.Id == eni.Instance);
        return inst?.State is "running" or "pending" ? "active" : "blackhole";
    }

    private void DescribeRouteTables(AwsRequest r, Dictionary<string, string> p, XmlOut x)
    {
        var ids = Q.List(p, "RouteTableId");
        W.ReadLagged(r.LagMs, s =>
        {
            var missing = ids.Where(id => s.RouteTables.All(v => v.Id != id)).ToList();
            if (missing.Count > 0) throw NotFound("InvalidRouteTableID.NotFound", "routeTable", missing);
            string? InstOf(string target) => target.StartsWith("eni-") ? s.Enis.FirstOrDefault(e => e.Id == target)?.Instance : target.StartsWith("i-") ? target : null;
            var tables = Filter(p, s.RouteTables.Where(v => ids.Count == 0 || ids.Contains(v.Id)), (t, f) => f switch
            {
                "route-table-id" => new[] { t.Id }, "vpc-id" => new[] { t.Vpc }, "owner-id" => new[] { s.AccountId },
                "route.destination-cidr-block" => t.Routes.Select(x => x.Destination),
                "route.network-interface-id" => t.Routes.Where(x => x.Target.StartsWith("eni-")).Select(x => x.Target),
                "route.gateway-id" => t.Routes.Where(x => x.Target == "local" || x.Target.StartsWith("igw-") || x.Target.StartsWith("vgw-")).Select(x => x.Target),
                "route.nat-gateway-id" => t.Routes.Where(x => x.Target.StartsWith("nat-")).Select(x => x.Target),
                "route.instance-id" => t.Routes.Select(x => InstOf(x.Target)),
                "route.state" => t.Routes.Select(x => RouteState(s, x)),
                "route.origin" => t.Routes.Select(x => x.Origin),
                "association.subnet-id" => t.Subnets,
                "association.main" => new[] { t.Main ? "true" : "false" },
                "association.route-table-id" => new[] { t.Id },
                _ => TagAttr(t.Name, f)
            });
            x.Set("routeTableSet", tables, (x, t) =>
            {
                x.El("routeTableId", t.Id).El("vpcId", t.Vpc).El("ownerId", s.AccountId);
                x.Set("routeSet", t.Routes, (x, rt) =>
                {
                    x.El("destinationCidrBlock", rt.Destination);
                    if (rt.Target == "local" || rt.Target.StartsWith("igw-") || rt.Target.StartsWith("vgw-")) x.El("gatewayId", rt.Target);
                    else if (rt.Target.StartsWith("nat-")) x.El("natGatewayId", rt.Target);
                    else if (rt.Target.StartsWith("pcx-")) x.El("vpcPeeringConnectionId", rt.Target);
                    else if (rt.Target.StartsWith("tgw-")) x.El("transitGatewayId", rt.Target);
                    else
                    {
                        var inst = InstOf(rt.Target);
                        if (inst != null) x.El("instanceId", inst).El("instanceOwnerId", s.AccountId);
                        var eniId = rt.Target.StartsWith("eni-") ? rt.Target : s.Enis.FirstOrDefault(e => e.Instance == rt.Target && e.DeviceIndex == 0)?.Id;
                        x.El("networkInterfaceId", eniId);
                    }
                    x.El("state", RouteState(s, rt)).El("origin", rt.Origin ?? "CreateRoute");
                });
                var assocs = new List<(string? Subnet, bool Main)>();
                if (t.Main) assocs.Add((null, true));
                assocs.AddRange(t.Subnets.Select(sn => ((string?)sn, false)));
                x.Set("associationSet", assocs, (x, a) =>
                {
                    x.El("routeTableAssociationId", "rtbassoc-" + Ids.Hex(17, t.Id + a.Subnet)).El("routeTableId", t.Id).El("subnetId", a.Subnet).El("main", a.Main)
                     .Open("associationState").El("state", "associated").Close("associationState");
                });
                x.Empty("propagatingVgwSet");
                Tags(x, t.Name);
            });
            return 0;
        });
    }

    /// <summary>Resolves the route target parameters into a target id; checks it exists and is in the table's VPC.</summary>
    private static string RouteTarget(WorldState s, Dictionary<string, string> p, RouteTable t)
    {
        var eniId = Q.Get(p, "NetworkInterfaceId");
        var instId = Q.Get(p, "InstanceId");
        var gw = Q.Get(p, "GatewayId") ?? Q.Get(p, "NatGatewayId") ?? Q.Get(p, "VpcPeeringConnectionId") ?? Q.Get(p, "TransitGatewayId");
        var n = new[] { eniId, instId, gw }.Count(v => !string.IsNullOrEmpty(v));
        if (n == 0) throw new AwsError(400, "MissingParameter", "The request must contain exactly one of gatewayId, natGatewayId, networkInterfaceId, vpcPeeringConnectionId, transitGatewayId or instanceId");
        if (n > 1) throw new AwsError(400, "InvalidParameterCombination", "The parameter networkInterfaceId cannot be used with the parameter instanceId");
        if (!string.IsNullOrEmpty(eniId))
        {
            var eni = FindEni(s, eniId);
            if (VpcOf(s, eni.Subnet).Id != t.Vpc)
                throw Invalid($"route table {t.Id} and network interface {eni.Id} belong to different networks");
            return eni.Id;
        }
        if (!string.IsNullOrEmpty(instId))
        {
            var inst = FindInstance(s, instId);
            var eni = s.Enis.FirstOrDefault(e => e.Instance == inst.Id && e.DeviceIndex == 0)
                ?? throw Invalid($"Instance {inst.Id} has no network interface");
            if (VpcOf(s, eni.Subnet).Id != t.Vpc) throw Invalid($"route table {t.Id} and instance {inst.Id} belong to different networks");
            if (s.Enis.Count(e => e.Instance == inst.Id) > 1)
                throw Invalid($"There are multiple interfaces attached to instance '{inst.Id}'. Please specify an interface ID for the operation instead.");
            return eni.Id;
        }
        if (gw == "local") throw Invalid("Route target 'local' cannot be used");
        return gw!;
    }

    private void CreateRoute(AwsRequest r, Dictionary<string, string> p, XmlOut x)
    {
        var rtb = Q.Req(p, "RouteTableId");
        var dest = DestinationCidr(p);
        W.Write(s =>
        {
            var t = FindRouteTable(s, rtb);
            _server.Authorize(r, "CreateRoute", t.Id);
            var target = RouteTarget(s, p, t);
            if (t.Routes.Any(rt => SameCidr(rt.Destination, dest)))
                throw new AwsError(400, "RouteAlreadyExists", $"The route identified by {dest} already exists.");
            t.Routes.Add(new Route { Destination = dest, Target = target, Origin = "CreateRoute" });
        });
        x.El("return", true);
    }

    private void ReplaceRoute(AwsRequest r, Dictionary<string, string> p, XmlOut x)
    {
        var rtb = Q.Req(p, "RouteTableId");
        var dest = DestinationCidr(p);
        W.Write(s =>
        {
            var t = FindRouteTable(s, rtb);
            _server.Authorize(r, "ReplaceRoute", t.Id);
            var route = t.Routes.FirstOrDefault(rt => SameCidr(rt.Destination, dest))
                ?? throw Invalid($"There is no route defined for '{dest}' in the route table. Use CreateRoute instead.");
            if (route.Target == "local") throw Invalid($"Cannot replace the local route for {dest}");
            route.Target = RouteTarget(s, p, t);
            route.Origin = "CreateRoute";
        });
        x.El("return", true);
    }

    private void DeleteRoute(AwsRequest r, Dictionary<string, string> p, XmlOut x)
    {
        var rtb = Q.Req(p, "RouteTableId");
        var dest = DestinationCidr(p);
        W.Write(s =>
        {
            var t = FindRouteTable(s, rtb);
            _server.Authorize(r, "DeleteRoute", t.Id);
            var route = t.Routes.FirstOrDefault(rt => SameCidr(rt.Destination, dest))
                ?? throw new AwsError(400, "InvalidRoute.NotFound", $"No route with destination-cidr-block {dest} in route table {t.Id}");
            if (route.Target == "local") throw Invalid($"cannot remove local route {dest} in route table {t.Id}");
            t.Routes.Remove(route);
        });
        x.El("return", true);
    }

    // ------------------------------------------------------------------ network interfaces

    private void DescribeNetworkInterfaces(AwsRequest r, Dictionary<string, string> p, XmlOut x)
    {
        var ids = Q.List(p, "NetworkInterfaceId");
        W.ReadLagged(r.LagMs, s =>
        {
            var missing = ids.Where(id => s.Enis.All(v => v.Id != id)).ToList();
            if (missing.Count > 0) throw NotFound("InvalidNetworkInterfaceID.NotFound", "networkInterface", missing);
            var enis = Filter(p, s.Enis.Where(v => ids.Count == 0 || ids.Contains(v.Id)), (e, f) => f switch
            {
                "network-interface-id" => new[] { e.Id }, "subnet-id" => new[] { e.Subnet }, "vpc-id" => new[] { VpcOf(s, e.Subnet).Id },
                "attachment.instance-id" => new[] { e.Instance }, "attachment.device-index" => new[] { e.Instance == null ? null : e.DeviceIndex.ToString() },
                "attachment.status" => new[] { e.Instance == null ? "detached" : "attached" },
                "availability-zone" => new[] { s.Subnets.First(sn => sn.Id == e.Subnet).Az },
                "private-ip-address" => new[] { e.PrivateIp },
                "addresses.private-ip-address" => e.SecondaryIps.Prepend(e.PrivateIp),
                "mac-address" => new[] { e.Mac }, "status" => new[] { e.Instance == null ? "available" : "in-use" },
                "owner-id" => new[] { s.AccountId }, "source-dest-check" => new[] { e.SourceDestCheck ? "true" : "false" },
                "association.allocation-id" => s.Eips.Where(a => a.Eni == e.Id).Select(a => a.AllocationId),
                "association.public-ip" => s.Eips.Where(a => a.Eni == e.Id).Select(a => a.PublicIp),
                "association.association-id" => s.Eips.Where(a => a.Eni == e.Id).Select(a => a.AssociationId),
                "description" => new[] { e.Description ?? "" },
                _ => null
            });
            x.Set("networkInterfaceSet", enis, (x, e) => WriteEni(s, x, e, inInstance: false));
            return 0;
        });
    }

    private static void Association(WorldState s, XmlOut x, Eip? eip, bool withAllocation = true)
    {
        if (eip == null) return;
        x.Open("association").El("publicIp", eip.PublicIp).El("publicDnsName", $"ec2-{eip.PublicIp.Replace('.', '-')}.{s.Region}.compute.amazonaws.com")
         .El("ipOwnerId", s.AccountId);
        if (withAllocation) x.El("allocationId", eip.AllocationId).El("associationId", eip.AssociationId);
        x.Close("association");
    }

    private static void WriteEni(WorldState s, XmlOut x, Eni e, bool inInstance)
    {
        var sn = s.Subnets.First(v => v.Id == e.Subnet);
        var eips = s.Eips.Where(a => a.Eni == e.Id).ToList();
        string Dns(string ip) => $"ip-{ip.Replace('.', '-')}.{s.Region}.compute.internal";
        x.El("networkInterfaceId", e.Id).El("subnetId", e.Subnet).El("vpcId", sn.Vpc);
        if (!inInstance) x.El("availabilityZone", sn.Az);
        x.El("description", e.Description ?? "").El("ownerId", s.AccountId);
        if (!inInstance) x.El("requesterManaged", false);
        x.El("status", e.Instance == null ? "available" : "in-use").El("macAddress", e.Mac)
         .El("privateIpAddress", e.PrivateIp).El("privateDnsName", Dns(e.PrivateIp)).El("sourceDestCheck", e.SourceDestCheck);
        x.Open("groupSet").Open("item").El("groupId", "sg-" + Ids.Hex(17, sn.Vpc)).El("groupName", "default").Close("item").Close("groupSet");
        if (e.Instance != null)
        {
            x.Open("attachment").El("attachmentId", "eni-attach-" + Ids.Hex(17, e.Id));
            if (!inInstance) x.El("instanceId", e.Instance).El("instanceOwnerId", s.AccountId);
            x.El("deviceIndex", e.DeviceIndex).El("status", "attached").El("attachTime", new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc))
             .El("deleteOnTermination", e.DeviceIndex == 0).El("networkCardIndex", 0).Close("attachment");
        }
        Association(s, x, eips.FirstOrDefault(a => a.PrivateIp == e.PrivateIp), withAllocation: !inInstance);
        if (!inInstance) Tags(x, null);
        x.Set("privateIpAddressesSet", e.SecondaryIps.Prepend(e.PrivateIp), (x, ip) =>
        {
            x.El("privateIpAddress", ip).El("privateDnsName", Dns(ip)).El("primary", ip == e.PrivateIp);
            Association(s, x, eips.FirstOrDefault(a => a.PrivateIp == ip), withAllocation: !inInstance);
        });
        x.Empty("ipv6AddressesSet").El("interfaceType", "interface");
    }

    private void AssignPrivateIpAddresses(AwsRequest r, Dictionary<string, string> p, XmlOut x)
    {
        var eniId = Q.Req(p, "NetworkInterfaceId");
        var ips = Q.List(p, "PrivateIpAddress");
        if (ips.Count == 0) ips = Q.List(p, "PrivateIpAddresses");
        var countText = Q.Get(p, "SecondaryPrivateIpAddressCount");
        var allow = Q.Bool(p, "AllowReassignment");
        if (ips.Count > 0 && countText != null)
            throw new AwsError(400, "InvalidParameterCombination", "You may specify secondaryPrivateIpAddressCount or specific secondary private IP addresses, but not both.");
        if (ips.Count == 0 && countText == null)
            throw new AwsError(400, "MissingParameter", "The request must contain the parameter secondaryPrivateIpAddressCount or privateIpAddress");
        var assigned = W.Write(s =>
        {
            var eni = FindEni(s, eniId);
            _server.Authorize(r, "AssignPrivateIpAddresses", eni.Id);
            var sn = s.Subnets.First(v => v.Id == eni.Subnet);
            var cidr = Cidr.Parse(sn.Cidr);
            var inVpc = s.Enis.Where(e => s.Subnets.First(v => v.Id == e.Subnet).Vpc == sn.Vpc).ToList();
            if (countText != null)
            {
                var n = int.TryParse(countText, out var c) && c > 0 ? c : throw Invalid($"Value ({countText}) for parameter secondaryPrivateIpAddressCount is invalid.");
                var used = inVpc.SelectMany(e => e.SecondaryIps.Prepend(e.PrivateIp)).ToHashSet();
                ips = cidr.Hosts().Where(a => !cidr.IsReserved(a)).Select(a => a.ToString()).Where(a => !used.Contains(a)).Take(n).ToList();
                if (ips.Count < n) throw new AwsError(400, "InsufficientFreeAddressesInSubnet", "There are not enough free addresses in subnet '" + sn.Id + "' to satisfy the requested number of instances.");
            }
            foreach (var ip in ips)
            {
                if (!IPAddress.TryParse(ip, out var a) || a.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
                    throw Invalid($"Invalid value '{ip}' for privateIpAddress. It must be a valid IPv4 address");
                if (!cidr.Contains(a)) throw Invalid("Address does not fall within the subnet's address range");
                if (cidr.IsReserved(a)) throw Invalid($"Address {ip} is in subnet's reserved address range");
                var owner = inVpc.FirstOrDefault(e => e.PrivateIp == ip || e.SecondaryIps.Contains(ip));
                if (owner == null || owner.Id == eni.Id) continue;
                if (owner.PrivateIp == ip) throw new AwsError(400, "PrivateIpAddressInUse", $"Address {ip} is in use.");
                if (!allow) throw new AwsError(400, "PrivateIpAddressInUse", $"Address {ip} is in use.");
            }
            foreach (var ip in ips)
            {
                var owner = inVpc.FirstOrDefault(e => e.Id != eni.Id && e.SecondaryIps.Contains(ip));
                if (owner != null)
                {
                    owner.SecondaryIps.Remove(ip);
                    foreach (var eip in s.Eips.Where(e => e.Eni == owner.Id && e.PrivateIp == ip)) { eip.Eni = null; eip.PrivateIp = null; eip.AssociationId = null; }
                }
                if (eni.PrivateIp != ip && !eni.SecondaryIps.Contains(ip)) eni.SecondaryIps.Add(ip);
            }
            return ips;
        });
        x.El("networkInterfaceId", eniId).Set("assignedPrivateIpAddressesSet", assigned, (x, ip) => x.El("privateIpAddress", ip)).El("return", true);
    }

    private void UnassignPrivateIpAddresses(AwsRequest r, Dictionary<string, string> p, XmlOut x)
    {
        var eniId = Q.Req(p, "NetworkInterfaceId");
        var ips = Q.List(p, "PrivateIpAddress");
        if (ips.Count == 0) ips = Q.List(p, "PrivateIpAddresses");
        if (ips.Count == 0) throw new AwsError(400, "MissingParameter", "The request must contain the parameter privateIpAddress");
        W.Write(s =>
        {
            var eni = FindEni(s, eniId);
            _server.Authorize(r, "UnassignPrivateIpAddresses", eni.Id);
            if (ips.Contains(eni.PrivateIp)) throw Invalid($"The primary private IP address {eni.PrivateIp} cannot be unassigned from {eni.Id}");
            if (ips.Any(ip => !eni.SecondaryIps.Contains(ip))) throw Invalid($"Some of the specified addresses are not assigned to interface {eni.Id}");
            foreach (var ip in ips)
            {
                eni.SecondaryIps.Remove(ip);
                foreach (var eip in s.Eips.Where(e => e.Eni == eni.Id && e.PrivateIp == ip)) { eip.Eni = null; eip.PrivateIp = null; eip.AssociationId = null; }
            }
        });
        x.El("return", true);
    }

    // ------------------------------------------------------------------ elastic IPs

    private static void WriteAddress(WorldState s, XmlOut x, Eip a)
    {
        var eni = a.Eni == null ? null : s.Enis.FirstOrDefault(e => e.Id == a.Eni);
        x.El("publicIp", a.PublicIp).El("allocationId", a.AllocationId).El("domain", "vpc");
        if (eni != null)
            x.El("instanceId", eni.Instance).El("associationId", a.AssociationId).El("networkInterfaceId", eni.Id)
             .El("networkInterfaceOwnerId", s.AccountId).El("privateIpAddress", a.PrivateIp);
        x.El("publicIpv4Pool", "amazon").El("networkBorderGroup", s.Region);
        Tags(x, null);
    }

    private void DescribeAddresses(AwsRequest r, Dictionary<string, string> p, XmlOut x)
    {
        var ids = Q.List(p, "AllocationId");
        var ips = Q.List(p, "PublicIp");
        W.ReadLagged(r.LagMs, s =>
        {
            var missing = ids.Where(id => s.Eips.All(v => v.AllocationId != id)).ToList();
            if (missing.Count > 0) throw NotFound("InvalidAllocationID.NotFound", "allocation", missing);
            var missingIp = ips.Where(ip => s.Eips.All(v => v.PublicIp != ip)).ToList();
            if (missingIp.Count > 0) throw new AwsError(400, "InvalidAddress.NotFound", $"Address '{missingIp[0]}' not found.");
            var list = Filter(p, s.Eips.Where(a => (ids.Count == 0 || ids.Contains(a.AllocationId)) && (ips.Count == 0 || ips.Contains(a.PublicIp))), (a, f) => f switch
            {
                "allocation-id" => new[] { a.AllocationId }, "association-id" => new[] { a.AssociationId }, "public-ip" => new[] { a.PublicIp },
                "domain" => new[] { "vpc" }, "network-interface-id" => new[] { a.Eni },
                "instance-id" => new[] { a.Eni == null ? null : s.Enis.FirstOrDefault(e => e.Id == a.Eni)?.Instance },
                "private-ip-address" => new[] { a.PrivateIp }, "network-interface-owner-id" => new[] { a.Eni == null ? null : s.AccountId },
                _ => null
            });
            x.Set("addressesSet", list, (x, a) => WriteAddress(s, x, a));
            return 0;
        });
    }

    private void AllocateAddress(AwsRequest r, Dictionary<string, string> p, XmlOut x)
    {
        var domain = Q.Get(p, "Domain") ?? "vpc";
        if (domain != "vpc" && domain != "standard") throw Invalid($"Value ({domain}) for parameter domain is invalid.");
        var eip = W.Write(s =>
        {
            _server.Authorize(r, "AllocateAddress", null);
            var pool = Cidr.Parse(s.PublicIpPool);
            var used = s.Eips.Select(e => e.PublicIp).ToHashSet();
            var ip = pool.Hosts().Skip(1).Select(a => a.ToString()).FirstOrDefault(a => !used.Contains(a))
                ?? throw new AwsError(400, "AddressLimitExceeded", "The maximum number of addresses has been reached.");
            var e = new Eip { AllocationId = Ids.New("eipalloc"), PublicIp = ip };
            s.Eips.Add(e);
            return new Eip { AllocationId = e.AllocationId, PublicIp = e.PublicIp };
        });
        x.El("publicIp", eip.PublicIp).El("domain", "vpc").El("allocationId", eip.AllocationId).El("publicIpv4Pool", "amazon").El("networkBorderGroup", W.Region);
    }

    private void AssociateAddress(AwsRequest r, Dictionary<string, string> p, XmlOut x)
    {
        var allocId = Q.Get(p, "AllocationId");
        var publicIp = Q.Get(p, "PublicIp");
        var eniId = Q.Get(p, "NetworkInterfaceId");
        var instId = Q.Get(p, "InstanceId");
        var privIp = Q.Get(p, "PrivateIpAddress");
        var allow = Q.Bool(p, "AllowReassociation");
        if (string.IsNullOrEmpty(allocId) && string.IsNullOrEmpty(publicIp))
            throw new AwsError(400, "MissingParameter", "Either public IP or allocation id must be specified");
        if (string.IsNullOrEmpty(eniId) && string.IsNullOrEmpty(instId))
            throw new AwsError(400, "MissingParameter", "Either instance ID or network interface ID must be specified");
        var assoc = W.Write(s =>
        {
            var eip = !string.IsNullOrEmpty(allocId)
                ? s.Eips.FirstOrDefault(a => a.AllocationId == allocId) ?? throw NotFound("InvalidAllocationID.NotFound", "allocation", [allocId])
                : s.Eips.FirstOrDefault(a => a.PublicIp == publicIp) ?? throw new AwsError(400, "InvalidAddress.NotFound", $"Address '{publicIp}' not found.");
            _server.Authorize(r, "AssociateAddress", eip.AllocationId);
            Eni eni;
            if (!string.IsNullOrEmpty(eniId)) eni = FindEni(s, eniId);
            else
            {
                var inst = FindInstance(s, instId!);
                var enis = s.Enis.Where(e => e.Instance == inst.Id).ToList();
                if (enis.Count > 1) throw Invalid($"There are multiple interfaces attached to instance '{inst.Id}'. Please specify an interface ID for the operation instead.");
                eni = enis.FirstOrDefault() ?? throw Invalid($"Instance {inst.Id} has no network interface");
            }
            var ip = string.IsNullOrEmpty(privIp) ? eni.PrivateIp : privIp;
            if (ip != eni.PrivateIp && !eni.SecondaryIps.Contains(ip))
                throw Invalid($"The specified private IP address ({ip}) is not associated with the network interface {eni.Id}");
            if (eip.Eni != null && !(eip.Eni == eni.Id && eip.PrivateIp == ip) && !allow)
                throw new AwsError(400, "Resource.AlreadyAssociated", $"resource {eip.AllocationId} is already associated with associate-id {eip.AssociationId}");
            // An ENI private address maps to one EIP: whatever was there is disassociated.
            foreach (var other in s.Eips.Where(a => a != eip && a.Eni == eni.Id && a.PrivateIp == ip)) { other.Eni = null; other.PrivateIp = null; other.AssociationId = null; }
            eip.Eni = eni.Id;
            eip.PrivateIp = ip;
            eip.AssociationId = Ids.New("eipassoc");
            return eip.AssociationId;
        });
        x.El("return", true).El("associationId", assoc);
    }

    private void DisassociateAddress(AwsRequest r, Dictionary<string, string> p, XmlOut x)
    {
        var assocId = Q.Get(p, "AssociationId");
        var publicIp = Q.Get(p, "PublicIp");
        if (string.IsNullOrEmpty(assocId) && string.IsNullOrEmpty(publicIp))
            throw new AwsError(400, "MissingParameter", "Either public IP or association id must be specified");
        W.Write(s =>
        {
            var eip = !string.IsNullOrEmpty(assocId)
                ? s.Eips.FirstOrDefault(a => a.AssociationId == assocId) ?? throw NotFound("InvalidAssociationID.NotFound", "association", [assocId])
                : s.Eips.FirstOrDefault(a => a.PublicIp == publicIp) ?? throw new AwsError(400, "InvalidAddress.NotFound", $"Address '{publicIp}' not found.");
            _server.Authorize(r, "DisassociateAddress", eip.AllocationId);
            eip.Eni = null; eip.PrivateIp = null; eip.AssociationId = null;
        });
        x.El("return", true);
    }

    // ------------------------------------------------------------------ availability zones and instances

    private void DescribeAvailabilityZones(AwsRequest r, Dictionary<string, string> p, XmlOut x)
    {
        var names = Q.List(p, "ZoneName");
        var zids = Q.List(p, "ZoneId");
        W.ReadLagged(r.LagMs, s =>
        {
            foreach (var n in names)
                if (s.AvailabilityZones.All(a => a.Name != n)) throw Invalid($"Invalid availability zone: [{n}]");
            foreach (var n in zids)
                if (s.AvailabilityZones.All(a => a.Id != n)) throw Invalid($"Invalid availability zone: [{n}]");
            var zones = Filter(p, s.AvailabilityZones.Where(a => (names.Count == 0 || names.Contains(a.Name)) && (zids.Count == 0 || zids.Contains(a.Id!))), (a, f) => f switch
            {
                "zone-name" => new[] { a.Name }, "zone-id" => new[] { a.Id }, "state" => new[] { a.State }, "region-name" => new[] { s.Region },
                "zone-type" => new[] { "availability-zone" }, "opt-in-status" => new[] { "opt-in-not-required" }, "message" => a.Messages,
                "group-name" or "network-border-group" => new[] { s.Region },
                _ => null
            });
            x.Set("availabilityZoneInfo", zones, (x, a) =>
            {
                x.El("zoneName", a.Name).El("zoneState", a.State).El("regionName", s.Region).El("zoneId", a.Id).El("zoneType", "availability-zone")
                 .El("optInStatus", "opt-in-not-required").El("groupName", s.Region).El("networkBorderGroup", s.Region)
                 .Set("messageSet", a.Messages, (x, m) => x.El("message", m));
            });
            return 0;
        });
    }

    private void DescribeInstances(AwsRequest r, Dictionary<string, string> p, XmlOut x)
    {
        var ids = Q.List(p, "InstanceId");
        W.ReadLagged(r.LagMs, s =>
        {
            var missing = ids.Where(id => s.Instances.All(v => v.Id != id)).ToList();
            if (missing.Count > 0) throw NotFound("InvalidInstanceID.NotFound", "instance", missing);
            Eni? Primary(Instance i) => s.Enis.FirstOrDefault(e => e.Instance == i.Id && e.DeviceIndex == 0);
            var list = Filter(p, s.Instances.Where(i => ids.Count == 0 || ids.Contains(i.Id)), (i, f) => f switch
            {
                "instance-id" => new[] { i.Id }, "instance-state-name" => new[] { i.State }, "instance-state-code" => new[] { StateCode(i.State).ToString() },
                "availability-zone" => new[] { i.Az }, "instance-type" => new[] { i.Type },
                "vpc-id" => new[] { Primary(i) is { } e ? VpcOf(s, e.Subnet).Id : null },
                "subnet-id" => new[] { Primary(i)?.Subnet },
                "private-ip-address" => new[] { Primary(i)?.PrivateIp },
                "network-interface.network-interface-id" => s.Enis.Where(e => e.Instance == i.Id).Select(e => e.Id),
                "network-interface.addresses.private-ip-address" => s.Enis.Where(e => e.Instance == i.Id).SelectMany(e => e.SecondaryIps.Prepend(e.PrivateIp)),
                "ip-address" => s.Eips.Where(a => Primary(i) is { } e && a.Eni == e.Id).Select(a => a.PublicIp),
                _ => TagAttr(i.Name, f)
            }).ToList();
            x.Set("reservationSet", list, (x, i) =>
            {
                var prim = Primary(i);
                var eip = prim == null ? null : s.Eips.FirstOrDefault(a => a.Eni == prim.Id && a.PrivateIp == prim.PrivateIp);
                x.El("reservationId", "r-" + Ids.Hex(17, i.Id)).El("ownerId", s.AccountId).Empty("groupSet").Open("instancesSet").Open("item");
                x.El("instanceId", i.Id).El("imageId", i.ImageId)
                 .Open("instanceState").El("code", StateCode(i.State)).El("name", i.State).Close("instanceState")
                 .El("privateDnsName", prim == null ? "" : $"ip-{prim.PrivateIp.Replace('.', '-')}.{s.Region}.compute.internal")
                 .El("dnsName", eip == null ? "" : $"ec2-{eip.PublicIp.Replace('.', '-')}.{s.Region}.compute.amazonaws.com")
                 .El("reason", i.State == "stopped" ? i.StateReason ?? "User initiated" : "")
                 .El("amiLaunchIndex", 0).Empty("productCodes").El("instanceType", i.Type).El("launchTime", i.LaunchTime)
                 .Open("placement").El("availabilityZone", i.Az).El("groupName", "").El("tenancy", "default").Close("placement")
                 .Open("monitoring").El("state", "disabled").Close("monitoring");
                if (prim != null)
                    x.El("subnetId", prim.Subnet).El("vpcId", VpcOf(s, prim.Subnet).Id).El("privateIpAddress", prim.PrivateIp).El("ipAddress", eip?.PublicIp)
                     .El("sourceDestCheck", prim.SourceDestCheck);
                x.Open("groupSet").Open("item").El("groupId", "sg-" + Ids.Hex(17, prim == null ? i.Id : VpcOf(s, prim.Subnet).Id)).El("groupName", "default").Close("item").Close("groupSet");
                if (i.State is "stopped" or "stopping")
                    x.Open("stateReason").El("code", "Client.UserInitiatedShutdown").El("message", "Client.UserInitiatedShutdown: User initiated shutdown").Close("stateReason");
                x.El("architecture", "x86_64").El("rootDeviceType", "ebs").El("rootDeviceName", "/dev/xvda").Empty("blockDeviceMapping")
                 .El("virtualizationType", "hvm").El("hypervisor", "xen");
                Tags(x, i.Name);
                x.Set("networkInterfaceSet", s.Enis.Where(e => e.Instance == i.Id).OrderBy(e => e.DeviceIndex), (x, e) => WriteEni(s, x, e, inInstance: true));
                x.El("ebsOptimized", false).El("enaSupport", true);
                if (s.Roles.FirstOrDefault(ro => ro.Name == i.Role) is { } role)
                    x.Open("iamInstanceProfile").El("arn", $"arn:aws:iam::{s.AccountId}:instance-profile/{role.Name}").El("id", "AIPA" + Ids.Hex(17, role.Name).ToUpperInvariant()).Close("iamInstanceProfile");
                x.Open("metadataOptions").El("state", "applied").El("httpTokens", "required").El("httpPutResponseHopLimit", 2).El("httpEndpoint", "enabled").Close("metadataOptions");
                x.Close("item").Close("instancesSet");
            });
            return 0;
        });
    }

    private void StopStart(AwsRequest r, Dictionary<string, string> p, XmlOut x, bool stop)
    {
        var ids = Q.List(p, "InstanceId");
        if (ids.Count == 0) throw new AwsError(400, "MissingParameter", "The request must contain the parameter InstanceId");
        var force = Q.Bool(p, "Force");
        var action = stop ? "StopInstances" : "StartInstances";
        var changes = W.Write(s =>
        {
            var missing = ids.Where(id => s.Instances.All(v => v.Id != id)).ToList();
            if (missing.Count > 0) throw NotFound("InvalidInstanceID.NotFound", "instance", missing);
            foreach (var id in ids) _server.Authorize(r, action, id);
            var insts = ids.Select(id => s.Instances.First(i => i.Id == id)).ToList();
            foreach (var i in insts)
            {
                if (stop && i.State is "shutting-down" or "terminated")
                    throw new AwsError(400, "IncorrectInstanceState", $"This instance '{i.Id}' is not in a state from which it can be stopped.");
                if (!stop && i.State is "stopping" or "shutting-down" or "terminated")
                    throw new AwsError(400, "IncorrectInstanceState", $"The instance '{i.Id}' is not in a state from which it can be started.");
            }
            var result = new List<(string Id, string Prev, string Cur, double Delay)>();
            foreach (var i in insts)
            {
                var prev = i.State;
                if (stop && prev is "running" or "pending") { i.State = "stopping"; i.StateReason = "User initiated"; }
                else if (stop && prev == "stopping" && force) { /* a forced stop of a stopping instance shortens the wait */ }
                else if (!stop && prev == "stopped") { i.State = "pending"; i.StateReason = null; }
                var delay = stop ? (force ? i.ForceStopSeconds ?? i.StopSeconds : i.StopSeconds) : i.StartSeconds;
                result.Add((i.Id, prev, i.State, delay));
            }
            return result;
        });
        foreach (var c in changes)
            if (c.Cur is "stopping" or "pending" && (c.Prev != c.Cur || (stop && force)))
                _server.ScheduleTransition(c.Id, c.Cur == "stopping" ? "stopped" : "running", c.Delay);
        x.Set("instancesSet", changes, (x, c) =>
        {
            x.El("instanceId", c.Id).Open("currentState").El("code", StateCode(c.Cur)).El("name", c.Cur).Close("currentState")
             .Open("previousState").El("code", StateCode(c.Prev)).El("name", c.Prev).Close("previousState");
        });
    }
}
