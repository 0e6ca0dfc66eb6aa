using ExpressHa.AwsLocal;
using ExpressHa.Config;
using ExpressHa.Schema;

namespace ExpressHa.Demo;

/// <summary>The demo's AWS mode: the local AWS-compatible endpoint (the example VPC of the "EXPRESSCLUSTER X HA Cluster
/// Configuration Guide for Amazon Web Services"), a VIP route and a Route 53 record in the group, both of which must
/// follow the failover.</summary>
public sealed class AwsDemo : IAsyncDisposable
{
    public const string Vip = "10.1.0.20";
    public const string RecordName = "web.srv.hz1.local.";
    const string ZoneId = "Z0EXPRESSHA00000000001";
    const string VpcId = "vpc-0a1b2c3d4e5f60001";
    static readonly string[] Enis = { "eni-0node1000000000001", "eni-0node2000000000002" };
    static readonly string[] Ips = { "10.0.110.10", "10.0.120.10" };

    AwsDemo(AwsLocalServer server) { Server = server; }

    public AwsLocalServer Server { get; }

    public static async Task<AwsDemo> StartAsync() => new(await AwsLocalServer.StartAsync(World.Example(), "127.0.0.1", 0));

    public string EniOf(int nodeIndex) => Enis[nodeIndex];
    public string IpOf(int nodeIndex) => Ips[nodeIndex];

    /// <summary>Credentials of the world's first access key, for the node processes' environment (the SDK's credential chain).</summary>
    public void AddCredentials(Dictionary<string, string> env)
    {
        var key = Server.World.Read(s => s.AccessKeys[0]);
        env["AWS_ACCESS_KEY_ID"] = key.Id;
        env["AWS_SECRET_ACCESS_KEY"] = key.Secret;
        env["AWS_EC2_METADATA_DISABLED"] = "true";
    }

    /// <summary>Adds the VIP and DNS resources (and their monitors) to the demo's group; the application depends on both.</summary>
    public void Configure(ClusterConfig c)
    {
        var url = Server.BaseAddress.ToString().TrimEnd('/');
        c.Cluster.Aws.Region = Server.World.Read(s => s.Region);
        foreach (var service in new[] { "ec2", "route53", "sns" }) c.Cluster.Aws.Endpoints[service] = url;
        var g = c.Groups[0];
        var vip = new ResourceConfig { Name = "awsvip1", Type = "awsvip" };
        vip.Parameters["ip"] = Vip;
        vip.Parameters["vpcId"] = VpcId;
        vip.Parameters["vpcCidr"] = "10.0.0.0/16";
        vip.Parameters["eni"] = PerNode(c, i => Enis[i]);
        // The demo's nodes are processes on loopback: the address is not added to an OS interface.
        vip.Parameters["interface"] = "none";
        var dns = new ResourceConfig { Name = "awsdns1", Type = "awsdns" };
        dns.Parameters["hostedZoneId"] = ZoneId;
        dns.Parameters["recordName"] = RecordName;
        dns.Parameters["ip"] = PerNode(c, i => Ips[i]);
        dns.Parameters["insyncIntervalSeconds"] = 1L;
        g.Resources.Insert(0, dns);
        g.Resources.Insert(0, vip);
        g.FindResource("app")!.DependsOn = new List<string> { "awsvip1", "awsdns1" };
        c.Monitors.Add(SchemaRegistry.NewMonitor("awsvipw1", "awsvip", "awsvip1"));
        c.Monitors.Add(SchemaRegistry.NewMonitor("awsdnsw1", "awsdns", "awsdns1"));
    }

    static SortedDictionary<string, string> PerNode(ClusterConfig c, Func<int, string> value)
        => new(c.Nodes.Select((n, i) => (n.Name, value(i))).ToDictionary(x => x.Name, x => x.Item2), StringComparer.Ordinal);

    /// <summary>Where the VIP route points in each route table that holds it, and the record's value.</summary>
    public (List<(string Table, string Target)> Routes, string? Record) Observe()
        => Server.World.Read(s =>
        {
            var routes = s.RouteTables.SelectMany(t => t.Routes.Where(r => r.Destination == Vip + "/32").Select(r => (t.Name ?? t.Id, r.Target ?? ""))).ToList();
            var record = s.HostedZones.FirstOrDefault(z => z.Id == ZoneId)?.Records.FirstOrDefault(r => r.Name == RecordName && r.Type == "A");
            return (routes, record == null ? null : string.Join(",", record.Values));
        });

    public void Print(TextWriter o, string when)
    {
        var (routes, record) = Observe();
        o.WriteLine($"AWS {when}:");
        foreach (var (table, target) in routes) o.WriteLine($"  route table {table,-10} {Vip}/32 -> {target}");
        o.WriteLine($"  Route 53 {RecordName} A -> {record ?? "(no record)"}");
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
