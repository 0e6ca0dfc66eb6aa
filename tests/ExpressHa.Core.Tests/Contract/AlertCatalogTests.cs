using System.Reflection;
using System.Text.RegularExpressions;
using ExpressHa.Api;
using ExpressHa.Config;

namespace ExpressHa.Core.Tests.Contract;

public class AlertCatalogTests
{
    static IEnumerable<AlertEvent> Declared()
        => typeof(AlertEvents).GetNestedTypes().SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(f => f.FieldType == typeof(AlertEvent)).Select(f => (AlertEvent)f.GetValue(null)!);

    [Fact]
    public void Every_declared_event_is_in_the_list_once()
    {
        Assert.Equal(Declared().Count(), AlertEvents.All.Count);
        Assert.Equal(Declared().OrderBy(e => e.ToString()), AlertEvents.All.OrderBy(e => e.ToString()));
        Assert.Equal(AlertEvents.All.Count, AlertEvents.All.Distinct().Count());
    }

    [Fact]
    public void Ids_are_unique_within_a_module_and_families_overlap_nothing()
    {
        foreach (var module in AlertEvents.All.GroupBy(e => e.Module))
        {
            var events = module.OrderBy(e => e.Id).ToList();
            for (var i = 1; i < events.Count; i++)
                Assert.True(events[i].Id > events[i - 1].LastId, $"{events[i - 1]} and {events[i]} share an id");
        }
    }

    [Fact]
    public void Each_module_is_one_nested_class_and_every_event_carries_it()
    {
        foreach (var t in typeof(AlertEvents).GetNestedTypes())
        {
            var module = (string)t.GetField("Module")!.GetRawConstantValue()!;
            Assert.Matches("^[a-z]+$", module);
            Assert.All(t.GetFields().Where(f => f.FieldType == typeof(AlertEvent)), f => Assert.Equal(module, ((AlertEvent)f.GetValue(null)!).Module));
        }
        Assert.Equal(typeof(AlertEvents).GetNestedTypes().Length, AlertEvents.All.Select(e => e.Module).Distinct().Count());
    }

    [Fact]
    public void Levels_and_messages_are_set()
    {
        foreach (var e in AlertEvents.All)
        {
            Assert.Contains(e.Level, AlertLevels.All);
            Assert.False(string.IsNullOrWhiteSpace(e.Message), e.ToString());
            Assert.True(e.Id > 0 && e.LastId >= e.Id, e.ToString());
        }
    }

    /// <summary>The clash of np 9 (two events) is resolved: one event per id.</summary>
    [Fact]
    public void Np_9_and_10_are_two_events()
    {
        Assert.Equal(9, AlertEvents.Np.LossHandlingFailed.Id);
        Assert.Equal(10, AlertEvents.Np.RestartedFenceFailed.Id);
        Assert.Single(AlertEvents.All, e => e.Module == "np" && e.Id == 9);
    }

    [Fact]
    public void Matches_takes_the_module_and_the_id_or_the_family_range()
    {
        Assert.True(AlertEvents.Nm.NodeLost.Matches(new AlertEntry { Module = "nm", EventId = 2 }));
        Assert.False(AlertEvents.Nm.NodeLost.Matches(new AlertEntry { Module = "np", EventId = 2 }));
        Assert.True(AlertEvents.Monitor.Failed.Matches(new AlertEntry { Module = "monitor", EventId = 52 }));
        Assert.False(AlertEvents.Monitor.Failed.Matches(new AlertEntry { Module = "monitor", EventId = 152 }));
        Assert.True(AlertEvents.Monitor.Warning.Matches(new AlertEntry { Module = "monitor", EventId = AlertEvents.Monitor.PseudoFailureSetId }));
    }

    /// <summary>docs/alerts.md lists exactly the catalog: module, id (or range), level and message.</summary>
    [Fact]
    public void The_alerts_document_is_the_catalog()
    {
        var rows = File.ReadAllLines(Path.Combine(TestUtil.RepoRoot(), "docs", "alerts.md"))
            .Select(l => Regex.Match(l, @"^\| (\w+) \| ([\d-]+) \| (\w+) \| (.*) \|$")).Where(m => m.Success)
            .Select(m => $"{m.Groups[1].Value} {m.Groups[2].Value} {m.Groups[3].Value} {m.Groups[4].Value.Replace("\\|", "|")}").ToList();
        var catalog = AlertEvents.All.Select(e => $"{e.Module} {(e.IsFamily ? $"{e.Id}-{e.LastId}" : e.Id.ToString())} {e.Level} {e.Message}").ToList();
        Assert.Equal(catalog, rows);
    }
}
