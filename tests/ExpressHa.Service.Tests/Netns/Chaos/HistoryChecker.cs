using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ExpressHa.Service.Tests.Netns.Chaos;

/// <summary>activity.log line: the app's start command began ("start NODE") or its stop command finished ("stop NODE",
/// also "stop NODE leftover" when a start found an old responder and killed it).</summary>
public sealed record ActivityEvent(long AtMs, string Node, bool Start, string Note = "");

/// <summary>fence.log line: "fence-begin TARGET BY" before the kill, "fenced TARGET BY" once everything in the target's
/// namespace is gone and the floating address removed (<see cref="Done"/>).</summary>
public sealed record FenceEvent(long AtMs, string Target, string By, bool Done);

/// <summary>ownership.jsonl line of a node (the service's own journal): group state on that node, generation, owner.</summary>
public sealed record OwnershipEvent(long AtMs, string Node, string Group, string State, long Generation, string? Owner);

/// <summary>One call of the client: sent and done times, the node that answered, or the error.</summary>
public sealed record ClientSample(long SentMs, long DoneMs, string? Node, string? Error)
{
    public string ToLine() => $"{SentMs} {DoneMs} {(Node != null ? "ok " + Node : "fail " + Error)}";

    public static ClientSample? Parse(string line)
    {
        var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f.Length < 4 || !long.TryParse(f[0], out var s) || !long.TryParse(f[1], out var d)) return null;
        return f[2] == "ok" ? new ClientSample(s, d, f[3], null) : new ClientSample(s, d, null, string.Join(' ', f.Skip(3)));
    }
}

/// <summary>A fault the injector applied to a node between two times; <see cref="Disconnects"/> when the node was not
/// healthy and connected during it (see <see cref="Fault.Disconnects"/>). Also used for "service not running".</summary>
public sealed record FaultWindow(string Node, long FromMs, long ToMs, bool Disconnects, string What);

/// <summary>Everything one run left behind, in absolute Unix milliseconds.</summary>
public sealed record ChaosHistory
{
    public required IReadOnlyList<string> Nodes { get; init; }
    public IReadOnlyList<ActivityEvent> Activity { get; init; } = Array.Empty<ActivityEvent>();
    public IReadOnlyList<FenceEvent> Fences { get; init; } = Array.Empty<FenceEvent>();
    public IReadOnlyList<OwnershipEvent> Ownership { get; init; } = Array.Empty<OwnershipEvent>();
    public IReadOnlyList<ClientSample> Client { get; init; } = Array.Empty<ClientSample>();
    public IReadOnlyList<FaultWindow> Faults { get; init; } = Array.Empty<FaultWindow>();
    /// <summary>Every fault reverted and every node powered on.</summary>
    public long HealMs { get; init; }
    /// <summary>End of the observation (the client stopped).</summary>
    public long EndMs { get; init; }
}

public sealed record CheckOptions
{
    /// <summary>The group must be back online on exactly one node, answering the client, within this after the heal.</summary>
    public long RecoveryBoundMs { get; init; } = 30_000;
    /// <summary>How long after a disconnecting fault ended fencing its node is still justified (the loss was seen
    /// during the fault; resolution, fencing delay and the command take this long at most).</summary>
    public long FenceGraceMs { get; init; } = 8_000;
}

/// <summary>A node ran the group (its application) from <see cref="FromMs"/> to <see cref="ToMs"/>.</summary>
public sealed record OwnershipInterval(string Node, long FromMs, long ToMs, string EndedBy)
{
    public override string ToString() => $"{Node} [{HistoryChecker.Clock(FromMs)} .. {HistoryChecker.Clock(ToMs)}] (ended by {EndedBy})";
}

public sealed record Violation(string Rule, string Message)
{
    public override string ToString() => $"{Rule}: {Message}";
}

public sealed record CheckResult(IReadOnlyList<Violation> Violations, IReadOnlyList<OwnershipInterval> Intervals, IReadOnlyList<string> Notes,
    long? RecoveredAtMs, long? TimeToRecoverMs)
{
    public bool Ok => Violations.Count == 0;
}

