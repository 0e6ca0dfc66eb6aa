using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using ExpressHa.Policy;

namespace ExpressHa.Service.Api;

/// <summary>The JSON the API speaks: camelCase names, enums as camelCase strings, plan actions tagged by "kind".</summary>
public static class ApiJson
{
    /// <summary>For writing, and for reading answers from peers (unknown fields ignored: a newer peer may add some).</summary>
    public static JsonSerializerOptions Options { get; } = Create(strict: false);

    /// <summary>For reading request bodies: unknown fields, missing required fields and nulls where none is allowed are errors.</summary>
    public static JsonSerializerOptions Strict { get; } = Create(strict: true);

    static JsonSerializerOptions Create(bool strict)
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { PlanActionKinds.Configure } },
            AllowOutOfOrderMetadataProperties = true,
            MaxDepth = 32,
            RespectNullableAnnotations = strict,
            RespectRequiredConstructorParameters = strict,
            UnmappedMemberHandling = strict ? JsonUnmappedMemberHandling.Disallow : JsonUnmappedMemberHandling.Skip,
        };
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }
}

/// <summary>The one registration list of plan action kinds on the wire ({"kind": "startResource", "node": ...}).
/// A new <see cref="PlanAction"/> subtype needs one line here; a test fails while any concrete subtype is missing.</summary>
public static class PlanActionKinds
{
    public static IReadOnlyList<(Type Type, string Kind)> All { get; } =
    [
        (typeof(StartResource), "startResource"),
        (typeof(StopResource), "stopResource"),
        (typeof(SetGroupState), "setGroupState"),
        (typeof(WaitForNodeDown), "waitForNodeDown"),
        (typeof(FenceNode), "fenceNode"),
        (typeof(RunFinalAction), "runFinalAction"),
        (typeof(RecordCounter), "recordCounter"),
        (typeof(RaiseAlert), "raiseAlert"),
        (typeof(Runtime.SetMonitorSuspended), "setMonitorSuspended"),
        (typeof(Runtime.SetServiceState), "setServiceState"),
        (typeof(Runtime.SetMonitorPseudoFailure), "setMonitorPseudoFailure"),
        (typeof(Runtime.KillService), "killService"),
    ];

    public const string Discriminator = "kind";

    internal static void Configure(JsonTypeInfo info)
    {
        if (info.Type != typeof(PlanAction)) return;
        info.PolymorphismOptions = new JsonPolymorphismOptions
        {
            TypeDiscriminatorPropertyName = Discriminator,
            UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization,
            IgnoreUnrecognizedTypeDiscriminators = false,
        };
        foreach (var (type, kind) in All) info.PolymorphismOptions.DerivedTypes.Add(new JsonDerivedType(type, kind));
    }
}
