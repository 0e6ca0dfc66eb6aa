namespace ExpressHa.Service.Monitors;

/// <summary>Monitor probes by type name. A new type is one <see cref="IMonitorProbe"/> class plus one
/// <c>.Add(new XProbe())</c> line in <see cref="Default"/>.</summary>
public sealed class MonitorProbeRegistry
{
    readonly Dictionary<string, IMonitorProbe> _probes = new(StringComparer.Ordinal);

    /// <summary>The probes this build ships, the AWS ones with clients from the given factory (lazily created, cached per config).</summary>
    public static MonitorProbeRegistry Default(Func<ExpressHa.Config.ClusterConfig, ExpressHa.Service.Aws.IAwsClients> awsClients) =>
        Default(new ExpressHa.Service.Resources.Aws.AwsClientsProvider(awsClients));

    /// <summary>What this build ships, the AWS types sharing the node's one clients provider (built by NodeComposition).</summary>
    public static MonitorProbeRegistry Default(ExpressHa.Service.Resources.Aws.AwsClientsProvider aws) => new MonitorProbeRegistry()
        .Add(new IpProbe())
        .Add(new CustomProbe())
        .Add(new ProcessProbe())
        .Add(new HttpProbe())
        .Add(new UserwProbe())
        .Add(new NicProbe())
        .Add(new DiskProbe())
        .Add(new LbProbeProbe())
        .Add(new MirrorProbe())
        .Add(new MirrorConnectProbe())
        .Add(new Aws.AwsVipProbe(aws))
        .Add(new Aws.AwsEipProbe(aws))
        .Add(new Aws.AwsSipProbe(aws))
        .Add(new Aws.AwsDnsProbe(aws))
        .Add(new Aws.AwsAzProbe(aws));

    /// <summary>Registers (or replaces) the probe for its type; returns this registry for chaining.</summary>
    public MonitorProbeRegistry Add(IMonitorProbe probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        _probes[probe.Type] = probe;
        return this;
    }

    public bool Has(string type) => _probes.ContainsKey(type);

    public IReadOnlyCollection<string> Types => _probes.Keys;

    public bool TryGet(string type, out IMonitorProbe probe) => _probes.TryGetValue(type, out probe!);

    public IMonitorProbe? Find(string type) => _probes.GetValueOrDefault(type);

    /// <summary>The probe for the type; KeyNotFoundException naming the type when this build has none.</summary>
    public IMonitorProbe Get(string type)
        => Find(type) ?? throw new KeyNotFoundException($"no probe for monitor type '{type}' in this build");
}
