using ExpressHa.Config;
using System.Text.Json;
using ExpressHa.Api;

namespace ExpressHa.Service.Alerts;

/// <summary>The structured alert log: JSON lines in the state directory (alerts.jsonl), echoed to stdout for journald,
/// kept in memory for the API. Thread-safe.</summary>
public sealed class AlertLog : IAlertSink, IDisposable
{
    public static readonly string[] Levels = AlertLevels.All;
    const int MemoryLimit = 5000;

    readonly string _node;
    readonly TextWriter _console;
    readonly StreamWriter _file;
    readonly List<AlertEntry> _entries = new();
    readonly object _gate = new();

    public AlertLog(string node, string stateDir, TextWriter console)
    {
        _node = node;
        _console = console;
        Directory.CreateDirectory(stateDir);
        var path = Path.Combine(stateDir, "alerts.jsonl");
        if (File.Exists(path))
            foreach (var line in File.ReadLines(path).TakeLast(MemoryLimit))
                if (TryParse(line) is AlertEntry e) _entries.Add(e);
        _file = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
    }

    /// <summary>Raised after each alert is recorded (SNS publishing hooks in here later).</summary>
    public event Action<AlertEntry>? Raised;

    public void Alert(string level, string module, int eventId, string message)
    {
        var entry = new AlertEntry
        {
            Time = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ"),
            Node = _node,
            Level = level,
            Module = module,
            EventId = eventId,
            Message = message,
        };
        lock (_gate)
        {
            _entries.Add(entry);
            if (_entries.Count > MemoryLimit) _entries.RemoveRange(0, _entries.Count - MemoryLimit);
            _file.WriteLine(JsonSerializer.Serialize(entry, JsonOptions.Web));
            _console.WriteLine($"{entry.Time} {level.ToUpperInvariant(),-7} {module}[{eventId}] {message}");
        }
        Raised?.Invoke(entry);
    }

    public void Log(string module, string message)
    {
        lock (_gate) _console.WriteLine($"{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} {module}: {message}");
    }

    public IReadOnlyList<AlertEntry> Query(string? minLevel, string? module, DateTimeOffset? since, int? last)
    {
        var min = minLevel == null ? 0 : Array.IndexOf(Levels, minLevel);
        lock (_gate)
        {
            IEnumerable<AlertEntry> q = _entries.Where(e => Array.IndexOf(Levels, e.Level) >= min);
            if (module != null) q = q.Where(e => string.Equals(e.Module, module, StringComparison.OrdinalIgnoreCase));
            if (since != null) q = q.Where(e => DateTimeOffset.TryParse(e.Time, out var t) && t >= since);
            var list = q.ToList();
            return last is int n && n < list.Count ? list.Skip(list.Count - n).ToList() : list;
        }
    }

    static AlertEntry? TryParse(string line)
    {
        try { return JsonSerializer.Deserialize<AlertEntry>(line, JsonOptions.Web); }
        catch (JsonException) { return null; }
    }

    public void Dispose()
    {
        lock (_gate) _file.Dispose();
    }
}

public static class JsonOptions
{
    public static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
}
