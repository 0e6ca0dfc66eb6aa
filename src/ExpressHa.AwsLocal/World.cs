// Over 400 lines on purpose: the world's YAML model in one place, so the example world and its classes read side by side.
using System.Net;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace ExpressHa.AwsLocal;

// ---------------------------------------------------------------------------------------------------------------
// The world: everything the local endpoint knows, loaded from a YAML file (see examples/world.yaml).
// The model classes double as the YAML schema (camelCase keys). All access goes through World, which holds one
// lock; tests read it with World.Read(s => ...) or World.Snapshot().
// ---------------------------------------------------------------------------------------------------------------

public sealed class WorldState
{
    public string Region { get; set; } = "ap-northeast-1";
    public string AccountId { get; set; } = "123456789012";
    public AuthSettings Auth { get; set; } = new();
    public List<AccessKey> AccessKeys { get; set; } = new();
    /// <summary>Actions denied to every key: "ec2:ReplaceRoute", "ReplaceRoute", "ec2:*", or resource-scoped "ec2:ReplaceRoute@rtb-1".</summary>
    public List<string> DeniedActions { get; set; } = new();
    public List<Role> Roles { get; set; } = new();
    public List<Vpc> Vpcs { get; set; } = new();
    public List<Subnet> Subnets { get; set; } = new();
    public List<RouteTable> RouteTables { get; set; } = new();
    public List<AvailabilityZone> AvailabilityZones { get; set; } = new();
    public List<Instance> Instances { get; set; } = new();
    public List<Eni> Enis { get; set; } = new();
    public List<Eip> Eips { get; set; } = new();
    /// <summary>Addresses AllocateAddress hands out (a CIDR; the first free address is used).</summary>
    public string PublicIpPool { get; set; } = "203.0.113.0/24";
    public Route53Settings Route53 { get; set; } = new();
    public List<HostedZone> HostedZones { get; set; } = new();
    public List<Change> Changes { get; set; } = new();
    public List<Topic> Topics { get; set; } = new();
    public List<PublishedMessage> Published { get; set; } = new();
    /// <summary>Faults armed at startup (same shape as POST /_faults).</summary>
    public List<FaultSpec> Faults { get; set; } = new();
}

public sealed class AuthSettings
{
    /// <summary>signature (full SigV4 check, default) | accessKey (parse the header, check the key id only) | none (unsigned requests accepted).</summary>
    public string Mode { get; set; } = "signature";
    /// <summary>Allowed clock skew of X-Amz-Date, minutes (AWS: 15).</summary>
    public int MaxSkewMinutes { get; set; } = 15;
}

public sealed class AccessKey
{
    public string Id { get; set; } = "";
    public string Secret { get; set; } = "";
    /// <summary>When set (temporary credentials, e.g. a role's), requests must carry it in X-Amz-Security-Token.</summary>
    public string? SessionToken { get; set; }
    /// <summary>Actions denied to this key only (same syntax as WorldState.DeniedActions).</summary>
    public List<string> Denied { get; set; } = new();
}

public sealed class Role
{
    public string Name { get; set; } = "";
    /// <summary>Id of an entry in accessKeys that IMDS hands out as this role's credentials.</summary>
    public string AccessKey { get; set; } = "";
}

public sealed class Vpc
{
    public string Id { get; set; } = "";
    public string Cidr { get; set; } = "";
    public string? Name { get; set; }
}

public sealed class Subnet
{
    public string Id { get; set; } = "";
    public string Vpc { get; set; } = "";
    public string Cidr { get; set; } = "";
    public string Az { get; set; } = "";
    public string? Name { get; set; }
}

public sealed class RouteTable
{
    public string Id { get; set; } = "";
    public string Vpc { get; set; } = "";
    public string? Name { get; set; }
    public bool Main { get; set; }
    /// <summary>Subnets explicitly associated with this table.</summary>
    public List<string> Subnets { get; set; } = new();
    public List<Route> Routes { get; set; } = new();
}

public sealed class Route
{
    public string Destination { get; set; } = "";
    /// <summary>"local", an eni-..., igw-..., nat-..., or i-... id.</summary>
    public string Target { get; set; } = "";
    /// <summary>CreateRouteTable (local), CreateRoute.</summary>
    public string? Origin { get; set; }
}