/// <summary>Pure checker of a chaos run's history.
///
/// <para><b>What counts as ownership.</b> A node owns the group while its application can serve: from the moment
/// its app start command began (activity "start", written before the responder is launched) until the first of: its
/// stop command finished (activity "stop", written after the responder is gone), a finished fencing of that node
/// ("fenced", written after every process in its namespace was killed and the floating address removed), or the end
/// of the observation. Nothing else ends it: a crashed or frozen service whose application still runs still owns,
/// because its application still answers (that is the case fencing exists for). A start while already owning changes
/// nothing. The floating address alone is not ownership (it is added before the app starts and removed after it
/// stopped, so it always lies around an interval); the client's answers check that no responder outside these
/// intervals answered at the floating address.</para>
///
/// <para><b>Rules.</b>
/// (1) <c>dual-owner</c>: no two intervals of different nodes overlap (touching ends are fine).
/// (2) <c>unowned-answer</c>: every answer the client got from node X falls (its send..done window) within an
/// interval of X.
/// (3) <c>recovery</c>: after the heal, within <see cref="CheckOptions.RecoveryBoundMs"/>, the client gets an answer
/// from a node X such that from then to the end X is the only owner and every later answer is from X.
/// (4) <c>healthy-fenced</c>: every fencing (its "fence-begin") hits a node that had a disconnecting fault (or a
/// stopped service) between that fault's start and <see cref="CheckOptions.FenceGraceMs"/> after its end. Cutting one
/// path, or one path's inbound loss, leaves a node healthy and connected.
/// Notes (not violations): a group start under a generation not above every earlier start's generation (the
/// generation counter restarts with the service).</para></summary>
public static class HistoryChecker
{
    public static string Clock(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);

