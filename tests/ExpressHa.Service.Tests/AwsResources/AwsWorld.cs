using System.Collections.Concurrent;
using System.Net;
using Amazon.Runtime;
using ExpressHa.AwsLocal;
using ExpressHa.Config;
using ExpressHa.Service.Aws;
using ExpressHa.Service.Monitors;
using ExpressHa.Service.Resources;
using ExpressHa.Service.Resources.Aws;
using ExpressHa.Service.Tests.Resources;

namespace ExpressHa.Service.Tests.AwsResources;

/// <summary>The OS side in memory (the AWS side is what these tests exercise; the real ip commands are covered by
/// a namespace test).</summary>
public sealed class MemoryOsAddresses : IOsAddresses
{
    public ConcurrentDictionary<string, (int Prefix, string Iface)> Addresses { get; } = new();
    public Task<string?> FindAsync(IPAddress ip, CancellationToken ct) => Task.FromResult(Addresses.TryGetValue(ip.ToString(), out var a) ? a.Iface : null);
    public Task AddAsync(IPAddress ip, int prefixLength, string iface, CancellationToken ct) { Addresses[ip.ToString()] = (prefixLength, iface); return Task.CompletedTask; }
    public Task RemoveAsync(IPAddress ip, CancellationToken ct) { Addresses.TryRemove(ip.ToString(), out _); return Task.CompletedTask; }
}

/// <summary>A local AWS endpoint (in-process AwsLocalServer) with the example VPC of the "EXPRESSCLUSTER X HA Cluster
/// Configuration Guide for Amazon Web Services", two nodes (server1 = node 1 in
/// 10.0.110.0/24, server2 = node 2 in 10.0.120.0/24), each with its own IMDS and its own clients built by
/// AwsClientFactory with every endpoint pointed at the local server; all calls go through the real AWSSDK.EC2
/// and our Route 53 client.</summary>
public sealed class AwsWorld : IAsyncDisposable
{
    public const string Key = "AKIAEXPRESSHA0000001", Secret = "expressha-local-secret-key-0000000000001";
    public const string VpcId = "vpc-0a1b2c3d4e5f60001", Node1 = "i-0node100000000001", Node2 = "i-0node200000000002";
    public const string Eni1 = "eni-0node1000000000001", Eni2 = "eni-0node2000000000002";
    public const string RtbPublic = "rtb-0public0000000ab", RtbA = "rtb-0private00000000a", RtbB = "rtb-0private00000000b";
    public const string Eip1 = "eipalloc-0a1b2c3d4e5f60001", Eip2 = "eipalloc-0a1b2c3d4e5f60002";
    public const string Zone = "Z0EXPRESSHA00000000001", Vip = "10.1.0.20";
    public const string Server1 = "server1", Server2 = "server2";

    public AwsLocalServer Server { get; private set; } = null!;
    public World World => Server.World;
    public Faults Faults => Server.Faults;
    public ClusterConfig Config { get; } = new();
    public RecordingAlerts Alerts { get; } = new();
    readonly Dictionary<string, IAwsClients> _clients = new();
    readonly Dictionary<string, MemoryOsAddresses> _os = new();

    public static string ExampleWorldPath
    {
        get
        {
            var dir = AppContext.BaseDirectory;
            while (dir != null && !File.Exists(Path.Combine(dir, "ExpressHa.slnx"))) dir = Path.GetDirectoryName(dir);
            return Path.Combine(dir!, "src", "ExpressHa.AwsLocal", "examples", "world.yaml");
        }
    }

