using ExpressHa.Api;
using System.Diagnostics;
using ExpressHa.Config;
using ExpressHa.Service.Alerts;
using ExpressHa.Service.Resources.Aws;

namespace ExpressHa.Service.Fencing;

/// <summary>One try of one level.</summary>
public sealed record FenceAttempt(int LevelIndex, string Level, int Attempt, FenceResult Result, TimeSpan Elapsed);

/// <summary>The end of <see cref="Fencer.FenceAsync"/>. <see cref="Fenced"/> true means the target is confirmed down
/// (a level succeeded); anything else means it is NOT known to be down and whatever it ran must stay down.
/// <see cref="Code"/>: fenced / already-stopped (success), disabled (no levels configured), aborted (stillNeeded turned
/// false), self-stopping (the race check found this node being stopped), unknown-node, failed (every level failed).</summary>
public sealed record FenceOutcome(bool Fenced, string Code, string Message, string Target)
{
    /// <summary>The level that succeeded (FencingLevel.ToString(), e.g. "aws" or "script: /usr/local/bin/ipmi-off").</summary>
    public string? Level { get; init; }
    public IReadOnlyList<FenceAttempt> Attempts { get; init; } = Array.Empty<FenceAttempt>();
    /// <summary>The delay that was waited (fencing.delaySeconds of the target).</summary>
    public TimeSpan Delay { get; init; }
    public TimeSpan Elapsed { get; init; }
}

/// <summary>The fencing policy around the agents.
/// <para><b>Delay (two-node race breaker)</b>: before fencing node T, wait fencing.delaySeconds[T]: the delay applies to
/// fencing actions that TARGET the node, as Pacemaker's pcmk_delay_base does. With delays {server1: 10, server2: 0}
/// and a split between the two, server1 fences server2 at once while server2 waits 10 s before fencing server1, so
/// server1 (the node with the LARGER delay) wins the race and survives; give the larger delay to the node that should
/// normally stay active. Equal delays give no protection. A node not listed has delay 0. During the wait
/// <c>stillNeeded</c> is polled (every <see cref="FencerOptions.PollInterval"/>): when it returns false (the target came
/// back, this node lost partition resolution, this node was itself stopped) fencing is abandoned with code aborted.</para>
/// <para><b>Levels</b>: fencing.levels are tried in order; each gets 1 + fencing.retries attempts, each bounded by
/// fencing.timeoutSeconds; the first success ends fencing. A non-retryable failure (unauthorized, unknown instance,
/// missing command) moves on to the next level at once; a race-check refusal (this node's own instance is stopping)
/// ends fencing with no further level. stillNeeded is checked again before every attempt.</para>
/// <para><b>Alerts</b> (module "fence", <see cref="AlertEvents.Fence"/>): start, every failed attempt, the final result.
/// Agent progress and script output go to the plain log of module "fence".</para></summary>
public sealed class Fencer
{
    readonly IAlertSink _alerts;
    readonly Dictionary<string, IFenceAgent> _agents;
    readonly FencerOptions _options;

    public Fencer(IAlertSink alerts, IEnumerable<IFenceAgent> agents, FencerOptions? options = null)
    {
        _alerts = alerts ?? throw new ArgumentNullException(nameof(alerts));
        _agents = new Dictionary<string, IFenceAgent>(StringComparer.OrdinalIgnoreCase);
        foreach (var a in agents) _agents[a.Type] = a;
        _options = options ?? new FencerOptions();
    }

    /// <summary>The service's fencer: aws (through the shared AWS clients) and script agents.</summary>
    public static Fencer Create(IAlertSink alerts, AwsClientsProvider aws, FencerOptions? options = null) =>
        new(alerts, new IFenceAgent[] { new AwsFenceAgent(aws), new ScriptFenceAgent() }, options);

    /// <summary>fencing.delaySeconds of the target node (0 when not listed or negative).</summary>
    public static TimeSpan DelayFor(FencingSettings settings, string target)
    {
        foreach (var (node, seconds) in settings.DelaySeconds)
            if (ClusterConfig.NameComparer.Equals(node, target)) return TimeSpan.FromSeconds(Math.Max(0, seconds));
        return TimeSpan.Zero;
    }

