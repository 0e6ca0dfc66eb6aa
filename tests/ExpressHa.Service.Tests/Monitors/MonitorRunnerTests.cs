using ExpressHa.Config;
using ExpressHa.Service.Monitors;
using ExpressHa.Policy;
using ExpressHa.Service.Tests.Resources;

namespace ExpressHa.Service.Tests.Monitors;

/// <summary>A clock whose sleeps return at once after moving time forward; a stall can be injected into any sleep.
/// It cancels the run after a given number of sleeps.</summary>
public sealed class FakeClock
{
    public DateTime Now { get; private set; } = new(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    public int Sleeps { get; private set; }
    public Dictionary<int, TimeSpan> StallAtSleep { get; } = new();
    public CancellationTokenSource Cts { get; } = new();
    public int StopAfterSleeps { get; set; } = int.MaxValue;
    /// <summary>Called after every sleep with its number (1-based), e.g. to switch the runner.</summary>
    public Action<int>? AfterSleep { get; set; }

    public Task Delay(TimeSpan t, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        Sleeps++;
        Now += t + (StallAtSleep.TryGetValue(Sleeps, out var extra) ? extra : TimeSpan.Zero);
        AfterSleep?.Invoke(Sleeps);
        if (Sleeps >= StopAfterSleeps) Cts.Cancel();
        ct.ThrowIfCancellationRequested();
        return Task.CompletedTask;
    }

    public MonitorRunnerOptions Options(TimeSpan? second = null) => new()
    {
        Now = () => Now,
        Delay = Delay,
        SecondLength = second ?? TimeSpan.FromSeconds(1),
    };
}

/// <summary>Answers from a script of results (the last repeats), recording the fake time of every call.</summary>
public sealed class ScriptedProbe(FakeClock clock, params ProbeResult[] results) : IMonitorProbe
{
    public string Type => "scripted";
    public List<DateTime> Calls { get; } = new();
    public Task<ProbeResult> ProbeAsync(MonitorContext context, CancellationToken cancellationToken)
    {
        Calls.Add(clock.Now);
        return Task.FromResult(results[Math.Min(Calls.Count - 1, results.Length - 1)]);
    }
}

public sealed class MonitorRunnerTests
{
    readonly RecordingAlerts _alerts = new();
    readonly FakeClock _clock = new();
    readonly List<string> _errors = new();
    int _recoveries;

    static readonly ProbeResult Ok = ProbeResult.Ok();
    static readonly ProbeResult Bad = ProbeResult.Fail("service down");

    MonitorConfig Monitor(int retry = 0, int interval = 10, int timeout = 30, string timing = MonitorTimings.Always, int startWait = 0, string? onApiFailure = null, string type = "custom")
        => new() { Name = "m1", Type = type, Retry = retry, IntervalSeconds = interval, TimeoutSeconds = timeout, Timing = timing, StartWaitSeconds = startWait, OnApiFailure = onApiFailure };

    MonitorRunner Runner(MonitorConfig m, IMonitorProbe probe, MonitorRunnerOptions? options = null)
        => new(MonitorContexts.For(m, _alerts), probe,
            (mon, msg) => { _errors.Add(mon.Name + ": " + msg); return Task.CompletedTask; },
            mon => { _recoveries++; return Task.CompletedTask; },
            options ?? _clock.Options());

    async Task Run(MonitorRunner runner, int sleeps)
    {
        _clock.StopAfterSleeps = sleeps;
        await runner.RunAsync(_clock.Cts.Token);
    }

    [Fact]
    public async Task ErrorAfterRetryPlusOneConsecutiveFailures_RaisedOnce_ThenRecovery()
    {
        var probe = new ScriptedProbe(_clock, Bad, Bad, Bad, Bad, Bad, Ok, Ok);
        var runner = Runner(Monitor(retry: 2), probe);
        await Run(runner, 7);

        Assert.Equal(7, probe.Calls.Count);
        Assert.Equal(new[] { "m1: service down" }, _errors);
        Assert.Equal(1, _recoveries);
        Assert.Equal(MonitorState.Normal, runner.State);
        Assert.Equal(0, runner.ConsecutiveFailures);

        var error = Assert.Single(_alerts.Alerts, a => a.Level == AlertLevels.Error);
        Assert.Equal(ProbeCodes.Failed, error.EventId);
        Assert.Equal("Detected an error in monitoring m1. (5 : service down)", error.Message);
        Assert.Single(_alerts.Alerts, a => a.Level == AlertLevels.Info && a.EventId == MonitorRunner.RecoveredEventId);
    }

