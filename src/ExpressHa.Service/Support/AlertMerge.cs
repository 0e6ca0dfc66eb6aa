using System.Globalization;
using ExpressHa.Api;

namespace ExpressHa.Service.Support;

/// <summary>Merges the alert lists of several nodes into one, oldest first. Nodes' clocks are assumed in sync (as
/// for any log correlation); equal times keep node order, then each node's own order.</summary>
public static class AlertMerge
{
    public static List<AlertEntry> Merge(IEnumerable<IEnumerable<AlertEntry>> perNode, int? last = null)
    {
        var merged = perNode
            .SelectMany((list, nodeIndex) => list.Select((e, i) => (Entry: e, Time: ParseTime(e.Time), nodeIndex, i)))
            .OrderBy(x => x.Time).ThenBy(x => x.Entry.Node, StringComparer.Ordinal).ThenBy(x => x.nodeIndex).ThenBy(x => x.i)
            .Select(x => x.Entry)
            .ToList();
        return last is int n && n < merged.Count ? merged.GetRange(merged.Count - n, n) : merged;
    }

    /// <summary>An unreadable time sorts first rather than failing the whole list.</summary>
    public static DateTimeOffset ParseTime(string text)
        => DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : DateTimeOffset.MinValue;
}
