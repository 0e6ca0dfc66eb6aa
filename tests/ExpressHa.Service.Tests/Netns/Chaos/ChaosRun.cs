using System.Diagnostics;
using System.Text;
using ExpressHa.Service.Runtime;

namespace ExpressHa.Service.Tests.Netns.Chaos;

/// <summary>The outcome of one seeded run.</summary>
public sealed record ChaosOutcome(ChaosKind Kind, int Seed, FaultSchedule Schedule, CheckResult Check, ChaosHistory History, TimeSpan Duration, string WorkDir)
{
    public static string ReplayCommand(ChaosKind kind, int seed)
        => $"EXPRESSHA_CHAOS_KIND={kind} EXPRESSHA_CHAOS_SEED={seed} dotnet test tests/ExpressHa.Service.Tests --filter FullyQualifiedName~Netns.Chaos.ChaosTests.Replay";

    public string Report(bool withHistory)
    {
        var b = new StringBuilder();
        b.AppendLine($"chaos {Kind} seed {Seed}: {(Check.Ok ? "ok" : $"{Check.Violations.Count} violation(s)")}, " +
                     $"time to recover {(Check.TimeToRecoverMs is long t ? t + " ms" : "-")}, run {Duration.TotalSeconds:0.0} s");
        b.AppendLine($"replay: {ReplayCommand(Kind, Seed)}");
        foreach (var v in Check.Violations) b.AppendLine("VIOLATION " + v);
        foreach (var n in Check.Notes) b.AppendLine("note: " + n);
        b.AppendLine("schedule " + Schedule);
        b.AppendLine("ownership intervals:");
        foreach (var i in Check.Intervals) b.AppendLine("  " + i);
        if (withHistory)
        {
            b.AppendLine($"history (work directory {WorkDir}):");
            b.Append(HistoryChecker.Describe(History));
        }
        return b.ToString();
    }
}

/// <summary>One seeded run: build the topology, start the cluster and the client, wait until the group answers, run
/// the schedule, heal everything, wait until the group is back on exactly one node (or the bound ran out), gather
/// every log and check it.</summary>
public static class ChaosRun
{
    /// <summary>The recovery bound, from the configuration: starting a service (≤ 10 s on a loaded 2-core machine) +
    /// loss detection and the rejoin wait after a restart (3 × heartbeat timeout) + partition resolution (witness
    /// second look: timeout/2 + 2 intervals + check timeout 1 s) + fencing delay (≤ 1 s) + the fencing command (≤ 2 s)
    /// + the group's start (≤ 2 s) + 3 s margin: 10 + 4.5 + 2.15 + 1 + 2 + 2 + 3 = 24.65 s.</summary>
    public static readonly long RecoveryBoundMs = 10_000 + 3L * ChaosTopology.HeartbeatTimeoutMs
        + (ChaosTopology.HeartbeatTimeoutMs / 2 + 2 * ChaosTopology.HeartbeatIntervalMs + 1000)
        + 1000 * 1 + 2000 + 2000 + 3000;

    /// <summary>Fencing a node stays justified this long after its disconnecting fault ended: loss detection
    /// (timeout) + resolution (as above) + fencing delay + margin.</summary>
    public static readonly long FenceGraceMs = ChaosTopology.HeartbeatTimeoutMs
        + (ChaosTopology.HeartbeatTimeoutMs / 2 + 2 * ChaosTopology.HeartbeatIntervalMs + 1000) + 1000 + 3000;

