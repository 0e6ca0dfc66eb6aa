using System.Diagnostics;

namespace ExpressHa.Service.Tests.Netns.Chaos;

/// <summary>Runs a <see cref="FaultSchedule"/> against a <see cref="ChaosTopology"/>: applies each fault at its time,
/// reverts it after its duration, and after each fault "powers on" every node whose service is not running (a fenced
/// or self-stopped node reboots). <see cref="HealAll"/> reverts everything. Every applied fault becomes a
/// <see cref="FaultWindow"/> (absolute times) for the checker.</summary>
public sealed class FaultInjector
{
    readonly ChaosTopology _t;
    readonly Action<string> _log;
    readonly List<FaultWindow> _windows = new();
    readonly HashSet<string> _frozen = new(StringComparer.Ordinal);

    public FaultInjector(ChaosTopology topology, Action<string> log)
    {
        _t = topology;
        _log = log;
    }

    public IReadOnlyList<FaultWindow> Windows => _windows;

    /// <summary>The node that runs the group now by the activity log (the newest open start), else the first node.</summary>
    public string ActiveNode()
    {
        var events = HistoryChecker.ParseActivity(File.ReadAllLines(_t.ActivityLog));
        var owning = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var e in events)
            if (e.Start) owning[e.Node] = e.AtMs;
            else owning.Remove(e.Node);
        foreach (var f in HistoryChecker.ParseFence(File.ReadAllLines(_t.FenceLog)).Where(f => f.Done)) owning.Remove(f.Target);
        return owning.Count == 0 ? _t.Nodes[0] : owning.MaxBy(kv => kv.Value).Key;
    }

    public async Task RunAsync(FaultSchedule schedule, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        foreach (var fault in schedule.Faults)
        {
            var wait = fault.AtMs - clock.ElapsedMilliseconds;
            if (wait > 0) await Task.Delay(TimeSpan.FromMilliseconds(wait), ct);
            var node = fault.Target == "active" ? ActiveNode() : fault.Target;
            var from = ChaosTopology.NowMs();
            var what = Apply(fault, node);
            _log($"fault {fault} -> {what}");
            var end = fault.EndMs - clock.ElapsedMilliseconds;
            if (end > 0) await Task.Delay(TimeSpan.FromMilliseconds(end), ct);
            if (fault.Kind == FaultKind.Restart)
            {
                // The duration counts after the orderly stop ended.
                var stopped = Stopwatch.StartNew();
                _t.WaitExit(node, TimeSpan.FromSeconds(20));
                var rest = fault.DurationMs - stopped.ElapsedMilliseconds;
                if (rest > 0) await Task.Delay(TimeSpan.FromMilliseconds(rest), ct);
            }
            Revert(fault, node);
            _windows.Add(new FaultWindow(node, from, ChaosTopology.NowMs(), fault.Disconnects, what));
            _log($"reverted {fault.Kind} on {node}");
            PowerOnStopped();
        }
    }

    string Apply(Fault f, string node)
    {
        var lans = f.Lan == 0 ? new[] { 1, 2 } : new[] { f.Lan };
        switch (f.Kind)
        {
            case FaultKind.CutNode:
                foreach (var lan in new[] { 1, 2 }) _t.SetPort(node, lan, up: false);
                return $"cut {node} off (lan1 and lan2 ports down)";
            case FaultKind.CutPath:
                _t.SetPort(node, f.Lan, up: false);
                return $"cut lan{f.Lan} of {node}";
            case FaultKind.OneWayLoss:
                var via = new List<string>();
                foreach (var lan in lans)
                {
                    if (_t.DropInbound(node, lan)) via.Add($"nft drop inbound lan{lan}");
                    else
                    {
                        _t.SetPort(node, lan, up: false);
                        via.Add($"lan{lan} down (nft unavailable)");
                    }
                }
                return $"one-way loss into {node}: {string.Join(", ", via)}";
            case FaultKind.Freeze:
                _t.Signal(node, ChaosTopology.SIGSTOP);
                _frozen.Add(node);
                return $"SIGSTOP {node} (pid {_t.Pid(node)})";
            case FaultKind.Crash:
                _t.Signal(node, ChaosTopology.SIGKILL);
                return $"SIGKILL {node} (pid {_t.Pid(node)})";
            case FaultKind.Restart:
                _t.Signal(node, ChaosTopology.SIGTERM);
                return $"SIGTERM {node} (pid {_t.Pid(node)})";
            default:
                throw new ArgumentOutOfRangeException(nameof(f));
        }
    }

    void Revert(Fault f, string node)
    {
        switch (f.Kind)
        {
            case FaultKind.CutNode:
            case FaultKind.CutPath:
            case FaultKind.OneWayLoss:
                _t.ClearDrops(node);
                foreach (var lan in new[] { 1, 2 }) _t.SetPort(node, lan, up: true);
                break;
            case FaultKind.Freeze:
                _t.Signal(node, ChaosTopology.SIGCONT);
                _frozen.Remove(node);
                break;
            case FaultKind.Crash:
            case FaultKind.Restart:
                if (!_t.IsRunning(node)) _t.Start(node);
                break;
        }
    }

    /// <summary>Starts the service of every node whose service is not running (after fencing or a self-stop).</summary>
    public void PowerOnStopped()
    {
        foreach (var n in _t.Nodes)
            if (!_t.IsRunning(n))
            {
                _log($"{n} is not running: powering it on");
                _t.Start(n);
            }
    }

    /// <summary>Reverts everything: every port up, no drop rules, no frozen process, every node's service running.</summary>
    public void HealAll()
    {
        foreach (var n in _t.Nodes)
        {
            _t.ClearDrops(n);
            foreach (var lan in new[] { 1, 2 }) _t.SetPort(n, lan, up: true);
            _t.Signal(n, ChaosTopology.SIGCONT);
        }
        _frozen.Clear();
        PowerOnStopped();
    }
}
