using System.Reflection;
using System.Text.RegularExpressions;
using ExpressHa.Api;

namespace ExpressHa.Core.Tests.Contract;

/// <summary>The error-id catalog follows the convention: "ExpressHa." + a PascalCase name that says what went wrong
/// (never an exception type's name), each id once, named by its field.</summary>
public class ErrorCodeTests
{
    internal static IReadOnlyList<(string Field, string Id)> Catalog()
        => typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.Name != nameof(ErrorCodes.Prefix))
            .Select(f => (f.Name, (string)f.GetRawConstantValue()!)).ToList();

    [Fact]
    public void Ids_are_unique()
    {
        var ids = Catalog().Select(c => c.Id).ToList();
        Assert.True(ids.Count > 60, $"only {ids.Count} ids");
        Assert.Empty(ids.GroupBy(i => i, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key));
    }

    [Fact]
    public void Ids_follow_the_convention()
    {
        foreach (var (field, id) in Catalog())
        {
            Assert.Matches(new Regex("^ExpressHa\\.[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)*$"), id);
            Assert.Equal(ErrorCodes.Prefix + field, id);
            Assert.DoesNotContain("Exception", id);
        }
    }

    [Theory]
    [InlineData("ExpressHa.ConfigInvalid")]
    [InlineData("ExpressHa.GroupNotFound")]
    [InlineData("ExpressHa.Unauthorized")]
    [InlineData("ExpressHa.MirrorNoPrimary")]
    [InlineData("ExpressHa.ImdsUnavailable")]
    public void Shipped_ids_are_in_the_catalog(string id) => Assert.Contains(Catalog(), c => c.Id == id);

    [Theory]
    [InlineData(400, "ExpressHa.BadRequest")]
    [InlineData(401, "ExpressHa.Unauthorized")]
    [InlineData(403, "ExpressHa.Forbidden")]
    [InlineData(404, "ExpressHa.NotFound")]
    [InlineData(409, "ExpressHa.Conflict")]
    [InlineData(413, "ExpressHa.PayloadTooLarge")]
    [InlineData(500, "ExpressHa.InternalError")]
    [InlineData(502, "ExpressHa.InternalError")]
    public void A_status_without_a_code_gets_the_catalog_id(int status, string id) => Assert.Equal(id, ErrorCodes.ForStatus(status));

    /// <summary>The help, the docs and the Pester suite name only ids that exist (project and namespace names aside).</summary>
    [Fact]
    public void Help_docs_and_pester_name_only_catalog_ids()
    {
        var root = TestUtil.RepoRoot();
        string[] notIds = ["AwsLocal", "Cmdlets", "Core", "Service", "ModuleLoader", "Demo", "TestSupport", "Testing", "Pester", "Policy", "MirrorBench", "NetnsBench"];
        var files = new[] { "module", "docs", Path.Combine("tests", "Pester") }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(root, d), "*", SearchOption.AllDirectories))
            .Where(f => f.EndsWith(".md") || f.EndsWith(".txt") || f.EndsWith(".ps1") || f.EndsWith(".xml")).Append(Path.Combine(root, "README.md")).ToList();
        var ids = Catalog().Select(c => c.Id).ToHashSet();
        var named = files.SelectMany(f => Regex.Matches(File.ReadAllText(f), @"ExpressHa\.([A-Z][A-Za-z]+)\b(?![.\w])").Select(m => (File: Path.GetRelativePath(root, f), Name: m.Groups[1].Value)))
            .Where(x => !notIds.Contains(x.Name)).ToList();
        Assert.True(named.Select(x => x.Name).Distinct().Count() >= 20, "the scan found almost no ids");
        var unknown = named.Where(x => !ids.Contains(ErrorCodes.Prefix + x.Name)).Select(x => $"{x.File}: ExpressHa.{x.Name}").Distinct().ToList();
        Assert.True(files.Count > 20, $"only {files.Count} files read");
        Assert.True(unknown.Count == 0, "ids not in the catalog:\n" + string.Join("\n", unknown));
    }
}
