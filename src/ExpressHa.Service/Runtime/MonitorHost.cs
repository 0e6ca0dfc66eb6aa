using System.Collections.Concurrent;
using ExpressHa.Api;
using ExpressHa.Config;
using ExpressHa.Policy;
using ExpressHa.Service.Alerts;
using ExpressHa.Service.Mirror;
using ExpressHa.Service.Monitors;

namespace ExpressHa.Service.Runtime;

/// <summary>The monitors this node runs: one runner per monitor whose target's group may run here (or without target).
/// Their state goes into the local state, and so into heartbeats, where the coordinator picks failures up.</summary>
public sealed class MonitorHost(ConfigStore config, string self, LocalState local, MonitorProbeRegistry probes, IMirrorRegistry mirrors,
    IAlertSink alerts, WorkQueue work)
{
    readonly ConcurrentDictionary<string, MonitorRunner> _monitors = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, long> _groupGenerations = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, long> _rearmedAt = new(StringComparer.Ordinal);
    CancellationTokenSource _stop = new();

    public int Count => _monitors.Count;

    public void Start()
    {
        var c = config.Current;
        _stop = new CancellationTokenSource();
        var node = c.FindNode(self)!;
        foreach (var m in c.Monitors)
        {
            GroupConfig? group = null;
            var target = m.Target != null ? c.FindResource(m.Target, out group) : null;
            if (group != null && !group.Servers.Contains(self)) continue;
            if (!probes.TryGet(m.Type, out var probe))
            {
                alerts.Log("monitor", $"{m.Name}: monitor type {m.Type} is not available in this build; not started");
                continue;
            }
            var context = new MonitorContext { Config = c, Monitor = m, Node = node, Target = target, Alerts = alerts, Mirrors = mirrors };
            var runner = new MonitorRunner(context, probe,
                onError: (mon, message) =>
                {
                    local.SetMonitor(mon.Name, r => { r.State = MonitorStates.Error; r.ErrorCount++; r.Message = message; });
                    work.Reconcile();
                    return Task.CompletedTask;
                },
                onRecovered: mon =>
                {
                    local.SetMonitor(mon.Name, r => { r.State = MonitorStates.Normal; r.Message = null; });
                    return Task.CompletedTask;
                });
            _monitors[m.Name] = runner;
            local.SetMonitor(m.Name, r => r.State = StateNames.Of(runner.State));
            runner.Start(_stop.Token);
        }
    }

    /// <summary>Active-timing monitors run only while their target's group is online here; a group started again (new
    /// generation) re-arms its monitors so the next failure counts towards the next threshold.</summary>
    public void UpdateActivity()
    {
        var c = config.Current;
        foreach (var (name, runner) in _monitors)
        {
            var m = runner.Monitor;
            string? groupName = null;
            if (m.Target != null && c.FindResource(m.Target, out var g) != null) groupName = g!.Name;
            if (groupName != null)
            {
                var (state, generation) = local.Read(groupName, lg => (lg?.State ?? GroupState.Offline, lg?.Generation ?? 0));
                if (m.Timing == MonitorTimings.Active) runner.Active = state == GroupState.Online;
                if (_groupGenerations.TryGetValue(name, out var seen) && seen != generation && state != GroupState.Offline) Rearm(runner);
                _groupGenerations[name] = generation;
            }
            var current = StateNames.Of(runner.State);
            var report = local.Monitor(name);
            // A re-armed runner reads normal before it checked again; its error stays in the report until a check passes
            // (then the coordinator sees a recovery) or fails again (the next error), else the coordinator would take the
            // re-arm for a recovery and reset the restart count.
            var unconfirmed = report?.State == MonitorStates.Error && current == MonitorStates.Normal && _rearmedAt.TryGetValue(name, out var checks)
                && (runner.Checks == checks || runner.ConsecutiveFailures > 0);
            if (report != null && report.State != current && !(report.State == MonitorStates.Error && current == MonitorStates.Error) && !unconfirmed)
                local.SetMonitor(name, r => { r.State = current; r.Message = runner.LastMessage; });
        }
    }

    void Rearm(MonitorRunner runner)
    {
        _rearmedAt[runner.Name] = runner.Checks;
        runner.Rearm();
    }

    /// <summary>A resource started again here (a monitor's recovery restarts it without a new group generation): the
    /// monitors that watch it are re-armed, so a failure that persists counts towards the next threshold.</summary>
    public void RearmMonitorsOf(string resource)
    {
        foreach (var runner in _monitors.Values)
            if (runner.Monitor.Target == resource) Rearm(runner);
    }

    public bool Suspend(string name, bool suspend)
    {
        if (!_monitors.TryGetValue(name, out var runner)) return false;
        if (suspend) runner.Suspend(); else runner.Resume();
        local.SetMonitor(name, r => r.State = StateNames.Of(runner.State));
        return true;
    }

    /// <summary>The service is suspended (every monitor stops checking) or runs again.</summary>
    public void SuspendAll(bool suspend)
    {
        foreach (var r in _monitors.Values) if (suspend) r.Suspend(); else r.Resume();
    }

    public bool SetPseudoFailure(string name, bool failing)
    {
        if (!_monitors.TryGetValue(name, out var runner)) return false;
        runner.PseudoFailure = failing ? $"pseudo-failure of {name} on {self}, requested by an operator" : null;
        return true;
    }

    public void Stop() => _stop.Cancel();

    /// <summary>A new config: the runners stop and are forgotten; <see cref="Start"/> builds them on the new config.</summary>
    public void StopForReload()
    {
        _stop.Cancel();
        foreach (var r in _monitors.Values) _ = r.StopAsync();
        _monitors.Clear();
        _groupGenerations.Clear();
    }
}