    /// <summary>Fences <paramref name="target"/> from <paramref name="self"/>: the target's delay (abortable through
    /// <paramref name="stillNeeded"/>), then the levels in order with retries. Never throws for fencing failures
    /// (see <see cref="FenceOutcome"/>); cancelling <paramref name="ct"/> throws OperationCanceledException (the
    /// target is then not known to be down).</summary>
    public async Task<FenceOutcome> FenceAsync(ClusterConfig config, string target, string self, string reason,
        Func<bool>? stillNeeded = null, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        var settings = config.Cluster.Fencing;
        stillNeeded ??= () => true;
        FenceOutcome Done(FenceOutcome o) => o with { Elapsed = clock.Elapsed };

        if (!settings.IsEnabled)
        {
            var msg = $"Fencing {target} is needed ({reason}) but no fencing is configured; it is not known to be down.";
            _alerts.Raise(AlertEvents.Fence.Disabled, msg);
            return Done(new FenceOutcome(false, FenceCodes.Disabled, msg, target));
        }
        var targetNode = config.FindNode(target);
        var selfNode = config.FindNode(self);
        if (targetNode == null || selfNode == null)
        {
            var msg = $"Cannot fence {target} from {self}: node {(targetNode == null ? target : self)} is not in the config.";
            _alerts.Raise(AlertEvents.Fence.Failed, msg);
            return Done(new FenceOutcome(false, FenceCodes.UnknownNode, msg, target));
        }

        var delay = DelayFor(settings, targetNode.Name);
        if (delay > TimeSpan.Zero)
        {
            _alerts.Raise(AlertEvents.Fence.Delaying,
                $"Waiting {delay.TotalSeconds:0.###} s (fencing delay of {targetNode.Name}) before fencing it ({reason}).");
            var waited = Stopwatch.StartNew();
            while (waited.Elapsed < delay)
            {
                if (!stillNeeded())
                    return Done(Abort(targetNode.Name, $"during the {delay.TotalSeconds:0.###} s fencing delay", Array.Empty<FenceAttempt>()) with { Delay = delay });
                var left = delay - waited.Elapsed;
                await Task.Delay(left < _options.PollInterval ? left : _options.PollInterval, ct).ConfigureAwait(false);
            }
        }

        var timeout = TimeSpan.FromSeconds(settings.TimeoutSeconds > 0 ? settings.TimeoutSeconds : 120);
        var tries = 1 + Math.Max(0, settings.Retries);
        var levels = string.Join(", ", settings.Levels.Select(l => l.Type));
        _alerts.Raise(AlertEvents.Fence.Started,
            $"Fencing {targetNode.Name} from {selfNode.Name} ({reason}); levels: {levels}; timeout {timeout.TotalSeconds:0.###} s, {tries} attempt(s) per level.");

        var attempts = new List<FenceAttempt>();
        for (var li = 0; li < settings.Levels.Count; li++)
        {
            var level = settings.Levels[li];
            if (!_agents.TryGetValue(level.Type, out var agent))
            {
                var r = FenceResult.Failure(FenceCodes.BadConfig, $"No fencing agent of type '{level.Type}'.", retryable: false);
                attempts.Add(new FenceAttempt(li + 1, level.ToString(), 1, r, TimeSpan.Zero));
                _alerts.Raise(AlertEvents.Fence.AttemptFailed, $"Fencing {targetNode.Name}: level {li + 1} ({level}): {r.Message}");
                continue;
            }
            for (var attempt = 1; attempt <= tries; attempt++)
            {
                if (!stillNeeded())
                    return Done(Abort(targetNode.Name, $"before level {li + 1} ({level.Type}) attempt {attempt}", attempts) with { Delay = delay });
                var request = new FenceRequest(config, level, targetNode, selfNode, reason, timeout)
                {
                    Log = line => _alerts.Log(AlertEvents.Fence.Module, $"[{targetNode.Name} level {li + 1} {level.Type} #{attempt}] {line}"),
                };
                var t = Stopwatch.StartNew();
                FenceResult result;
                try
                {
                    result = await agent.FenceAsync(request, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    result = FenceResult.Failure(FenceCodes.ApiError, $"{e.GetType().Name}: {e.Message}");
                }
                attempts.Add(new FenceAttempt(li + 1, level.ToString(), attempt, result, t.Elapsed));
                foreach (var line in result.Output)
                    _alerts.Log(AlertEvents.Fence.Module, $"[{targetNode.Name} level {li + 1} {level.Type} #{attempt} output] {line}");

                if (result.Fenced)
                {
                    var msg = $"{targetNode.Name} has been fenced by level {li + 1} ({level.Type}) on attempt {attempt}: {result.Message}";
                    _alerts.Raise(AlertEvents.Fence.Fenced, msg);
                    return Done(new FenceOutcome(true, result.Code, msg, targetNode.Name) { Level = level.ToString(), Attempts = attempts, Delay = delay });
                }
                if (result.Final)
                {
                    var msg = $"Fencing {targetNode.Name} refused: {result.Message}";
                    _alerts.Raise(result.Code == FenceCodes.SelfStopping ? AlertEvents.Fence.SelfStopping : AlertEvents.Fence.Failed, msg);
                    return Done(new FenceOutcome(false, result.Code, msg, targetNode.Name) { Attempts = attempts, Delay = delay });
                }
                _alerts.Raise(AlertEvents.Fence.AttemptFailed,
                    $"Fencing {targetNode.Name}: level {li + 1} ({level.Type}) attempt {attempt}/{tries} failed ({result.Code}): {result.Message}");
                if (!result.Retryable) break;
                if (attempt < tries && _options.RetryPause > TimeSpan.Zero)
                    await Task.Delay(_options.RetryPause, ct).ConfigureAwait(false);
            }
        }

        var failed = $"Fencing {targetNode.Name} failed: every level failed ({attempts.Count} attempt(s)); it is not known to be down and the groups it ran stay down. Last: {attempts.LastOrDefault()?.Result.Message}";
        _alerts.Raise(AlertEvents.Fence.Failed, failed);
        return Done(new FenceOutcome(false, FenceCodes.Failed, failed, targetNode.Name) { Attempts = attempts, Delay = delay });
    }

    FenceOutcome Abort(string target, string when, IReadOnlyList<FenceAttempt> attempts)
    {
        var msg = $"Fencing {target} abandoned {when}: it is no longer needed.";
        _alerts.Raise(AlertEvents.Fence.Aborted, msg);
        return new FenceOutcome(false, FenceCodes.Aborted, msg, target) { Attempts = attempts };
    }
}

/// <summary>Knobs of <see cref="Fencer"/> that are not in the config.</summary>
public sealed class FencerOptions
{
    /// <summary>How often stillNeeded is polled during the delay.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(200);
    /// <summary>Pause between two attempts of the same level.</summary>
    public TimeSpan RetryPause { get; init; } = TimeSpan.FromSeconds(1);
}