    public static List<ActivityEvent> ParseActivity(IEnumerable<string> lines)
    {
        var list = new List<ActivityEvent>();
        foreach (var line in lines)
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 3 || !long.TryParse(f[0], out var t) || f[1] is not ("start" or "stop")) continue;
            list.Add(new ActivityEvent(t, f[2], f[1] == "start", f.Length > 3 ? f[3] : ""));
        }
        return list;
    }

    public static List<FenceEvent> ParseFence(IEnumerable<string> lines)
    {
        var list = new List<FenceEvent>();
        foreach (var line in lines)
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 4 || !long.TryParse(f[0], out var t) || f[1] is not ("fence-begin" or "fenced")) continue;
            list.Add(new FenceEvent(t, f[2], f[3], f[1] == "fenced"));
        }
        return list;
    }

    public static List<OwnershipEvent> ParseOwnership(IEnumerable<string> lines)
    {
        var list = new List<OwnershipEvent>();
        foreach (var line in lines)
        {
            try
            {
                using var doc = JsonDocument.Parse(line);
                var r = doc.RootElement;
                list.Add(new OwnershipEvent(DateTimeOffset.Parse(r.GetProperty("time").GetString()!, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds(),
                    r.GetProperty("node").GetString()!, r.GetProperty("group").GetString()!, r.GetProperty("state").GetString()!,
                    r.GetProperty("generation").GetInt64(), r.TryGetProperty("owner", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString() : null));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException) { }
        }
        return list;
    }

    /// <summary>Ownership intervals by the definition above.</summary>
    public static List<OwnershipInterval> Intervals(ChaosHistory h)
    {
        var events = h.Activity.Select(a => (a.AtMs, Order: a.Start ? 1 : 0, a.Node, Kind: a.Start ? "start" : "stop" + (a.Note.Length > 0 ? " " + a.Note : "")))
            .Concat(h.Fences.Where(f => f.Done).Select(f => (f.AtMs, Order: 0, Node: f.Target, Kind: $"fenced by {f.By}")))
            .OrderBy(e => e.AtMs).ThenBy(e => e.Order) // at the same millisecond an end comes before a start
            .ToList();
        var open = new Dictionary<string, long>(StringComparer.Ordinal);
        var result = new List<OwnershipInterval>();
        foreach (var e in events)
        {
            if (e.Kind == "start")
            {
                open.TryAdd(e.Node, e.AtMs);
            }
            else if (open.Remove(e.Node, out var from))
            {
                result.Add(new OwnershipInterval(e.Node, from, e.AtMs, e.Kind));
            }
        }
        foreach (var (node, from) in open) result.Add(new OwnershipInterval(node, from, Math.Max(from, h.EndMs), "end of run"));
        return result.OrderBy(i => i.FromMs).ToList();
    }

    public static CheckResult Check(ChaosHistory h, CheckOptions? options = null)
    {
        options ??= new CheckOptions();
        var violations = new List<Violation>();
        var notes = new List<string>();
        var intervals = Intervals(h);

        // (1) never two owners at once
        for (var i = 0; i < intervals.Count; i++)
            for (var j = i + 1; j < intervals.Count; j++)
            {
                var a = intervals[i];
                var b = intervals[j];
                if (a.Node == b.Node) continue;
                var from = Math.Max(a.FromMs, b.FromMs);
                var to = Math.Min(a.ToMs, b.ToMs);
                if (to > from)
                    violations.Add(new Violation("dual-owner", $"{a.Node} and {b.Node} both ran the group from {Clock(from)} to {Clock(to)} ({to - from} ms): {a}; {b}"));
            }

        // (2) every answer comes from an owner
        foreach (var s in h.Client.Where(s => s.Node != null))
            if (!intervals.Any(i => i.Node == s.Node && i.FromMs <= s.DoneMs && i.ToMs >= s.SentMs))
                violations.Add(new Violation("unowned-answer", $"{s.Node} answered the client at {Clock(s.SentMs)}..{Clock(s.DoneMs)} but owned nothing then"));

        // (3) back online on exactly one node within the bound after the heal
        long? recoveredAt = null;
        foreach (var s in h.Client.Where(s => s.Node != null && s.SentMs >= h.HealMs).OrderBy(s => s.DoneMs))
        {
            var node = s.Node!;
            var onlyOwner = !intervals.Any(i => i.Node != node && i.ToMs > s.SentMs)
                            && intervals.Any(i => i.Node == node && i.FromMs <= s.SentMs && i.ToMs >= h.EndMs);
            var stable = h.Client.Where(x => x.SentMs >= s.SentMs && x.Node != null).All(x => x.Node == node);
            if (onlyOwner && stable)
            {
                recoveredAt = s.DoneMs;
                break;
            }
        }
        long? ttr = recoveredAt == null ? null : Math.Max(0, recoveredAt.Value - h.HealMs);
        if (recoveredAt == null)
        {
            var owners = intervals.Where(i => i.ToMs >= h.EndMs).Select(i => i.Node).ToList();
            var last = h.Client.LastOrDefault();
            violations.Add(new Violation("recovery", $"the group did not come back online on exactly one node after the heal at {Clock(h.HealMs)} " +
                $"(observed until {Clock(h.EndMs)}; owners at the end: [{string.Join(", ", owners)}]; last client call: {(last == null ? "none" : last.ToLine())})"));
        }
        else if (ttr > options.RecoveryBoundMs)
        {
            violations.Add(new Violation("recovery", $"the group came back online only {ttr} ms after the heal (bound {options.RecoveryBoundMs} ms)"));
        }

        // (4) no fencing of a node that was healthy and connected
        foreach (var f in h.Fences.Where(f => !f.Done))
        {
            var justified = h.Faults.Any(w => w.Node == f.Target && w.Disconnects && w.FromMs <= f.AtMs && f.AtMs <= w.ToMs + options.FenceGraceMs);
            if (!justified)
            {
                var around = h.Faults.Where(w => Math.Abs(w.FromMs - f.AtMs) < 30_000).Select(w => $"{w.What} [{Clock(w.FromMs)}..{Clock(w.ToMs)}]");
                violations.Add(new Violation("healthy-fenced", $"{f.By} fenced {f.Target} at {Clock(f.AtMs)} while {f.Target} was healthy and connected " +
                    $"(faults around then: {string.Join("; ", around.DefaultIfEmpty("none"))})"));
            }
        }

        // notes: generations of successive starts
        long maxGeneration = 0;
        foreach (var e in h.Ownership.Where(e => e.State == "starting").OrderBy(e => e.AtMs))
        {
            if (e.Generation <= maxGeneration)
                notes.Add($"{e.Node} started {e.Group} at {Clock(e.AtMs)} under generation {e.Generation}, not above an earlier start's {maxGeneration}");
            maxGeneration = Math.Max(maxGeneration, e.Generation);
        }
        return new CheckResult(violations, intervals, notes, recoveredAt, ttr);
    }

    /// <summary>The merged history as text, oldest first, for failure messages.</summary>
    public static string Describe(ChaosHistory h)
    {
        var lines = new List<(long At, string Text)>();
        lines.AddRange(h.Activity.Select(a => (a.AtMs, $"activity  {(a.Start ? "start" : "stop ")} {a.Node} {a.Note}")));
        lines.AddRange(h.Fences.Select(f => (f.AtMs, $"fence     {(f.Done ? "fenced" : "begin ")} {f.Target} by {f.By}")));
        lines.AddRange(h.Ownership.Select(o => (o.AtMs, $"journal   {o.Node}: {o.Group} {o.State} gen {o.Generation} owner {o.Owner ?? "-"}")));
        lines.AddRange(h.Faults.Select(w => (w.FromMs, $"fault     {w.What} (until {Clock(w.ToMs)})")));
        lines.Add((h.HealMs, "heal      everything healed, every node powered on"));
        // Client calls are summarised as runs of the same outcome.
        string? current = null;
        long runStart = 0;
        var count = 0;
        void Flush(long until)
        {
            if (current != null) lines.Add((runStart, $"client    {current} x{count} (until {Clock(until)})"));
        }
        long lastDone = 0;
        foreach (var s in h.Client)
        {
            var outcome = s.Node != null ? "answered by " + s.Node : "failed (" + s.Error + ")";
            if (outcome != current)
            {
                Flush(lastDone);
                current = outcome;
                runStart = s.SentMs;
                count = 0;
            }
            count++;
            lastDone = s.DoneMs;
        }
        Flush(lastDone);
        var b = new StringBuilder();
        foreach (var (at, text) in lines.OrderBy(l => l.At)) b.Append(Clock(at)).Append("  ").AppendLine(text);
        return b.ToString();
    }
}
