using System.Text.Json;
using ExpressHa.Service.Alerts;
using ExpressHa.Policy;

namespace ExpressHa.Service.Runtime;

/// <summary>One line of <c>ownership.jsonl</c>: a group's state on this node changed (time in UTC, the group's
/// ownership generation after the change, the owner the plan recorded, and where it goes next when it is stopped to move).</summary>
public sealed record OwnershipRecord(string Time, string Node, string Group, string State, long Generation, string? Owner, string? Next = null);

/// <summary>The durable ownership history of a node: every group state change this node records (starting, online,
/// stopping, offline, failed), one JSON line per change in <c>ownership.jsonl</c> in the state directory, appended
/// and flushed at once. Read by fault-injection checkers and by people after an incident ("which node ran the group
/// under which generation, and when"). Writing never throws: a full disk must not stop a failover.</summary>
public sealed class OwnershipJournal
{
    public const string FileName = "ownership.jsonl";
    readonly string _path;
    readonly string _node;
    readonly object _gate = new();

    public OwnershipJournal(string stateDir, string node)
    {
        _path = Path.Combine(stateDir, FileName);
        _node = node;
    }

    /// <summary>Every record of the journal in <paramref name="stateDir"/>, oldest first; unreadable lines are skipped.</summary>
    public static IEnumerable<OwnershipRecord> Read(string stateDir)
    {
        var path = Path.Combine(stateDir, FileName);
        if (!File.Exists(path)) yield break;
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
        string? line;
        while ((line = reader.ReadLine()) != null)
        {
            OwnershipRecord? r = null;
            try { r = JsonSerializer.Deserialize<OwnershipRecord>(line, JsonOptions.Web); }
            catch (JsonException) { }
            if (r != null) yield return r;
        }
    }

    public void Record(string group, GroupState state, long generation, string? owner, string? next = null)
    {
        var line = JsonSerializer.Serialize(new OwnershipRecord(DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ"), _node, group,
            state.ToString().ToLowerInvariant(), generation, owner, next), JsonOptions.Web);
        try
        {
            lock (_gate) File.AppendAllText(_path, line + "\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>The last record of each group in the journal of <paramref name="stateDir"/> (none when there is no
    /// journal); a line that does not parse (a torn write) is skipped.</summary>
    public static IReadOnlyList<OwnershipRecord> LastRecords(string stateDir)
    {
        var path = Path.Combine(stateDir, FileName);
        var last = new Dictionary<string, OwnershipRecord>(StringComparer.Ordinal);
        IEnumerable<string> lines;
        try { lines = File.Exists(path) ? File.ReadAllLines(path) : Array.Empty<string>(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return Array.Empty<OwnershipRecord>(); }
        foreach (var line in lines)
        {
            OwnershipRecord? r;
            try { r = JsonSerializer.Deserialize<OwnershipRecord>(line, JsonOptions.Web); }
            catch (JsonException) { continue; }
            if (r != null) last[r.Group] = r;
        }
        return last.Values.ToList();
    }
}