    public static async Task<ChaosOutcome> RunAsync(ChaosKind kind, int seed, int faults, Action<string> output)
    {
        var sw = Stopwatch.StartNew();
        void Log(string line) => output($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {line}");
        using var topology = new ChaosTopology(kind, Log);
        var schedule = FaultSchedule.Generate(seed, topology.Nodes, faults, ChaosTopology.HeartbeatTimeoutMs);
        Log($"chaos {kind} in {topology.Dir}, {schedule}");
        var injector = new FaultInjector(topology, Log);
        var ok = false;
        try
        {
            topology.StartAll();
            var start = ChaosTopology.NowMs();
            ServiceClient? client = null;
            long healMs;
            try
            {
                client = new ServiceClient(topology.ClientNs, ChaosTopology.Vip, ChaosTopology.AppPort, Path.Combine(topology.Dir, "client.log"));
                if (!await Eventually.HoldsWithinAsync(() => client.Last?.Node != null, TimeSpan.FromSeconds(60), pollMs: 100))
                    throw new InvalidOperationException($"the group never answered at {ChaosTopology.Vip} within 60 s of starting the cluster (logs in {topology.Dir})");
                Log($"group answers from {client.Last!.Node} after {ChaosTopology.NowMs() - start} ms; running the schedule");
                // Let the cluster settle (every node online) before the first fault.
                await Task.Delay(1000);
                await injector.RunAsync(schedule, CancellationToken.None);
                injector.HealAll();
                healMs = ChaosTopology.NowMs();
                Log("healed everything; waiting for the group to be back on exactly one node");
                await AwaitConvergenceAsync(topology, client, injector.Windows, healMs, injector.PowerOnStopped);
            }
            finally
            {
                if (client != null) await client.DisposeAsync();
            }
            var history = Gather(topology, injector.Windows, client?.Samples ?? new List<ClientSample>(), healMs, ChaosTopology.NowMs());
            var check = HistoryChecker.Check(history, new CheckOptions { RecoveryBoundMs = RecoveryBoundMs, FenceGraceMs = FenceGraceMs });
            ok = check.Ok;
            var outcome = new ChaosOutcome(kind, seed, schedule, check, history, sw.Elapsed, topology.Dir);
            return outcome;
        }
        finally
        {
            // Keep the logs of a failed run for a look afterwards; the namespaces always go.
            topology.KeepDir = !ok || Environment.GetEnvironmentVariable("EXPRESSHA_CHAOS_KEEP") == "1";
        }
    }

    /// <summary>Waits until the same node answered every call for 2 s and is the only owner by the activity log, or the
    /// recovery bound (+3 s) ran out; then 1.5 s more, so a late wrong decision (a second start, a late fencing) still
    /// shows. <paramref name="tick"/> runs every half second (the harness powers stopped nodes on).</summary>
    public static async Task AwaitConvergenceAsync(ChaosTopology t, ServiceClient client, IReadOnlyList<FaultWindow> windows, long healMs, Action tick)
    {
        var deadline = healMs + RecoveryBoundMs + 3000;
        while (ChaosTopology.NowMs() < deadline)
        {
            await Task.Delay(500);
            tick();
            var now = ChaosTopology.NowMs();
            var recent = client.Samples.Where(s => s.SentMs >= now - 2000).ToList();
            if (recent.Count >= 8 && recent.All(s => s.Node != null && s.Node == recent[0].Node) && recent[0].SentMs >= healMs)
            {
                var owners = HistoryChecker.Intervals(Gather(t, windows, client.Samples, healMs, now)).Where(i => i.ToMs >= now).Select(i => i.Node).Distinct().ToList();
                if (owners.Count == 1 && owners[0] == recent[0].Node) break;
            }
        }
        await Task.Delay(1500);
    }

    public static ChaosHistory Gather(ChaosTopology t, IReadOnlyList<FaultWindow> faults, IReadOnlyList<ClientSample> samples, long healMs, long endMs)
    {
        static string[] Lines(string path) => File.Exists(path) ? File.ReadAllLines(path) : Array.Empty<string>();
        var ownership = t.Nodes.SelectMany(n => HistoryChecker.ParseOwnership(Lines(Path.Combine(t.StateDir(n), OwnershipJournal.FileName)))).ToList();
        // A stopped service is not a healthy node either: each exit until the next start is a window.
        var windows = faults.ToList();
        List<(string Node, long AtMs, int? Code)> lifecycle;
        lock (t.Lifecycle) lifecycle = t.Lifecycle.ToList();
        foreach (var (node, at, code) in lifecycle.Where(e => e.Node != "witness" && e.Code != null))
        {
            var restart = lifecycle.Where(e => e.Node == node && e.Code == null && e.AtMs >= at).Select(e => (long?)e.AtMs).FirstOrDefault();
            windows.Add(new FaultWindow(node, at, restart ?? endMs, true, $"{node} service exited ({code})"));
        }
        return new ChaosHistory
        {
            Nodes = t.Nodes,
            Activity = HistoryChecker.ParseActivity(Lines(t.ActivityLog)),
            Fences = HistoryChecker.ParseFence(Lines(t.FenceLog)),
            Ownership = ownership,
            Client = samples,
            Faults = windows,
            HealMs = healMs,
            EndMs = endMs,
        };
    }

}
