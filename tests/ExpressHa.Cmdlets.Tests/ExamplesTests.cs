
namespace ExpressHa.Cmdlets.Tests;

/// <summary>Every script under examples/ builds its cluster with the cmdlets, and the YAML committed beside it is exactly
/// what the script produces: valid, and stable through an import and a re-export.
/// Set EXPRESSHA_UPDATE_EXAMPLES=1 to rewrite the committed YAML from the scripts (then review the diff).</summary>
public class ExamplesTests
{
    static readonly string[] ExpectedDesigns =
    {
        "aws-vip", "aws-eip", "aws-sip", "aws-dns", "aws-dns-directconnect", "aws-nlb", "onprem-floatip-mirror",
    };

    static bool UpdateMode => Environment.GetEnvironmentVariable("EXPRESSHA_UPDATE_EXAMPLES") == "1";

    /// <summary>The example scripts, as paths relative to examples/ with '/' separators (stable test case names).</summary>
    public static TheoryData<string> Scripts()
    {
        var data = new TheoryData<string>();
        foreach (var script in AllScripts()) data.Add(Relative(script));
        return data;
    }

    static IEnumerable<string> AllScripts()
        => Directory.Exists(Repo.Examples)
            ? Directory.EnumerateFiles(Repo.Examples, "*.ps1", SearchOption.AllDirectories).OrderBy(p => p, StringComparer.Ordinal)
            : Enumerable.Empty<string>();

    static string Relative(string path) => Path.GetRelativePath(Repo.Examples, path).Replace(Path.DirectorySeparatorChar, '/');

    static string Full(string relative) => Path.Combine(Repo.Examples, relative.Replace('/', Path.DirectorySeparatorChar));

    static string YamlBeside(string script) => Path.ChangeExtension(script, ".yaml");

    /// <summary>A single-quoted PowerShell string literal.</summary>
    static string Quote(string text) => "'" + text.Replace("'", "''") + "'";

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script_builds_the_committed_config_which_validates_and_round_trips(string example)
    {
        var script = Full(example);
        var committed = YamlBeside(script);
        using var s = new PsSession();
        var produced = Path.Combine(s.TempDir, "produced.yaml");

        var run = s.Run($"& {Quote(script)} -OutPath {Quote(produced)}");
        run.Ok();
        Assert.True(File.Exists(produced), $"{example} wrote nothing to -OutPath");
        Assert.Empty(run.Warnings);

        if (UpdateMode) File.Copy(produced, committed, overwrite: true);
        Assert.True(File.Exists(committed), $"{Relative(committed)} is missing; run the script (or the tests with EXPRESSHA_UPDATE_EXAMPLES=1) and commit the YAML");
        var expected = File.ReadAllBytes(committed);
        var actual = File.ReadAllBytes(produced);
        Assert.True(expected.SequenceEqual(actual),
            $"{example} produced a config that differs from the committed {Relative(committed)}; regenerate it (EXPRESSHA_UPDATE_EXAMPLES=1) and review the diff.\n"
            + FirstDifference(File.ReadAllText(committed), File.ReadAllText(produced)));

        // The committed file reads back, has no findings at all (not even warnings: examples are meant to be copied),
        // and writes back byte for byte.
        var again = Path.Combine(s.TempDir, "reexported.yaml");
        var check = s.Run($@"
            $config = Import-HaClusterConfig -Path {Quote(committed)}
            Test-HaClusterConfig -InputObject $config -Quiet
            $config | Export-HaClusterConfig -Path {Quote(again)}").Ok();
        Assert.Equal(true, check.Single());

        var findings = s.Run($"Test-HaClusterConfig -Path {Quote(committed)}").Ok().Output.Select(o => o.ToString()).ToList();
        Assert.True(findings.Count == 0, $"{Relative(committed)} has findings:\n" + string.Join("\n", findings));

        Assert.True(expected.SequenceEqual(File.ReadAllBytes(again)),
            $"re-exporting {Relative(committed)} changed it:\n" + FirstDifference(File.ReadAllText(committed), File.ReadAllText(again)));
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script_follows_the_example_conventions(string example)
    {
        var script = Full(example);
        var name = Path.GetFileNameWithoutExtension(script);
        var folder = Path.GetFileName(Path.GetDirectoryName(script)!);
        Assert.Equal(folder, name);
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(script)!, "README.md")), $"examples/{folder} has no README.md");

        // -OutPath defaults to the YAML beside the script, without Join-Path (not every host has Microsoft.PowerShell.Management).
        var ast = System.Management.Automation.Language.Parser.ParseFile(script, out _, out var errors);
        Assert.Empty(errors);
        var outPath = Assert.Single(ast.ParamBlock!.Parameters, p => p.Name.VariablePath.UserPath == "OutPath");
        Assert.Contains(Quote(name + ".yaml"), outPath.DefaultValue!.Extent.Text);
    }

    [Fact]
    public void Every_example_script_has_its_yaml_beside_it()
    {
        var scripts = AllScripts().ToList();
        Assert.NotEmpty(scripts);
        var missing = scripts.Where(p => !File.Exists(YamlBeside(p))).Select(Relative).ToList();
        Assert.True(missing.Count == 0, "example scripts without the YAML they produce: " + string.Join(", ", missing));

        var orphans = Directory.EnumerateFiles(Repo.Examples, "*.yaml", SearchOption.AllDirectories)
            .Where(y => !File.Exists(Path.ChangeExtension(y, ".ps1"))).Select(Relative).ToList();
        Assert.True(orphans.Count == 0, "YAML files under examples/ that no script produces: " + string.Join(", ", orphans));
    }

    [Fact]
    public void Every_design_has_an_example_listed_in_the_index()
    {
        var index = File.ReadAllText(Path.Combine(Repo.Examples, "README.md"));
        foreach (var design in ExpectedDesigns)
        {
            Assert.True(File.Exists(Path.Combine(Repo.Examples, design, design + ".ps1")), $"examples/{design}/{design}.ps1 is missing");
            Assert.Contains($"({design}/)", index);
        }
        foreach (var script in AllScripts())
            Assert.Contains($"({Path.GetFileNameWithoutExtension(script)}/)", index);
    }

    static string FirstDifference(string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (int i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            var x = i < e.Length ? e[i] : "<end of file>";
            var y = i < a.Length ? a[i] : "<end of file>";
            if (x != y) return $"first difference at line {i + 1}:\n  committed: {x}\n  produced:  {y}";
        }
        return "the files differ only in line endings or encoding";
    }
}
