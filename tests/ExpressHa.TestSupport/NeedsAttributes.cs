using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace ExpressHa.Testing;

/// <summary>A [Fact] that is skipped with the reason when the machine lacks what it needs (root, namespaces, tools),
/// and fails with that reason instead when EXPRESSHA_REQUIRE_ALL=1.</summary>
[XunitTestCaseDiscoverer("ExpressHa.Testing.NeedsFactDiscoverer", "ExpressHa.TestSupport")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class NeedsFactAttribute : FactAttribute
{
    public NeedsFactAttribute(Need needs, params string[] tools)
    {
        Missing = Requirements.Missing(needs, tools);
        if (Missing != null && !Requirements.RequireAll) Skip = Missing;
    }

    /// <summary>Null when the machine has everything, else the reason.</summary>
    public string? Missing { get; }
}

/// <summary>The <see cref="NeedsFactAttribute"/> of a [Theory].</summary>
[XunitTestCaseDiscoverer("ExpressHa.Testing.NeedsTheoryDiscoverer", "ExpressHa.TestSupport")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class NeedsTheoryAttribute : TheoryAttribute
{
    public NeedsTheoryAttribute(Need needs, params string[] tools)
    {
        Missing = Requirements.Missing(needs, tools);
        if (Missing != null && !Requirements.RequireAll) Skip = Missing;
    }

    public string? Missing { get; }
}

/// <summary>Under EXPRESSHA_REQUIRE_ALL=1 a test whose requirement is missing becomes a failing test case that says what
/// is missing, so that CI cannot skip silently; otherwise the attribute's Skip already holds the reason.</summary>
public sealed class NeedsFactDiscoverer(IMessageSink sink) : FactDiscoverer(sink)
{
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions options, ITestMethod method, IAttributeInfo attribute)
        => NeedsDiscovery.Failing(DiagnosticMessageSink, options, method, attribute) ?? base.Discover(options, method, attribute);
}

public sealed class NeedsTheoryDiscoverer(IMessageSink sink) : TheoryDiscoverer(sink)
{
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions options, ITestMethod method, IAttributeInfo attribute)
        => NeedsDiscovery.Failing(DiagnosticMessageSink, options, method, attribute) ?? base.Discover(options, method, attribute);
}

static class NeedsDiscovery
{
    public static IEnumerable<IXunitTestCase>? Failing(IMessageSink sink, ITestFrameworkDiscoveryOptions options, ITestMethod method, IAttributeInfo attribute)
    {
        var missing = attribute.GetNamedArgument<string?>("Missing");
        if (missing == null || !Requirements.RequireAll) return null;
        return [new ExecutionErrorTestCase(sink, options.MethodDisplayOrDefault(), options.MethodDisplayOptionsOrDefault(), method,
            $"{missing} ({Requirements.RequireAllVariable}=1: a missing requirement fails the test instead of skipping it)")];
    }
}
