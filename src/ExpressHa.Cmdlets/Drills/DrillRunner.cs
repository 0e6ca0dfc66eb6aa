using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ExpressHa.Api;
using ExpressHa.Client;

namespace ExpressHa.Cmdlets
{
    /// <summary>Runs one drill against the cluster through the management API and measures it by polling the status
    /// (every <see cref="PollMs"/>): each change seen becomes a timeline entry at the time it was seen. Afterwards the
    /// cluster is put back as it was where possible (a pseudo-failure cleared, a stopped service started, a group that
    /// moved moved back).</summary>
    public sealed class DrillRunner
    {
        public const int PollMs = 100;
        /// <summary>How long the groups must stay without a starting or stopping resource before a monitor drill counts
        /// as settled (its recovery may restart a resource or move a group, or only raise an alert).</summary>
        const double SettleSeconds = 1.0;

        readonly HaApiClient _client;
        readonly CancellationToken _ct;
        readonly TimeSpan _timeout;
        readonly string _cluster;

        public DrillRunner(HaApiClient client, string clusterName, TimeSpan timeout, CancellationToken ct)
        {
            _client = client; _cluster = clusterName; _timeout = timeout; _ct = ct;
        }

        sealed class Run
        {
            public readonly Stopwatch Clock = Stopwatch.StartNew();
            public readonly List<HaDrillEvent> Timeline = new List<HaDrillEvent>();
            public ClusterStatus? Last;
            public double? Detected;
            public double Now => Clock.Elapsed.TotalSeconds;
            public void Note(string kind, string subject, string text) => Timeline.Add(new HaDrillEvent { Seconds = Now, Kind = kind, Subject = subject, Text = text });
        }

        public HaDrillResult Execute(DrillSpec spec)
        {
            var run = new Run();
            run.Last = Call(c => c.GetStatusAsync(_ct));
            var before = run.Last;
            string message;
            bool ok;
            try
            {
                (ok, message) = spec.Kind switch
                {
                    DrillKinds.Move => Move(run, spec),
                    DrillKinds.ServiceStop => ServiceStop(run, spec),
                    DrillKinds.MonitorFailure => MonitorFailure(run, spec),
                    DrillKinds.ServiceKill => ServiceKill(run, spec),
                    _ => (false, "unknown drill kind " + spec.Kind),
                };
            }
            catch (HaApiException e)
            {
                ok = false;
                message = $"{e.Code}: {e.Message}";
            }
            var total = run.Timeline.LastOrDefault(e => e.Kind == "done")?.Seconds ?? run.Now;
            if (spec.Kind != DrillKinds.Move && spec.Kind != DrillKinds.ServiceKill) Restore(run, before);
            return new HaDrillResult
            {
                ClusterName = _cluster, Drill = spec.Name, Kind = spec.Kind, Group = spec.Group, Node = spec.Node, Monitor = spec.Monitor,
                Succeeded = ok, DetectionSeconds = run.Detected, TotalSeconds = total,
                Resources = StatusChanges.ResourceTimes(run.Timeline), Timeline = run.Timeline.ToArray(), Message = message,
            };
        }

        (bool, string) Move(Run run, DrillSpec spec)
        {
            if (!Request(run, $"move {spec.Group} to {spec.Node}", c => c.MoveGroupAsync(spec.Group!, spec.Node, _ct), out var refused)) return (false, refused);
            return Wait(run, s => Group(s, spec.Group!) is { State: GroupStates.Online } g && g.Owner == spec.Node, $"{spec.Group} online on {spec.Node}")
                ? (true, $"{spec.Group} runs on {spec.Node}.")
                : (false, TimedOut($"{spec.Group} online on {spec.Node}"));
        }

        (bool, string) ServiceStop(Run run, DrillSpec spec)
        {
            var owners = Owners(run.Last!);
            if (!Request(run, $"stop the service on {spec.Node}", c => c.StopNodeAsync(spec.Node!, _ct), out var refused)) return (false, refused);
            if (!Wait(run, s => Node(s, spec.Node!)?.ServiceState == ServiceStates.Stopped, null, detect: true)) return (false, TimedOut($"the service on {spec.Node} stopped"));
            if (!Request(run, $"start the service on {spec.Node}", c => c.StartNodeAsync(spec.Node!, _ct), out refused)) return (false, refused);
            if (!Wait(run, s => Node(s, spec.Node!)?.ServiceState == ServiceStates.Running, $"the service on {spec.Node} runs")) return (false, TimedOut($"the service on {spec.Node} running"));
            var moved = Owners(run.Last!).Where(o => owners.TryGetValue(o.Key, out var was) && was != o.Value).Select(o => o.Key).ToList();
            return moved.Count == 0
                ? (true, $"The service on {spec.Node} stopped and started; no group moved.")
                : (false, $"Stopping the service on standby {spec.Node} moved {string.Join(", ", moved)}.");
        }

        (bool, string) MonitorFailure(Run run, DrillSpec spec)
        {
            var before = run.Last!;
            if (!Request(run, $"pseudo-failure of {spec.Monitor}", c => c.FailMonitorAsync(spec.Monitor!, null, _ct), out var refused)) return (false, refused);
            // The error state can be brief (an active monitor goes inactive as soon as its group leaves the node), so
            // the recovery starting counts as detection too.
            if (!Wait(run, s => Monitor(s, spec.Monitor!)?.State == MonitorStates.Error || GroupsChanged(before, s), null, detect: true))
                return (false, TimedOut($"monitor {spec.Monitor} in error"));
            var settled = WaitSettled(run);
            var outcome = string.Join("; ", run.Last!.Groups.Select(g => $"{g.Name} {g.State}" + (g.Owner != null ? " on " + g.Owner : "")));
            if (!settled) return (false, TimedOut("the groups to settle"));
            run.Note("done", spec.Monitor!, "recovery settled: " + outcome);
            return (true, $"{spec.Monitor} reported the error; afterwards {outcome}.");
        }

