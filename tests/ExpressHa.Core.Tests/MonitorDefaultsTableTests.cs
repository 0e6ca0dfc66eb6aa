using ExpressHa.Config;
using ExpressHa.Schema;

namespace ExpressHa.Core.Tests;

/// <summary>docs/monitor-defaults.md against the schema: every monitor type has one row, the ExpressHa half of every cell
/// is what SchemaRegistry.NewMonitor gives, and a manual value that differs from ours carries a note.</summary>
public class MonitorDefaultsTableTests
{
    const string TargetName = "r1";

    static readonly string[] Columns =
    {
        "type", "manual's monitor", "target", "interval s", "timeout s", "retry", "timing", "start wait s",
        "recovery target", "restarts", "failovers", "final action", "onApiFailure",
    };

    /// <summary>The rows of the table under "## Defaults", keyed by column name.</summary>
    static List<Dictionary<string, string>> Rows()
    {
        var lines = File.ReadAllLines(Path.Combine(TestUtil.RepoRoot(), "docs", "monitor-defaults.md"));
        var table = lines.SkipWhile(l => l.Trim() != "## Defaults").Skip(1)
            .SkipWhile(l => !l.StartsWith('|')).TakeWhile(l => l.StartsWith('|')).ToList();
        Assert.True(table.Count > 2, "docs/monitor-defaults.md has no table under '## Defaults'");
        var header = Cells(table[0]);
        Assert.Equal(Columns, header);
        return table.Skip(2).Select(l => header.Zip(Cells(l)).ToDictionary(p => p.First, p => p.Second)).ToList();
    }

    static string[] Cells(string line) => line.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();

    /// <summary>"ours / manual" → (ours, manual or null for "—"); a cell without "/" is ours alone.</summary>
    static (string Ours, string? Manual) Split(string cell)
    {
        var parts = cell.Split(" / ");
        var manual = parts.Length > 1 ? parts[1].Trim() : null;
        return (parts[0].Trim(), manual == "—" ? null : manual);
    }

    static string Expected(MonitorConfig m, string column) => column switch
    {
        "interval s" => m.IntervalSeconds.ToString(),
        "timeout s" => m.TimeoutSeconds.ToString(),
        "retry" => m.Retry.ToString(),
        "timing" => m.Timing,
        "start wait s" => m.StartWaitSeconds.ToString(),
        "recovery target" => m.Recovery.Target == null ? "local" : m.Recovery.Target == m.Target ? "target" : m.Recovery.Target,
        "restarts" => m.Recovery.Restarts.ToString(),
        "failovers" => m.Recovery.Failovers.ToString(),
        "final action" => m.Recovery.FinalAction,
        "onApiFailure" => m.OnApiFailure ?? "n/a",
        _ => throw new ArgumentException(column),
    };

    [Fact]
    public void Table_has_one_row_per_monitor_type()
    {
        Assert.Equal(SchemaRegistry.MonitorTypeNames.OrderBy(n => n), Rows().Select(r => r["type"]).OrderBy(n => n));
    }

    [Fact]
    public void Table_values_are_the_schema_defaults()
    {
        foreach (var row in Rows())
        {
            var type = row["type"];
            var schema = SchemaRegistry.FindMonitor(type)!;
            var target = row["target"];
            var expectedTarget = schema.TargetTypes.Length == 0 ? new[] { "none", "any" } : new[] { string.Join(", ", schema.TargetTypes) };
            Assert.True(expectedTarget.Contains(target), $"{type}: target '{target}' should be one of {string.Join(", ", expectedTarget)}");
            var m = SchemaRegistry.NewMonitor("m1", type, target == "none" ? null : TargetName);
            foreach (var column in Columns.Skip(3))
            {
                var (ours, manual) = Split(row[column]);
                Assert.True(Expected(m, column) == ours, $"{type}, {column}: the table says {ours}, the schema gives {Expected(m, column)}");
                Assert.True(manual == null || manual == ours || row[column].Contains('['),
                    $"{type}, {column}: the manual's {manual} differs from ours ({ours}) without a note");
            }
        }
    }

    [Fact]
    public void A_monitor_without_a_target_runs_always_and_recovers_the_local_server()
    {
        foreach (var type in new[] { "process", "http", "custom" })
        {
            var m = SchemaRegistry.NewMonitor("m1", type, null);
            Assert.Equal(MonitorTimings.Always, m.Timing);
            Assert.Null(m.Recovery.Target);
            Assert.Equal(0, m.Recovery.Restarts);
        }
    }
}
