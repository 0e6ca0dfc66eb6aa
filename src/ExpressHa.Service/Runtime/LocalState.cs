using ExpressHa.Api;
using ExpressHa.Service.Heartbeat;
using ExpressHa.Policy;

namespace ExpressHa.Service.Runtime;

/// <summary>What this node itself runs: its ground truth, reported in every heartbeat. Thread-safe.</summary>
public sealed class LocalState
{
    readonly object _gate = new();
    readonly Dictionary<string, LocalGroup> _groups = new(StringComparer.Ordinal);
    readonly Dictionary<string, MonitorReport> _monitors = new(StringComparer.Ordinal);

    public event Action? Changed;

    public sealed class LocalGroup
    {
        public GroupState State { get; set; } = GroupState.Offline;
        public long Generation { get; set; }
        public int Failovers { get; set; }
        public Dictionary<string, ResourceState> Resources { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, int> StartFailures { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, int> StopFailures { get; } = new(StringComparer.Ordinal);
        /// <summary>Owner as the plan recorded it (a pending group may be recorded for a lost node).</summary>
        public string? Owner { get; set; }
        /// <summary>Where a stopping or failed group goes next (null: stopped for good).</summary>
        public string? Next { get; set; }
    }

    public void Update(string group, Action<LocalGroup> change)
    {
        lock (_gate)
        {
            if (!_groups.TryGetValue(group, out var g)) _groups[group] = g = new LocalGroup();
            change(g);
        }
        Changed?.Invoke();
    }

    public T Read<T>(string group, Func<LocalGroup?, T> read)
    {
        lock (_gate) return read(_groups.TryGetValue(group, out var g) ? g : null);
    }

    public List<string> ActiveGroups()
    {
        lock (_gate) return _groups.Where(kv => kv.Value.State != GroupState.Offline).Select(kv => kv.Key).ToList();
    }

    public void SetMonitor(string name, Action<MonitorReport> change)
    {
        lock (_gate)
        {
            if (!_monitors.TryGetValue(name, out var m)) _monitors[name] = m = new MonitorReport { Name = name };
            change(m);
        }
        Changed?.Invoke();
    }

    public MonitorReport? Monitor(string name)
    {
        lock (_gate) return _monitors.TryGetValue(name, out var m) ? Clone(m) : null;
    }

    /// <summary>The groups (any state but offline, plus offline ones that keep counters) and monitors for a heartbeat.</summary>
    public (List<GroupReport> Groups, List<MonitorReport> Monitors) Snapshot()
    {
        lock (_gate)
        {
            var groups = _groups.Where(kv => kv.Value.State != GroupState.Offline || kv.Value.Generation > 0 || kv.Value.Failovers > 0)
                .Select(kv => new GroupReport
                {
                    Name = kv.Key,
                    State = StateNames.Of(kv.Value.State),
                    Generation = kv.Value.Generation,
                    Failovers = kv.Value.Failovers,
                    Resources = kv.Value.Resources.ToDictionary(r => r.Key, r => r.Value.ToString()),
                    StartFailures = new Dictionary<string, int>(kv.Value.StartFailures),
                    StopFailures = new Dictionary<string, int>(kv.Value.StopFailures),
                    Owner = kv.Value.Owner,
                    Next = kv.Value.Next,
                }).ToList();
            return (groups, _monitors.Values.Select(Clone).ToList());
        }
    }

    static MonitorReport Clone(MonitorReport m) => new()
    {
        Name = m.Name, State = m.State, Message = m.Message, ErrorCount = m.ErrorCount, Restarts = m.Restarts, Failovers = m.Failovers,
    };
}