    public static async Task<AwsWorld> StartAsync(Action<WorldState>? tweak = null)
    {
        var s = World.Parse(File.ReadAllText(ExampleWorldPath));
        foreach (var i in s.Instances) { i.StopHook = null; i.StopSeconds = 0.1; }
        s.Route53.InsyncSeconds = 0;
        s.Route53.PendingPolls = 0;
        tweak?.Invoke(s);
        var w = new AwsWorld();
        w.Server = await AwsLocalServer.StartAsync(new World(s));
        foreach (var (node, instance, addr) in new[] { (Server1, Node1, "10.0.110.10"), (Server2, Node2, "10.0.120.10") })
        {
            var imds = await w.Server.StartImdsAsync(instance);
            var settings = new AwsSettings { Region = s.Region };
            settings.Endpoints["ec2"] = w.Server.BaseAddress.ToString();
            settings.Endpoints["route53"] = w.Server.BaseAddress.ToString();
            settings.Endpoints["sns"] = w.Server.BaseAddress.ToString();
            settings.Endpoints["imds"] = imds.BaseAddress.ToString();
            w._clients[node] = await AwsClientFactory.CreateAsync(settings, TimeSpan.FromSeconds(10),
                new AwsClientOptions { Credentials = new BasicAWSCredentials(Key, Secret) });
            w._os[node] = new MemoryOsAddresses();
            w.Config.Nodes.Add(new NodeConfig { Name = node, InstanceId = instance, Addresses = { ["lan1"] = addr } });
        }
        w.Config.Cluster.Name = "cluster";
        return w;
    }

    public IAwsClients Clients(string node) => _clients[node];
    public MemoryOsAddresses Os(string node) => _os[node];
    /// <summary>What a node's service would hold: clients whose IMDS is that instance's.</summary>
    public AwsClientsProvider Provider(string node) => new(_ => _clients[node]);

    public AwsVipResource VipDriver(string node) => new(Provider(node), _os[node]);
    public AwsEipResource EipDriver(string node) => new(Provider(node));
    public AwsSipResource SipDriver(string node) => new(Provider(node), _os[node]);
    public AwsDnsResource DnsDriver(string node) => new(Provider(node));

    public ResourceContext Ctx(string node, string name, string type, params (string Key, object Value)[] p)
    {
        var bag = new ParameterBag();
        foreach (var (k, v) in p) bag[k] = v;
        var resource = new ResourceConfig { Name = name, Type = type, Parameters = bag };
        var group = new GroupConfig { Name = "failover1", Servers = { Server1, Server2 }, Resources = { resource } };
        return new ResourceContext
        {
            Config = Config, Group = group, Resource = resource, Node = Config.Nodes.Single(n => n.Name == node),
            StateDir = Path.GetTempPath(), Alerts = Alerts,
        };
    }

    public MonitorContext MonCtx(ResourceContext target, string type, int timeoutSeconds = 5, string? onApiFailure = null, params (string Key, object Value)[] p)
    {
        var m = ExpressHa.Schema.SchemaRegistry.NewMonitor(type + "w1", type, target.Resource.Name);
        m.TimeoutSeconds = timeoutSeconds;
        if (onApiFailure != null) m.OnApiFailure = onApiFailure;
        foreach (var (k, v) in p) m.Parameters[k] = v;
        return new MonitorContext { Config = Config, Monitor = m, Node = target.Node, Target = target.Resource, Alerts = Alerts };
    }

    public static SortedDictionary<string, string> PerNode(string v1, string v2) =>
        new(StringComparer.Ordinal) { [Server1] = v1, [Server2] = v2 };

    public string? RouteTarget(string rtb, string dest) =>
        World.Read(w => w.RouteTables.Single(t => t.Id == rtb).Routes.SingleOrDefault(r => r.Destination == dest)?.Target);

    public string? EipEni(string alloc) => World.Read(w => w.Eips.Single(e => e.AllocationId == alloc).Eni);

    public ExpressHa.AwsLocal.ResourceRecordSet? Record(string name) =>
        World.Read(w => w.HostedZones.Single(z => z.Id == Zone).Records.SingleOrDefault(r => r.Name == name && r.Type == "A"));

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _clients.Values) c.Dispose();
        Faults.Clear();
        await Server.DisposeAsync();
    }
}
