using System.Text;
using ExpressHa.Config;
using ExpressHa.Validation;
using ExpressHa.Yaml;
using Xunit.Abstractions;

namespace ExpressHa.Core.Tests;

/// <summary>Generated bad input: mutated copies of the repository's examples and of the embedded seeds. Each one must either
/// be rejected with ConfigParseException or be read, validated and written without any other exception.</summary>
public class MutationFuzzTests
{
    const int BaseSeed = 20261125;
    const int Cases = 3000;

    readonly ITestOutputHelper _out;
    public MutationFuzzTests(ITestOutputHelper output) { _out = output; }

    static readonly string[] Kinds =
    {
        "0", "-1", "2147483648", "99999999999999999999", "1.5", "true", "false", "null", "~", "''", "\"\"", "[]", "{}", "[a, [b]]",
        "{ a: 1, b: [2] }", "10.0.0.256", "10.0.3.4", "10.0.0.0/33", "eni-", "i-XYZ", "vpc-0", "Z", "APP.Example.", "-", "&anchor x", "*alias",
        "!!binary aGVsbG8=", "!custom x", "\"\\u0000\"", "'multi\n  line'", "|\n  block", ">", "ünïcödé", "server1", "server2", "failover1",
        "awsvip1", "local", "a -> b", "x: y", "#", "%", "@", "`", new string('a', 300),
    };

    static readonly string[] TypeNames = SchemaRegistryNames();

    static string[] SchemaRegistryNames() => Schema.SchemaRegistry.ResourceTypeNames.Concat(Schema.SchemaRegistry.MonitorTypeNames)
        .Concat(new[] { "awsvpi", "Exec", "", "floatIP", "nonsense" }).Distinct().ToArray();

    /// <summary>Whole characters (the emoji stays one text element: a file read as UTF-8 never holds half a surrogate pair).</summary>
    static readonly string[] RandomChars = { ":", "{", "}", "[", "]", "-", "#", "&", "*", "!", "|", ">", "'", "\"", "%", "@", "`", ",", "?",
        "\t", "\r", "\n", " ", "\\", "\u00a0", "\u2028", "\ufeff", "\u0000", "\u0007", "é", "漢", "😀" };

    static IEnumerable<(string Name, string Text)> Inputs()
    {
        for (int i = 0; i < SeedConfigs.All.Length; i++) yield return ($"seed{i}", SeedConfigs.All[i]);
        var root = RepoRoot();
        if (root == null) yield break;
        var examples = Path.Combine(root, "examples");
        if (!Directory.Exists(examples)) yield break;
        foreach (var f in Directory.EnumerateFiles(examples, "*.*", SearchOption.AllDirectories)
                     .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
                     .OrderBy(f => f, StringComparer.Ordinal))
            yield return (Path.GetRelativePath(root, f), File.ReadAllText(f));
    }