        (bool, string) ServiceKill(Run run, DrillSpec spec)
        {
            if (!Request(run, $"kill the service on {spec.Node}", c => c.KillNodeAsync(spec.Node!, _ct), out var refused)) return (false, refused);
            if (!Wait(run, s => Node(s, spec.Node!) is { } n && n.State != NodeStates.Online, null, detect: true)) return (false, TimedOut($"{spec.Node} lost"));
            if (!Wait(run, s => Group(s, spec.Group!) is { State: GroupStates.Online } g && g.Owner != spec.Node, $"{spec.Group} online on another server"))
                return (false, TimedOut($"{spec.Group} online on another server"));
            return (true, $"{spec.Group} runs on {Group(run.Last!, spec.Group!)!.Owner}; start the service on {spec.Node} again.");
        }

        /// <summary>Puts back what the drill changed: pseudo-failures cleared, a stopped service started, groups that
        /// moved moved back to where they ran before.</summary>
        void Restore(Run run, ClusterStatus before)
        {
            try
            {
                foreach (var m in before.Monitors) if (run.Timeline.Any(e => e.Kind == "request" && e.Subject == m.Name))
                    {
                        Call(c => c.ClearMonitorAsync(m.Name, null, _ct));
                        run.Note("note", m.Name, $"pseudo-failure of {m.Name} cleared");
                    }
                foreach (var g in before.Groups.Where(g => g.State == GroupStates.Online && g.Owner != null))
                {
                    var now = Group(Poll(run), g.Name);
                    if (now != null && now.Owner != g.Owner && before.Nodes.Any(n => n.Name == g.Owner && n.State == NodeStates.Online))
                    {
                        Call(c => c.MoveGroupAsync(g.Name, g.Owner, _ct));
                        run.Note("note", g.Name, $"moving {g.Name} back to {g.Owner}");
                        Wait(run, s => Group(s, g.Name) is { State: GroupStates.Online } x && x.Owner == g.Owner, null);
                    }
                }
            }
            catch (HaApiException e) { run.Note("note", "", "restoring failed: " + e.Message); }
        }

        bool Request(Run run, string what, Func<HaApiClient, Task<OperationResult>> call, out string refused)
        {
            var subject = what.StartsWith("pseudo-failure of ", StringComparison.Ordinal) ? what.Substring("pseudo-failure of ".Length) : what;
            run.Note("request", subject, "request: " + what);
            var result = Call(call);
            refused = result.Ok ? "" : $"{result.Code}: {result.Message}";
            if (!result.Ok) run.Note("note", subject, "refused: " + result.Message);
            return result.Ok;
        }

        /// <summary>Polls until the condition holds (a "done" entry, unless doneText is null) or the timeout passes.
        /// With detect, the time it holds is the drill's detection time.</summary>
        bool Wait(Run run, Func<ClusterStatus, bool> condition, string? doneText, bool detect = false)
        {
            var deadline = run.Now + _timeout.TotalSeconds;
            while (true)
            {
                var s = Poll(run);
                if (condition(s))
                {
                    if (detect && run.Detected == null) { run.Detected = run.Now; run.Note("detected", "", "detected"); }
                    if (doneText != null) run.Note("done", "", doneText);
                    return true;
                }
                if (run.Now > deadline) return false;
                Pause();
            }
        }

        bool WaitSettled(Run run)
        {
            var deadline = run.Now + _timeout.TotalSeconds;
            var quietSince = run.Now;
            while (run.Now <= deadline)
            {
                var count = run.Timeline.Count;
                var s = Poll(run);
                var busy = s.Groups.Any(g => g.State is GroupStates.Starting or GroupStates.Stopping || g.Resources.Any(r => r.State is ResourceStates.Starting or ResourceStates.Stopping));
                if (busy || run.Timeline.Count != count) quietSince = run.Now;
                else if (run.Now - quietSince >= SettleSeconds) return true;
                Pause();
            }
            return false;
        }

        ClusterStatus Poll(Run run)
        {
            var s = Call(c => c.GetStatusAsync(_ct));
            var t = run.Now;
            foreach (var change in StatusChanges.Between(run.Last, s)) { change.Seconds = t; run.Timeline.Add(change); }
            run.Last = s;
            return s;
        }

        void Pause()
        {
            if (_ct.WaitHandle.WaitOne(PollMs)) throw new OperationCanceledException(_ct);
        }

        T Call<T>(Func<HaApiClient, Task<T>> call) => Task.Run(() => call(_client), _ct).GetAwaiter().GetResult();

        string TimedOut(string what) => $"not within {_timeout.TotalSeconds:0} s: {what}.";

        static bool GroupsChanged(ClusterStatus before, ClusterStatus now)
            => now.Groups.Any(g => Group(before, g.Name) is not { } b || b.State != g.State || b.Owner != g.Owner
                || g.Resources.Any(r => b.Resources.FirstOrDefault(x => x.Name == r.Name)?.State != r.State));

        static Dictionary<string, string?> Owners(ClusterStatus s) => s.Groups.ToDictionary(g => g.Name, g => g.Owner);
        static GroupStatusInfo? Group(ClusterStatus s, string name) => s.Groups.FirstOrDefault(g => g.Name == name);
        static NodeStatusInfo? Node(ClusterStatus s, string name) => s.Nodes.FirstOrDefault(n => n.Name == name);
        static MonitorStatusInfo? Monitor(ClusterStatus s, string name) => s.Monitors.FirstOrDefault(m => m.Name == name);
    }
}