    [Fact]
    public async Task ErrorStateAfterThirdFailure_NotBefore()
    {
        var probe = new ScriptedProbe(_clock, Bad);
        var runner = Runner(Monitor(retry: 2), probe);
        await Run(runner, 2);
        Assert.Equal(2, runner.ConsecutiveFailures);
        Assert.Equal(MonitorState.Normal, runner.State);
        Assert.Empty(_errors);
        Assert.Equal("service down", runner.LastMessage);

        await runner.CheckOnceAsync(TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(MonitorState.Error, runner.State);
        Assert.Single(_errors);
    }

    [Fact]
    public async Task PseudoFailure_FailsWithoutProbing_UntilCleared_ThenRecovers()
    {
        var probe = new ScriptedProbe(_clock, Ok);
        var runner = Runner(Monitor(retry: 1), probe);
        runner.PseudoFailure = "pseudo-failure of m1";

        await runner.CheckOnceAsync(TimeSpan.Zero, CancellationToken.None);
        Assert.Empty(_errors); // one retry, as for a real failure
        var second = await runner.CheckOnceAsync(TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(ProbeCodes.PseudoFailure, ProbeCodes.Split(second.Message).Code);
        Assert.Equal(MonitorState.Error, runner.State);
        Assert.Single(_errors);
        Assert.Empty(probe.Calls);

        runner.PseudoFailure = null;
        await runner.CheckOnceAsync(TimeSpan.Zero, CancellationToken.None);
        Assert.Single(probe.Calls);
        Assert.Equal(MonitorState.Normal, runner.State);
        Assert.Equal(1, _recoveries);
    }

    [Fact]
    public async Task NonConsecutiveFailures_DoNotRaise()
    {
        var probe = new ScriptedProbe(_clock, Bad, Bad, Ok, Bad, Bad, Ok, Bad, Bad, Ok);
        var runner = Runner(Monitor(retry: 2), probe);
        await Run(runner, 9);
        Assert.Equal(9, probe.Calls.Count);
        Assert.Empty(_errors);
        Assert.Empty(_alerts.Alerts);
    }

    [Fact]
    public async Task ChecksRunEveryInterval_AfterTheStartWait()
    {
        var probe = new ScriptedProbe(_clock, Ok);
        var t0 = _clock.Now;
        await Run(Runner(Monitor(interval: 10, startWait: 25), probe), 4);
        Assert.Equal(new[] { t0.AddSeconds(25), t0.AddSeconds(35), t0.AddSeconds(45) }, probe.Calls);
    }

    [Fact]
    public async Task Suspended_DoesNotCheck_ResumeCountsAfresh()
    {
        var probe = new ScriptedProbe(_clock, Bad);
        var runner = Runner(Monitor(retry: 1), probe);
        await runner.CheckOnceAsync(TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(1, runner.ConsecutiveFailures);

        runner.Suspend();
        Assert.Equal(MonitorState.Suspended, runner.State);
        _clock.AfterSleep = n => { if (n == 3) runner.Resume(); };
        await Run(runner, 4);
        // Three wake-ups passed while suspended; resumed after the 3rd sleep, one check ran before the 4th sleep ended
        // the run, and its failure counted from zero.
        Assert.Equal(2, probe.Calls.Count);
        Assert.Equal(1, runner.ConsecutiveFailures);
        Assert.Empty(_errors);
        Assert.Equal(MonitorState.Normal, runner.State);
    }

    [Fact]
    public async Task ActiveTiming_IsInactiveUntilSwitchedOn_AndSwitchingOffClearsTheError()
    {
        var probe = new ScriptedProbe(_clock, Bad);
        var runner = Runner(Monitor(timing: MonitorTimings.Active), probe);
        Assert.False(runner.Active);
        Assert.Equal(MonitorState.Inactive, runner.State);

        await Run(runner, 3);
        Assert.Empty(probe.Calls);

        runner.Active = true;
        Assert.Equal(MonitorState.Normal, runner.State);
        await runner.CheckOnceAsync(TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(MonitorState.Error, runner.State);
        Assert.Single(_errors);

        runner.Active = false;
        Assert.Equal(MonitorState.Inactive, runner.State);
        runner.Active = true;
        await runner.CheckOnceAsync(TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(2, _errors.Count); // a new activation may raise again
    }

    [Fact]
    public async Task ActiveMonitor_WaitsTheStartWaitAfterBeingSwitchedOn()
    {
        var probe = new ScriptedProbe(_clock, Ok);
        var runner = Runner(Monitor(timing: MonitorTimings.Active, interval: 10, startWait: 15), probe);
        DateTime? switchedOn = null;
        _clock.AfterSleep = n => { if (n == 2) { runner.Active = true; switchedOn = _clock.Now; } };
        await Run(runner, 5);
        Assert.NotEmpty(probe.Calls);
        Assert.Equal(switchedOn!.Value.AddSeconds(15), probe.Calls[0]);
    }

    [Fact]
    public async Task Rearm_LetsTheMonitorRaiseAgain()
    {
        var probe = new ScriptedProbe(_clock, Bad);
        var runner = Runner(Monitor(retry: 1), probe);
        await Run(runner, 4);
        Assert.Single(_errors);
        runner.Rearm();
        Assert.Equal(MonitorState.Normal, runner.State);
        await runner.CheckOnceAsync(TimeSpan.Zero, CancellationToken.None);
        Assert.Single(_errors);
        await runner.CheckOnceAsync(TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(2, _errors.Count);
    }

    [Fact]
    public async Task ApiFailure_Warn_WarnsWith100PlusCode_AndNeverRaises()
    {
        var probe = new ScriptedProbe(_clock, ProbeCodes.ApiFailed(6, "Timeout occurred."), ProbeCodes.ApiFailed(6, "Timeout occurred."), ProbeCodes.ApiFailed(6, "Timeout occurred."), Ok);
        var runner = Runner(Monitor(retry: 0, onApiFailure: ApiFailureActions.Warn), probe);
        await Run(runner, 3);
        Assert.Equal(MonitorState.Warning, runner.State);
        Assert.Empty(_errors);
        var warning = Assert.Single(_alerts.Alerts);
        Assert.Equal((AlertLevels.Warning, 106), (warning.Level, warning.EventId));
        Assert.Equal("Monitor m1 is in the warning status. (106 : Timeout occurred.)", warning.Message);

        await runner.CheckOnceAsync(TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(MonitorState.Normal, runner.State);
    }

    [Fact]
    public async Task ApiFailure_Ignore_IsHealthy()
    {
        var probe = new ScriptedProbe(_clock, ProbeCodes.ApiFailed(5, "AWS CLI command failed."));
        var runner = Runner(Monitor(onApiFailure: ApiFailureActions.Ignore), probe);
        await Run(runner, 3);
        Assert.Equal(MonitorState.Normal, runner.State);
        Assert.Empty(_errors);
        Assert.Empty(_alerts.Alerts);
    }

    [Fact]
    public async Task ApiFailure_Recover_CountsAsFailure()
    {
        var probe = new ScriptedProbe(_clock, ProbeCodes.ApiFailed(5, "AWS CLI command failed."));
        var runner = Runner(Monitor(retry: 1, onApiFailure: ApiFailureActions.Recover), probe);
        await Run(runner, 2);
        Assert.Equal(MonitorState.Error, runner.State);
        Assert.Equal(new[] { "m1: 5 : AWS CLI command failed." }, _errors);
        Assert.Equal(5, Assert.Single(_alerts.Alerts).EventId);
    }

    sealed class HangingProbe(bool honourToken) : IMonitorProbe
    {
        public string Type => "hang";
        public int Cancelled;
        public async Task<ProbeResult> ProbeAsync(MonitorContext context, CancellationToken cancellationToken)
        {
            try { await Task.Delay(Timeout.Infinite, honourToken ? cancellationToken : CancellationToken.None); }
            catch (OperationCanceledException) { Interlocked.Increment(ref Cancelled); throw; }
            return ProbeResult.Ok();
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AProbeThatTimesOut_IsAFailureWithCode6(bool honourToken)
    {
        var probe = new HangingProbe(honourToken);
        // One configured second lasts 20 ms here: the timeout of 1 s is 20 ms of real time.
        var runner = Runner(Monitor(retry: 1, timeout: 1, interval: 1), probe, _clock.Options(TimeSpan.FromMilliseconds(20)));
        var first = await runner.CheckOnceAsync(TimeSpan.Zero, CancellationToken.None);
        Assert.False(first.Healthy);
        Assert.StartsWith("6 : timeout", first.Message);
        await runner.CheckOnceAsync(TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(MonitorState.Error, runner.State);
        Assert.Equal(6, Assert.Single(_alerts.Alerts).EventId);
        if (honourToken)
        {
            // The runner gives up on the probe at the timeout; the probe notices its cancelled token a moment later.
            // (A loaded machine may take seconds to run that continuation: wait generously, then check the count exactly.)
            await Eventually.UntilAsync(() => Volatile.Read(ref probe.Cancelled) >= 2, TimeSpan.FromSeconds(20),
                "both timed-out probes to see their cancelled token", () => $"cancelled {Volatile.Read(ref probe.Cancelled)}");
            Assert.Equal(2, Volatile.Read(ref probe.Cancelled));
        }
    }

    [Fact]
    public async Task AProbeThatThrows_IsAFailure()
    {
        var runner = Runner(Monitor(), new ThrowingProbe());
        var r = await runner.CheckOnceAsync(TimeSpan.Zero, CancellationToken.None);
        Assert.False(r.Healthy);
        Assert.Contains("boom", r.Message);
        Assert.Equal(MonitorState.Error, runner.State);
    }

    sealed class ThrowingProbe : IMonitorProbe
    {
        public string Type => "throw";
        public Task<ProbeResult> ProbeAsync(MonitorContext context, CancellationToken cancellationToken) => throw new InvalidOperationException("boom");
    }

    [Fact]
    public async Task Userw_FailsWhenTheRunnerWokeUpLaterThanTheTimeout()
    {
        var runner = Runner(Monitor(type: "userw", interval: 3, timeout: 10), new UserwProbe());
        _clock.StallAtSleep[2] = TimeSpan.FromSeconds(4);  // late, but within the timeout
        _clock.StallAtSleep[4] = TimeSpan.FromSeconds(15); // a stall beyond it
        await Run(runner, 5);

        Assert.Equal(TimeSpan.FromSeconds(15), runner.MaxLateness);
        var error = Assert.Single(_errors);
        Assert.Contains("woke up 15 s late", error);
        Assert.Equal(ProbeCodes.Stalled, Assert.Single(_alerts.Alerts, a => a.Level == AlertLevels.Error).EventId);
        Assert.Equal(MonitorState.Error, runner.State);
        Assert.Equal(5, runner.Checks); // a check before each of the 5 sleeps; the 5th followed the stall
    }

    [Fact]
    public async Task Userw_StaysNormalWithoutStalls()
    {
        var runner = Runner(Monitor(type: "userw", interval: 3, timeout: 10), new UserwProbe());
        _clock.StallAtSleep[2] = TimeSpan.FromSeconds(9);
        await Run(runner, 6);
        Assert.Empty(_errors);
        Assert.Equal(MonitorState.Normal, runner.State);
    }

    [Fact]
    public async Task StartAndStop_RunInRealTimeWithShortSeconds()
    {
        var probe = new CountingProbe();
        var runner = new MonitorRunner(MonitorContexts.For(Monitor(interval: 1), _alerts), probe, (_, _) => Task.CompletedTask,
            options: new MonitorRunnerOptions { SecondLength = TimeSpan.FromMilliseconds(10) });
        runner.Start();
        await Eventually.UntilAsync(() => probe.Count >= 3, TimeSpan.FromSeconds(10), "three probes", () => $"{probe.Count} probes", pollMs: 10);
        await runner.StopAsync();
        Assert.True(runner.Completion!.IsCompleted);
        var after = probe.Count;
        await Task.Delay(100);
        Assert.Equal(after, probe.Count);
    }

    sealed class CountingProbe : IMonitorProbe
    {
        public int Count;
        public string Type => "count";
        public Task<ProbeResult> ProbeAsync(MonitorContext context, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Count);
            return Task.FromResult(ProbeResult.Ok());
        }
    }
}