    internal static string? RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "ExpressHa.slnx"))) return d.FullName;
        return null;
    }

    [Fact]
    public void Repo_root_is_found()
    {
        Assert.NotNull(RepoRoot());
    }

    [Fact]
    public void Unmutated_inputs_read_and_validate()
    {
        foreach (var (name, text) in Inputs())
        {
            var outcome = Run(text);
            _out.WriteLine($"{name}: {outcome}");
        }
    }

    [Fact]
    public void Mutated_documents_never_crash()
    {
        var inputs = Inputs().ToList();
        int parseErrors = 0, withFindings = 0, withValidatorFindings = 0, clean = 0;
        var byOp = new Dictionary<string, int>();
        for (int i = 0; i < Cases; i++)
        {
            var seed = BaseSeed + i;
            var rnd = new Random(seed);
            var (name, original) = inputs[rnd.Next(inputs.Count)];
            var text = original;
            var ops = new List<string>();
            var count = 1 + rnd.Next(3);
            for (int k = 0; k < count; k++) { var (t, op) = Mutate(rnd, text); text = t; ops.Add(op); }
            string outcome;
            try
            {
                outcome = Run(text);
            }
            catch (Exception ex)
            {
                Assert.Fail($"seed {seed} (input {name}, mutations {string.Join(", ", ops)}) threw {ex}\n--- document ---\n{text}\n--- end ---");
                return;
            }
            foreach (var op in ops) byOp[op] = byOp.GetValueOrDefault(op) + 1;
            switch (outcome)
            {
                case "parse": parseErrors++; break;
                case "clean": clean++; break;
                case "validator": withValidatorFindings++; withFindings++; break;
                default: withFindings++; break;
            }
        }
        _out.WriteLine($"{Cases} cases: {parseErrors} parse errors, {withFindings} with findings ({withValidatorFindings} from the validator), {clean} clean");
        _out.WriteLine(string.Join(", ", byOp.OrderBy(e => e.Key).Select(e => $"{e.Key}={e.Value}")));
        Assert.True(parseErrors >= Cases / 20, $"only {parseErrors} parse errors");
        Assert.True(withFindings >= Cases / 4, $"only {withFindings} mutated documents gave findings");
        Assert.True(withValidatorFindings >= Cases / 10, $"only {withValidatorFindings} mutated documents gave validator findings");
    }

    /// <summary>parse, clean, reader (only reader findings) or validator (validator findings).</summary>
    static string Run(string text)
    {
        ConfigReadResult read;
        try { read = ConfigYamlReader.Read(text, "fuzz.yaml"); }
        catch (ConfigParseException ex)
        {
            Assert.True(ex.Line >= 1 && ex.Column >= 1, $"parse error without a position: {ex.Message}");
            return "parse";
        }
        var findings = ConfigValidator.Validate(read.Config);
        foreach (var f in findings)
        {
            Assert.False(string.IsNullOrEmpty(f.Path), $"finding without a path: {f}");
            Assert.False(string.IsNullOrEmpty(f.Message), $"finding without a message: {f}");
            Assert.False(string.IsNullOrEmpty(f.Fix), $"finding without a fix: {f}");
        }
        var merged = ConfigValidator.Validate(read, "fuzz.yaml");
        Assert.True(merged.Count <= read.Findings.Count + findings.Count);
        var written = ConfigYamlWriter.Write(read.Config);
        Assert.Equal(written, ConfigYamlWriter.Write(read.Config));
        if (findings.Count > 0) return "validator";
        return read.Findings.Count > 0 ? "reader" : "clean";
    }

    /// <summary>Moves a cut point off the middle of a surrogate pair.</summary>
    static int StartOfChar(StringBuilder sb, int at) => at > 0 && at < sb.Length && char.IsLowSurrogate(sb[at]) ? at - 1 : at;
    static int StartOfChar(string s, int at) => at > 0 && at < s.Length && char.IsLowSurrogate(s[at]) ? at - 1 : at;

    static (string Text, string Op) Mutate(Random rnd, string text)
    {
        var lines = text.Split('\n').ToList();
        int L() => rnd.Next(Math.Max(lines.Count, 1));
        string Join() => string.Join("\n", lines);
        switch (rnd.Next(12))
        {
            case 0:
                if (lines.Count > 1) lines.RemoveAt(L());
                return (Join(), "delete-line");
            case 1:
            {
                var i = L();
                lines.Insert(i, lines[i]);
                return (Join(), "duplicate-line");
            }
            case 2:
            {
                int a = L(), b = L();
                (lines[a], lines[b]) = (lines[b], lines[a]);
                return (Join(), "swap-lines");
            }
            case 3:
            {
                var i = L();
                var delta = rnd.Next(-4, 5);
                lines[i] = delta >= 0 ? new string(' ', delta) + lines[i] : lines[i].Substring(Math.Min(-delta, lines[i].Length - lines[i].TrimStart(' ').Length));
                return (Join(), "indent");
            }
            case 4:
            case 5:
            {
                // replace a scalar value with a value of another kind
                var candidates = Enumerable.Range(0, lines.Count).Where(i => lines[i].Contains(": ")).ToList();
                if (candidates.Count == 0) return (text, "scalar-none");
                var li = candidates[rnd.Next(candidates.Count)];
                var line = lines[li];
                var colons = Enumerable.Range(0, line.Length - 1).Where(p => line[p] == ':' && line[p + 1] == ' ').ToList();
                var at = colons[rnd.Next(colons.Count)] + 2;
                var end = at;
                while (end < line.Length && line[end] != ',' && line[end] != '}' && line[end] != ']') end++;
                lines[li] = line.Substring(0, at) + Kinds[rnd.Next(Kinds.Length)] + line.Substring(end);
                return (Join(), "replace-scalar");
            }
            case 6:
                return (text.Substring(0, StartOfChar(text, rnd.Next(text.Length + 1))), "truncate");
            case 7:
            {
                var sb = new StringBuilder(text);
                var n = 1 + rnd.Next(4);
                for (int k = 0; k < n; k++) sb.Insert(StartOfChar(sb, rnd.Next(sb.Length + 1)), RandomChars[rnd.Next(RandomChars.Length)]);
                return (sb.ToString(), "insert-chars");
            }
            case 8:
            {
                // raw bytes into the UTF-8 file, decoded as File.ReadAllText would (invalid sequences become U+FFFD)
                var bytes = Encoding.UTF8.GetBytes(text).ToList();
                var n = 1 + rnd.Next(6);
                for (int k = 0; k < n; k++) bytes.Insert(rnd.Next(bytes.Count + 1), (byte)rnd.Next(0, 256));
                return (Encoding.UTF8.GetString(bytes.ToArray()), "insert-bytes");
            }
            case 9:
            {
                var candidates = Enumerable.Range(0, lines.Count).Where(i => lines[i].Contains("type: ")).ToList();
                if (candidates.Count == 0) return (text, "type-none");
                var li = candidates[rnd.Next(candidates.Count)];
                var line = lines[li];
                var at = line.IndexOf("type: ", StringComparison.Ordinal) + 6;
                var end = at;
                while (end < line.Length && char.IsLetterOrDigit(line[end])) end++;
                lines[li] = line.Substring(0, at) + TypeNames[rnd.Next(TypeNames.Length)] + line.Substring(end);
                return (Join(), "change-type");
            }
            case 10:
            {
                // rename a key: swap two neighbouring letters
                var candidates = Enumerable.Range(0, lines.Count).Where(i => lines[i].Contains(':')).ToList();
                if (candidates.Count == 0) return (text, "key-none");
                var li = candidates[rnd.Next(candidates.Count)];
                var line = lines[li];
                var colon = line.IndexOf(':');
                var start = colon;
                while (start > 0 && char.IsLetterOrDigit(line[start - 1])) start--;
                if (colon - start < 2) return (text, "key-none");
                var p = start + rnd.Next(colon - start - 1);
                var key = line.Substring(start, colon - start).ToCharArray();
                var rel = p - start;
                (key[rel], key[rel + 1]) = (key[rel + 1], key[rel]);
                lines[li] = line.Substring(0, start) + new string(key) + line.Substring(colon);
                return (Join(), "rename-key");
            }
            default:
            {
                // move a name to another entity: duplicates and dangling references
                var names = lines.Where(l => l.Contains("name: ")).Select(l => l.Substring(l.IndexOf("name: ", StringComparison.Ordinal) + 6).Split(',', '}')[0].Trim()).Where(s => s.Length > 0).Distinct().ToList();
                var candidates = Enumerable.Range(0, lines.Count).Where(i => lines[i].Contains("name: ") || lines[i].Contains("target: ") || lines[i].Contains("dependsOn: ") || lines[i].Contains("servers: ")).ToList();
                if (names.Count == 0 || candidates.Count == 0) return (text, "name-none");
                var li = candidates[rnd.Next(candidates.Count)];
                var line = lines[li];
                var at = line.IndexOf(": ", StringComparison.Ordinal) + 2;
                var end = at;
                while (end < line.Length && line[end] != ',' && line[end] != '}' && line[end] != ' ' ) end++;
                var name = names[rnd.Next(names.Count)];
                lines[li] = line.Substring(0, at) + (line.Length > at && line[at] == '[' ? "[" + name + "]" : name) + line.Substring(end);
                return (Join(), "move-name");
            }
        }
    }
}
