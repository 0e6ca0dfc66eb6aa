using System.Text.RegularExpressions;
using ExpressHa.Api;

namespace ExpressHa.Core.Tests.Contract;

/// <summary>The wire contract is written once, in Core: no source file spells an error id, a management API route or
/// an alert's module and id itself. Files still to be switched to the contract are listed; the list only shrinks.</summary>
public class InlineContractLiteralTests
{
    /// <summary>Files that still spell contract literals, each with the reason it may. Empty: the runtime and the mirror
    /// engine name the contract too.</summary>
    static readonly string[] Pending = [];

    static readonly string[] Contract = ["src/ExpressHa.Core/Api/ErrorCodes.cs", "src/ExpressHa.Core/Api/ApiRoutes.cs", "src/ExpressHa.Core/Api/AlertEvents.cs"];

    static readonly HashSet<string> Ids = typeof(ErrorCodes).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToHashSet();
    static readonly Regex StringLiteral = new("\"((?:[^\"\\\\]|\\\\.)*)\"");
    static readonly Regex InlineAlert = new(@"\.Alert\(\s*(?:""\w+""|AlertLevels\.\w+|[^,()]+\?[^,()]+)\s*,\s*(?:""\w+""|[\w.]+)\s*,\s*(?:\d+|[^,()]+\?\s*\d+\s*:\s*\d+)\s*,");

    static IEnumerable<(string Path, int Line, string What)> Findings()
    {
        var root = TestUtil.RepoRoot();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(root, file).Replace('\\', '/');
            if (rel.Contains("/obj/") || rel.Contains("/bin/") || Contract.Contains(rel)) continue;
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                var code = lines[i].TrimStart();
                if (code.StartsWith("//", StringComparison.Ordinal)) continue;
                foreach (Match m in StringLiteral.Matches(code))
                {
                    var s = m.Groups[1].Value;
                    if (Ids.Contains(s)) yield return (rel, i + 1, "error id " + s);
                    if (Regex.IsMatch(s, "^/?v1/") && !Regex.IsMatch(s, "^/?v1/(witness|health)")) yield return (rel, i + 1, "route " + s);
                }
                if (InlineAlert.IsMatch(code)) yield return (rel, i + 1, "alert id: " + code.Trim());
            }
        }
    }

    [Fact]
    public void Only_the_pending_files_spell_contract_literals()
    {
        var outside = Findings().Where(f => !Pending.Contains(f.Path)).Select(f => $"{f.Path}:{f.Line}: {f.What}").ToList();
        Assert.True(outside.Count == 0, "contract literals outside Core's contract:\n" + string.Join("\n", outside));
    }

    [Fact]
    public void Every_pending_file_still_has_something_to_switch()
    {
        var found = Findings().Select(f => f.Path).ToHashSet();
        Assert.Empty(Pending.Where(p => !found.Contains(p)));
    }

    [Fact]
    public void The_scan_sees_an_inline_alert_an_id_and_a_route()
    {
        Assert.Matches(InlineAlert, """Alerts.Alert("error", "pm", 9, $"x");""");
        Assert.Matches(InlineAlert, """Alerts.Alert(s.Failing ? "warning" : "info", "monitor", s.Failing ? 108 : 2,""");
        Assert.DoesNotMatch(InlineAlert, """_context.Alerts.Alert(level, _options.AlertModule, eventId, message);""");
        Assert.Contains(ErrorCodes.GroupNotFound, Ids);
    }
}
