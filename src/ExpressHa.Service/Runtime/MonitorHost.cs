using ExpressHa.Config;
using ExpressHa.Service.Monitors;
using ExpressHa.Policy;

namespace ExpressHa.Service.Runtime;

/// <summary>The monitors this node runs: one runner per monitor whose target's group may run here (or without target).
/// Their state goes into the local state, and so into heartbeats, where the coordinator picks failures up.</summary>
public sealed partial class NodeAgent
{
    readonly Dictionary<string, MonitorRunner> _monitors = new(StringComparer.Ordinal);
    readonly Dictionary<string, long> _groupGenerations = new(StringComparer.Ordinal);
    readonly MonitorProbeRegistry _probes;
    CancellationTokenSource _monitorStop = new();

    void StartMonitors()
    {
        var config = Config;
        _monitorStop = new CancellationTokenSource();
        var node = config.FindNode(Self)!;
        foreach (var m in config.Monitors)
        {
            GroupConfig? group = null;
            var target = m.Target != null ? config.FindResource(m.Target, out group) : null;
            if (group != null && !group.Servers.Contains(Self)) continue;
            if (!_probes.TryGet(m.Type, out var probe))
            {
                Alerts.Log("monitor", $"{m.Name}: monitor type {m.Type} is not available in this build; not started");
                continue;
            }
            var context = new MonitorContext { Config = config, Monitor = m, Node = node, Target = target, Alerts = Alerts, Mirrors = Mirrors };
            var runner = new MonitorRunner(context, probe,
                onError: (mon, message) =>
                {
                    _local.SetMonitor(mon.Name, r => { r.State = "error"; r.ErrorCount++; r.Message = message; });
                    Enqueue(new Reconcile());
                    return Task.CompletedTask;
                },
                onRecovered: mon =>
                {
                    _local.SetMonitor(mon.Name, r => { r.State = "normal"; r.Message = null; });
                    return Task.CompletedTask;
                });
            _monitors[m.Name] = runner;
            _local.SetMonitor(m.Name, r => r.State = runner.State.ToString().ToLowerInvariant());
            runner.Start(_monitorStop.Token);
        }
    }

    /// <summary>Active-timing monitors run only while their target's group is online here; a group started again (new
    /// generation) re-arms its monitors so the next failure counts towards the next threshold.</summary>
    void UpdateMonitorActivity()
    {
        var config = Config;
        foreach (var (name, runner) in _monitors)
        {
            var m = runner.Monitor;
            string? groupName = null;
            if (m.Target != null && config.FindResource(m.Target, out var g) != null) groupName = g!.Name;
            if (groupName != null)
            {
                var (state, generation) = _local.Read(groupName, lg => (lg?.State ?? GroupState.Offline, lg?.Generation ?? 0));
                if (m.Timing == MonitorTimings.Active) runner.Active = state == GroupState.Online;
                var key = name;
                if (_groupGenerations.TryGetValue(key, out var seen) && seen != generation && state != GroupState.Offline) Rearm(runner);
                _groupGenerations[key] = generation;
            }
            var current = runner.State.ToString().ToLowerInvariant();
            var report = _local.Monitor(name);
            // A re-armed runner reads normal before it checked again; its error stays in the report until a check passes
            // (then the coordinator sees a recovery) or fails again (the next error), else the coordinator would take the
            // re-arm for a recovery and reset the restart count.
            var unconfirmed = report?.State == "error" && current == "normal" && _rearmedAt.TryGetValue(name, out var checks)
                && (runner.Checks == checks || runner.ConsecutiveFailures > 0);
            if (report != null && report.State != current && !(report.State == "error" && current == "error") && !unconfirmed)
                _local.SetMonitor(name, r => { r.State = current; r.Message = runner.LastMessage; });
        }
    }

    readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _rearmedAt = new(StringComparer.Ordinal);

    void Rearm(MonitorRunner runner)
    {
        _rearmedAt[runner.Name] = runner.Checks;
        runner.Rearm();
    }

    /// <summary>A resource started again here (a monitor's recovery restarts it without a new group generation): the
    /// monitors that watch it are re-armed, so a failure that persists counts towards the next threshold.</summary>
    void RearmMonitorsOf(string resource)
    {
        foreach (var runner in _monitors.Values.ToList())
            if (runner.Monitor.Target == resource) Rearm(runner);
    }

    bool SuspendLocalMonitor(string name, bool suspend)
    {
        if (!_monitors.TryGetValue(name, out var runner)) return false;
        if (suspend) runner.Suspend(); else runner.Resume();
        _local.SetMonitor(name, r => r.State = runner.State.ToString().ToLowerInvariant());
        return true;
    }

    bool SetLocalPseudoFailure(string name, bool failing)
    {
        if (!_monitors.TryGetValue(name, out var runner)) return false;
        runner.PseudoFailure = failing ? $"pseudo-failure of {name} on {Self}, requested by an operator" : null;
        return true;
    }

    void StopMonitors()
    {
        _monitorStop.Cancel();
    }

    void StopMonitorsForReload()
    {
        _monitorStop.Cancel();
        foreach (var r in _monitors.Values) _ = r.StopAsync();
        _monitors.Clear();
        _groupGenerations.Clear();
    }
}
