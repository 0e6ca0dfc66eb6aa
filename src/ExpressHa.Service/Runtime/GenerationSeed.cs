namespace ExpressHa.Service.Runtime;

/// <summary>Where a node's ownership generations start after a restart: the highest generation its ownership journal
/// recorded for each group. Without it a restart of every node would start counting at 1 again, and an old record
/// (in a journal, a log or a peer that comes back late) could look as new as the next owner's.</summary>
public static class GenerationSeed
{
    /// <summary>Group → highest generation among <paramref name="records"/> (groups with only generation 0 left out).</summary>
    public static Dictionary<string, long> Highest(IEnumerable<OwnershipRecord> records)
    {
        var highest = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var r in records)
            if (r.Generation > 0 && (!highest.TryGetValue(r.Group, out var h) || r.Generation > h))
                highest[r.Group] = r.Generation;
        return highest;
    }

    /// <summary>The generation the next ownership of <paramref name="group"/> takes: one above both the newest
    /// generation any node reports for it and the highest any node's journal holds for it.</summary>
    public static long Next(long newestReported, IEnumerable<IReadOnlyDictionary<string, long>?> journals, string group)
    {
        var floor = newestReported;
        foreach (var j in journals)
            if (j != null && j.TryGetValue(group, out var g) && g > floor) floor = g;
        return floor + 1;
    }
}
