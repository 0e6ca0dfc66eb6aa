namespace ExpressHa.Service.Resources;

/// <summary>Resource drivers by type name. A new type is one <see cref="IResourceDriver"/> class plus one
/// <c>.Add(new XResource())</c> line in <see cref="Default"/>.</summary>
public sealed class ResourceDriverRegistry
{
    readonly Dictionary<string, IResourceDriver> _drivers = new(StringComparer.Ordinal);

    /// <summary>The drivers this build ships, the AWS ones with clients from the given factory (lazily created, cached per config).</summary>
    public static ResourceDriverRegistry Default(Func<ExpressHa.Config.ClusterConfig, ExpressHa.Service.Aws.IAwsClients> awsClients) =>
        Default(new Aws.AwsClientsProvider(awsClients));

    /// <summary>What this build ships, the AWS types sharing the node's one clients provider (built by NodeComposition).</summary>
    public static ResourceDriverRegistry Default(Aws.AwsClientsProvider aws) => new ResourceDriverRegistry()
        .Add(new ExecResource())
        .Add(new FloatIpResource())
        .Add(new LbProbeResource())
        .Add(new MirrorResource())
        .Add(new Aws.AwsVipResource(aws))
        .Add(new Aws.AwsEipResource(aws))
        .Add(new Aws.AwsSipResource(aws))
        .Add(new Aws.AwsDnsResource(aws));

    /// <summary>Registers (or replaces) the driver for its type; returns this registry for chaining.</summary>
    public ResourceDriverRegistry Add(IResourceDriver driver)
    {
        ArgumentNullException.ThrowIfNull(driver);
        _drivers[driver.Type] = driver;
        return this;
    }

    public bool Has(string type) => _drivers.ContainsKey(type);

    public IReadOnlyCollection<string> Types => _drivers.Keys;

    public bool TryGet(string type, out IResourceDriver driver) => _drivers.TryGetValue(type, out driver!);

    public IResourceDriver? Find(string type) => _drivers.GetValueOrDefault(type);

    /// <summary>The driver for the type; a ResourceException (code 99) when this build has none.</summary>
    public IResourceDriver Get(string type)
        => Find(type) ?? throw new ResourceException(ResourceErrorCodes.Internal, $"no driver for resource type '{type}' in this build");
}