public sealed class AvailabilityZone
{
    public string Name { get; set; } = "";
    public string? Id { get; set; }
    /// <summary>available | information | impaired | unavailable | constrained.</summary>
    public string State { get; set; } = "available";
    public List<string> Messages { get; set; } = new();
}

public sealed class Instance
{
    public string Id { get; set; } = "";
    public string Az { get; set; } = "";
    /// <summary>pending | running | stopping | stopped (shutting-down, terminated are shown but not reachable by the API here).</summary>
    public string State { get; set; } = "running";
    public string Type { get; set; } = "t3.micro";
    public string ImageId { get; set; } = "ami-0123456789abcdef0";
    public string? Name { get; set; }
    /// <summary>Seconds in "stopping" before "stopped" (fractions allowed).</summary>
    public double StopSeconds { get; set; } = 0;
    /// <summary>Seconds in "stopping" when Force=true; defaults to StopSeconds.</summary>
    public double? ForceStopSeconds { get; set; }
    /// <summary>Seconds in "pending" before "running".</summary>
    public double StartSeconds { get; set; } = 0;
    /// <summary>Run as `sh -c HOOK sh INSTANCE_ID` (also $EXPRESSHA_INSTANCE_ID) when the instance reaches stopped.</summary>
    public string? StopHook { get; set; }
    /// <summary>Run the same way when the instance reaches running after StartInstances.</summary>
    public string? StartHook { get; set; }
    /// <summary>IAM role (name in roles) IMDS serves credentials for.</summary>
    public string? Role { get; set; }
    public string? StateReason { get; set; }
    public DateTime LaunchTime { get; set; } = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
}

public sealed class Eni
{
    public string Id { get; set; } = "";
    public string Subnet { get; set; } = "";
    /// <summary>Attached instance (null = available).</summary>
    public string? Instance { get; set; }
    public int DeviceIndex { get; set; }
    public string PrivateIp { get; set; } = "";
    public List<string> SecondaryIps { get; set; } = new();
    public string Mac { get; set; } = "";
    public bool SourceDestCheck { get; set; } = true;
    public string? Description { get; set; }
}

public sealed class Eip
{
    public string AllocationId { get; set; } = "";
    public string PublicIp { get; set; } = "";
    /// <summary>Associated ENI (null = not associated).</summary>
    public string? Eni { get; set; }
    /// <summary>The ENI's private IP the EIP maps to (defaults to the ENI's primary IP).</summary>
    public string? PrivateIp { get; set; }
    public string? AssociationId { get; set; }
}

public sealed class Route53Settings
{
    /// <summary>A change stays PENDING at least this long...</summary>
    public double InsyncSeconds { get; set; } = 0;
    /// <summary>...and for at least this many GetChange calls.</summary>
    public int PendingPolls { get; set; } = 0;
}

public sealed class HostedZone
{
    /// <summary>Bare id, e.g. Z0123456789ABCDEFGHIJ (the API shows /hostedzone/ID).</summary>
    public string Id { get; set; } = "";
    /// <summary>Zone name; a trailing dot is added when missing.</summary>
    public string Name { get; set; } = "";
    public bool Private { get; set; } = true;
    public string? Comment { get; set; }
    public List<ResourceRecordSet> Records { get; set; } = new();
}

public sealed class ResourceRecordSet
{
    public string Name { get; set; } = "";
    public string Type { get; set; } = "A";
    public long Ttl { get; set; } = 300;
    public List<string> Values { get; set; } = new();
}

public sealed class Change
{
    public string Id { get; set; } = "";
    public DateTime SubmittedAt { get; set; }
    public int Polls { get; set; }
    public string? Comment { get; set; }
}

public sealed class Topic
{
    public string Name { get; set; } = "";
}

public sealed class PublishedMessage
{
    public string MessageId { get; set; } = "";
    public string TopicArn { get; set; } = "";
    public string? Subject { get; set; }
    public string Message { get; set; } = "";
    public DateTime Time { get; set; }
}

