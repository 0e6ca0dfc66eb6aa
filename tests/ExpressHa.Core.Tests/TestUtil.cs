using ExpressHa.Config;
using ExpressHa.Validation;
using ExpressHa.Yaml;

namespace ExpressHa.Core.Tests;

internal static class TestUtil
{
    public static ClusterConfig Load(string yaml)
    {
        var r = ConfigYamlReader.Read(yaml);
        Assert.True(r.Findings.Count == 0, "reader findings: " + string.Join("\n", r.Findings));
        return r.Config;
    }

    public static ClusterConfig Aws() => Load(SeedConfigs.Aws);
    public static ClusterConfig OnPrem() => Load(SeedConfigs.OnPrem);
    public static ClusterConfig Minimal() => Load(SeedConfigs.Minimal);

    /// <summary>The checkout this test runs from (the folder of ExpressHa.slnx).</summary>
    public static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "ExpressHa.slnx"))) return d.FullName;
        throw new InvalidOperationException("no repo root above " + AppContext.BaseDirectory);
    }

    public static IReadOnlyList<ValidationFinding> Validate(ClusterConfig c) => ConfigValidator.Validate(c);

    public static string Dump(IEnumerable<ValidationFinding> findings)
        => string.Join("\n", findings.Select(f => $"[{f.Severity} {f.Code}] {f}"));

    /// <summary>Asserts a finding with this code and path exists and returns it.</summary>
    public static ValidationFinding Has(IReadOnlyList<ValidationFinding> findings, string code, string path)
    {
        var f = findings.FirstOrDefault(x => x.Code == code && x.Path == path);
        Assert.True(f != null, $"expected {code} at {path}; got:\n{Dump(findings)}");
        Assert.False(string.IsNullOrWhiteSpace(f!.Message));
        Assert.False(string.IsNullOrWhiteSpace(f.Fix));
        return f;
    }

    /// <summary>Validates and asserts exactly the expected finding is the only error.</summary>
    public static ValidationFinding Only(ClusterConfig c, string code, string path)
    {
        var findings = Validate(c);
        var errors = findings.Where(f => f.IsError).ToList();
        var f = Has(findings, code, path);
        Assert.True(errors.Count <= 1 || errors.All(e => e.Code == code && e.Path == path),
            $"expected only {code} at {path}; got:\n{Dump(findings)}");
        return f;
    }

    public static void NoErrors(ClusterConfig c)
    {
        var findings = Validate(c);
        Assert.True(!findings.Any(f => f.IsError), Dump(findings));
    }

    public static ResourceConfig Res(ClusterConfig c, string name) => c.FindResource(name, out _)!;
    public static MonitorConfig Mon(ClusterConfig c, string name) => c.FindMonitor(name)!;
}