/// <summary>The live world: current state under one lock, a history of past states for read-after-write lag,
/// and a change notification used to write --state-out.</summary>
public sealed class World
{
    private readonly object _sync = new();
    private WorldState _state;
    private readonly List<(DateTime At, WorldState State)> _history = new();

    public World(WorldState state)
    {
        Normalize(state);
        Validate(state);
        _state = state;
    }

    public static World Load(string path) => new(Parse(File.ReadAllText(path)));
    public static World FromYaml(string yaml) => new(Parse(yaml));

    /// <summary>The example world shipped with the endpoint (examples/world.yaml): the example VPC of the "EXPRESSCLUSTER X
    /// HA Cluster Configuration Guide for Amazon Web Services" with two nodes.</summary>
    public static World Example()
    {
        using var s = typeof(World).Assembly.GetManifestResourceStream("ExpressHa.AwsLocal.world.yaml")!;
        using var r = new StreamReader(s);
        return FromYaml(r.ReadToEnd());
    }

    public static WorldState Parse(string yaml)
    {
        var d = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build();
        return d.Deserialize<WorldState>(yaml) ?? new WorldState();
    }

    public static string ToYaml(WorldState s)
    {
        var ser = new SerializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance)
            .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull).Build();
        return ser.Serialize(s);
    }

    /// <summary>Raised (outside the lock) after every change.</summary>
    public event Action? Changed;

    /// <summary>Set by the server from the faults registry: when true, every change keeps the previous state for lagged reads.</summary>
    internal Func<bool> KeepHistory { get; set; } = () => false;

    public string Region { get { lock (_sync) return _state.Region; } }
    public string AccountId { get { lock (_sync) return _state.AccountId; } }

    /// <summary>Reads the current state under the lock (do not keep references past the call).</summary>
    public T Read<T>(Func<WorldState, T> f) { lock (_sync) return f(_state); }

    /// <summary>Deep copy of the current state.</summary>
    public WorldState Snapshot() { lock (_sync) return Clone(_state); }

    public string ToYaml() { lock (_sync) return ToYaml(_state); }

    /// <summary>Changes the state under the lock (tests may use it to change things "behind the cluster's back").</summary>
    public T Write<T>(Func<WorldState, T> f)
    {
        T r;
        lock (_sync)
        {
            var before = KeepHistory() ? Clone(_state) : null;
            r = f(_state);
            if (before != null)
            {
                _history.Add((DateTime.UtcNow, before));
                if (_history.Count > 200) _history.RemoveAt(0);
            }
        }
        Changed?.Invoke();
        return r;
    }

    public void Write(Action<WorldState> f) => Write<object?>(s => { f(s); return null; });

    /// <summary>Runs f against the state as a reader saw it lagMs ago: when a change happened within the last lagMs,
    /// the state from before the oldest such change is used.</summary>
    internal T ReadLagged<T>(int lagMs, Func<WorldState, T> f)
    {
        lock (_sync)
        {
            if (lagMs <= 0) return f(_state);
            var cutoff = DateTime.UtcNow.AddMilliseconds(-lagMs);
            foreach (var (at, state) in _history)
                if (at > cutoff) return f(state);   // the first change inside the window: its "before" state
            return f(_state);
        }
    }

    // lock-free helpers for code that already holds the state inside Read/Write

    public static WorldState Clone(WorldState s) => Parse(ToYaml(s));

    internal static void Normalize(WorldState s)
    {
        foreach (var z in s.HostedZones)
        {
            z.Id = StripZonePrefix(z.Id);
            z.Name = DnsName(z.Name);
            foreach (var r in z.Records) { r.Name = DnsName(r.Name); r.Type = r.Type.ToUpperInvariant(); }
        }
        foreach (var rt in s.RouteTables)
            foreach (var r in rt.Routes) r.Origin ??= r.Target == "local" ? "CreateRouteTable" : "CreateRoute";
        foreach (var e in s.Enis)
            if (string.IsNullOrEmpty(e.Mac)) e.Mac = MacFor(e.Id);
        foreach (var eip in s.Eips)
            if (eip.Eni != null)
            {
                eip.AssociationId ??= "eipassoc-" + Ids.Hex(17, eip.AllocationId);
                eip.PrivateIp ??= s.Enis.FirstOrDefault(e => e.Id == eip.Eni)?.PrivateIp;
            }
        foreach (var az in s.AvailabilityZones) az.Id ??= az.Name;
    }

    /// <summary>Checks the consistency rules AWS keeps; throws on a bad world file.</summary>
    internal static void Validate(WorldState s)
    {
        void Fail(string m) => throw new InvalidDataException("world: " + m);
        var vpcs = s.Vpcs.ToDictionary(v => v.Id);
        foreach (var v in s.Vpcs) if (!Cidr.TryParse(v.Cidr, out _)) Fail($"vpc {v.Id}: bad cidr '{v.Cidr}'");
        foreach (var sn in s.Subnets)
        {
            if (!vpcs.TryGetValue(sn.Vpc, out var v)) Fail($"subnet {sn.Id}: unknown vpc {sn.Vpc}");
            if (!Cidr.TryParse(sn.Cidr, out var c)) Fail($"subnet {sn.Id}: bad cidr '{sn.Cidr}'");
            else if (!Cidr.Parse(v!.Cidr).Contains(c.Network)) Fail($"subnet {sn.Id}: {sn.Cidr} outside {v.Id} {v.Cidr}");
        }
        foreach (var rt in s.RouteTables)
        {
            if (!vpcs.ContainsKey(rt.Vpc)) Fail($"route table {rt.Id}: unknown vpc {rt.Vpc}");
            foreach (var sid in rt.Subnets)
                if (s.Subnets.FirstOrDefault(x => x.Id == sid) is not { } sn || sn.Vpc != rt.Vpc) Fail($"route table {rt.Id}: subnet {sid} is not in {rt.Vpc}");
            foreach (var r in rt.Routes)
            {
                if (!Cidr.TryParse(r.Destination, out _)) Fail($"route table {rt.Id}: bad destination '{r.Destination}'");
                if (r.Target.StartsWith("eni-") && s.Enis.FirstOrDefault(e => e.Id == r.Target) is { } eni
                    && s.Subnets.First(x => x.Id == eni.Subnet).Vpc != rt.Vpc) Fail($"route table {rt.Id}: eni {r.Target} in another vpc");
            }
        }
        foreach (var g in s.Subnets.SelectMany(sn => sn.Id is var id ? s.RouteTables.Where(rt => rt.Subnets.Contains(id)).Select(rt => (id, rt.Id)) : []).GroupBy(x => x.id))
            if (g.Count() > 1) Fail($"subnet {g.Key} is associated with more than one route table");
        var seenIps = new Dictionary<string, string>();
        foreach (var e in s.Enis)
        {
            var sn = s.Subnets.FirstOrDefault(x => x.Id == e.Subnet);
            if (sn == null) { Fail($"eni {e.Id}: unknown subnet {e.Subnet}"); continue; }
            if (e.Instance != null && s.Instances.All(i => i.Id != e.Instance)) Fail($"eni {e.Id}: unknown instance {e.Instance}");
            if (e.Instance != null && s.Instances.First(i => i.Id == e.Instance).Az != sn.Az) Fail($"eni {e.Id}: subnet {sn.Id} is not in the instance's AZ");
            var c = Cidr.Parse(sn.Cidr);
            foreach (var ip in e.SecondaryIps.Prepend(e.PrivateIp))
            {
                if (!IPAddress.TryParse(ip, out var a) || !c.Contains(a)) Fail($"eni {e.Id}: {ip} is not inside subnet {sn.Id} {sn.Cidr}");
                if (!seenIps.TryAdd(ip + "@" + sn.Vpc, e.Id)) Fail($"eni {e.Id}: {ip} already belongs to {seenIps[ip + "@" + sn.Vpc]}");
            }
        }
        foreach (var g in s.Enis.Where(e => e.Instance != null).GroupBy(e => (e.Instance, e.DeviceIndex)))
            if (g.Count() > 1) Fail($"instance {g.Key.Instance} has two ENIs at device index {g.Key.DeviceIndex}");
        foreach (var eip in s.Eips)
        {
            if (eip.Eni == null) continue;
            var e = s.Enis.FirstOrDefault(x => x.Id == eip.Eni);
            if (e == null) Fail($"eip {eip.AllocationId}: unknown eni {eip.Eni}");
            else if (eip.PrivateIp != e.PrivateIp && !e.SecondaryIps.Contains(eip.PrivateIp!)) Fail($"eip {eip.AllocationId}: {eip.PrivateIp} is not on {e.Id}");
        }
        foreach (var g in s.Eips.Where(e => e.Eni != null).GroupBy(e => (e.Eni, e.PrivateIp)))
            if (g.Count() > 1) Fail($"two EIPs on {g.Key.Eni} {g.Key.PrivateIp}");
        foreach (var i in s.Instances)
            if (i.Role != null && s.Roles.All(r => r.Name != i.Role)) Fail($"instance {i.Id}: unknown role {i.Role}");
        foreach (var r in s.Roles)
            if (s.AccessKeys.All(k => k.Id != r.AccessKey)) Fail($"role {r.Name}: unknown access key {r.AccessKey}");
    }

    public static string DnsName(string name)
    {
        name = name.Trim().ToLowerInvariant();
        return name.EndsWith('.') ? name : name + ".";
    }

    public static string StripZonePrefix(string id) => id.StartsWith("/hostedzone/") ? id["/hostedzone/".Length..] : id;

    public static string MacFor(string id)
    {
        var h = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(id));
        return $"0a:{h[0]:x2}:{h[1]:x2}:{h[2]:x2}:{h[3]:x2}:{h[4]:x2}";
    }
}

/// <summary>An IPv4 CIDR block.</summary>
public readonly record struct Cidr(IPAddress Network, int Prefix)
{
    private uint Mask => Prefix == 0 ? 0 : uint.MaxValue << (32 - Prefix);
    private static uint ToUInt(IPAddress a) { var b = a.GetAddressBytes(); return (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]); }
    private static IPAddress FromUInt(uint v) => new(new[] { (byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v });

    public static bool TryParse(string? s, out Cidr c)
    {
        c = default;
        var parts = s?.Split('/');
        if (parts is not { Length: 2 } || !IPAddress.TryParse(parts[0], out var a) || a.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork
            || !int.TryParse(parts[1], out var p) || p < 0 || p > 32 || parts[0].Count(ch => ch == '.') != 3) return false;
        c = new Cidr(a, p);
        return true;
    }

    public static Cidr Parse(string s) => TryParse(s, out var c) ? c : throw new FormatException($"bad CIDR '{s}'");

    public bool Contains(IPAddress a) =>
        a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && (ToUInt(a) & Mask) == (ToUInt(Network) & Mask);

    public bool Overlaps(Cidr o) => Contains(o.Network) || o.Contains(Network);

    /// <summary>AWS reserves the network address, the next three and the broadcast address of every subnet.</summary>
    public bool IsReserved(IPAddress a)
    {
        var off = ToUInt(a) - (ToUInt(Network) & Mask);
        var size = Prefix == 32 ? 1u : 1u << (32 - Prefix);
        return off <= 3 || off == size - 1;
    }

    public IEnumerable<IPAddress> Hosts()
    {
        var start = ToUInt(Network) & Mask;
        var size = Prefix == 32 ? 1u : 1u << (32 - Prefix);
        for (uint i = 0; i < size; i++) yield return FromUInt(start + i);
    }

    public int Size => Prefix == 32 ? 1 : 1 << (32 - Prefix);
    public override string ToString() => $"{Network}/{Prefix}";
}

internal static class Ids
{
    private static readonly Random Rng = new();
    public static string Hex(int n, string? seed = null)
    {
        if (seed != null)
            return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(seed)))[..n];
        var b = new byte[(n + 1) / 2];
        lock (Rng) Rng.NextBytes(b);
        return Convert.ToHexStringLower(b)[..n];
    }
    public static string New(string prefix) => prefix + "-" + Hex(17);
    public static string RequestId() => Guid.NewGuid().ToString();
    public static string Upper(int n)
    {
        const string chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        var sb = new System.Text.StringBuilder();
        lock (Rng) for (int i = 0; i < n; i++) sb.Append(chars[Rng.Next(chars.Length)]);
        return sb.ToString();
    }
}
