using ExpressHa.Config;

namespace ExpressHa.Service.Partition;

/// <summary>Result of one reachability probe (ping or tcp): never an exception, a failure carries its reason.</summary>
public sealed record CheckResult(bool Reachable, string Detail)
{
    public static CheckResult Ok(string detail) => new(true, detail);
    public static CheckResult Failed(string detail) => new(false, detail);
}

/// <summary>What the witness told this node. <see cref="Reachable"/> means this node's own liveness post was accepted;
/// <see cref="AgesMs"/> is the witness's view of the cluster: node name → milliseconds since it last reached the
/// witness (empty when not reachable). <see cref="Sees"/> is each node's own report of the peers it still sees (may be empty).</summary>
public sealed record WitnessResult(bool Reachable, string Detail, IReadOnlyDictionary<string, long> AgesMs, IReadOnlyDictionary<string, IReadOnlyList<string>> Sees)
{
    public static WitnessResult Unreachable(string detail)
        => new(false, detail, new Dictionary<string, long>(), new Dictionary<string, IReadOnlyList<string>>());

    /// <summary>Nodes the witness saw within <paramref name="withinMs"/> (age ≤ withinMs).</summary>
    public IReadOnlySet<string> SeenWithin(long withinMs)
        => AgesMs.Where(kv => kv.Value >= 0 && kv.Value <= withinMs).Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);
}

/// <summary>Everything <see cref="PartitionDecision.Decide"/> needs. The probes (<see cref="PingCheck"/>,
/// <see cref="TcpCheck"/>, <see cref="WitnessClient"/>) gather Ping, Tcp and Witness; a configured method whose result
/// is null counts as failed (not checked = not proven).</summary>
public sealed record PartitionInputs
{
    public required PartitionResolutionSettings Settings { get; init; }
    /// <summary>This node's name.</summary>
    public required string Self { get; init; }
    /// <summary>Every node of the cluster (name and priority; lower priority number = preferred), this node included.</summary>
    public required IReadOnlyList<NodeConfig> Nodes { get; init; }
    /// <summary>Peers this node still sees over its heartbeats (self not needed; names not in Nodes are ignored).</summary>
    public required IReadOnlyCollection<string> VisiblePeers { get; init; }
    public CheckResult? Ping { get; init; }
    public CheckResult? Tcp { get; init; }
    public WitnessResult? Witness { get; init; }
    /// <summary>A node counts as seen by the witness when its age there is at most this (the heartbeat timeout).</summary>
    public long WitnessSeenWithinMs { get; init; } = 10_000;
}

public enum PartitionOutcome { Survive, Stop }

/// <summary>The verdict of one configured method.</summary>
public sealed record MethodVerdict(string Method, bool Passed, string Reason);

/// <summary>Survive or Stop, why, each method's verdict, and warnings (e.g. nothing configured).</summary>
public sealed record PartitionVerdict(PartitionOutcome Outcome, string Reason, IReadOnlyList<MethodVerdict> Methods, IReadOnlyList<string> Warnings)
{
    public bool Survives => Outcome == PartitionOutcome.Survive;
    public override string ToString() => $"{Outcome}: {Reason}";
}

/// <summary>Network partition resolution: a pure function of the inputs. Every configured method must pass for this
/// node to survive after losing peers.
/// <list type="bullet">
/// <item>ping: some target answered, else this node is isolated → Stop.</item>
/// <item>tcp: connected, else isolated → Stop.</item>
/// <item>http (witness): this node could not reach the witness → Stop. Otherwise the lost peers the witness still sees
/// (within <see cref="PartitionInputs.WitnessSeenWithinMs"/>) are alive on the other side of a broken interconnect:
/// the side holding the best-ranked node (lowest priority number, then name) survives. Lost peers the witness does not
/// see are gone → Survive.</item>
/// <item>majority: visible nodes incl. self vs all nodes; more than half → pass, fewer → Stop, exactly half → the
/// half holding the best-ranked node of the cluster passes.</item>
/// </list>
/// No method configured → Survive, with a warning.</summary>
public static class PartitionDecision
{
    public static PartitionVerdict Decide(PartitionInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var s = inputs.Settings ?? new PartitionResolutionSettings();
        var warnings = new List<string>();
        var methods = new List<MethodVerdict>();

        var all = inputs.Nodes.Where(n => !string.IsNullOrEmpty(n.Name))
            .GroupBy(n => n.Name, StringComparer.Ordinal).Select(g => g.First()).ToList();
        if (!all.Any(n => n.Name == inputs.Self))
        {
            warnings.Add($"this node '{inputs.Self}' is not in the cluster's node list");
            all.Add(new NodeConfig { Name = inputs.Self, Priority = int.MaxValue });
        }
        var mySide = new HashSet<string>(StringComparer.Ordinal) { inputs.Self };
        foreach (var p in inputs.VisiblePeers)
            if (all.Any(n => n.Name == p)) mySide.Add(p);
        var lost = all.Where(n => !mySide.Contains(n.Name)).ToList();

        if (!s.IsConfigured)
        {
            warnings.Add("no partition resolution method is configured: both sides of a partition may keep running");
            return new PartitionVerdict(PartitionOutcome.Survive, "no partition resolution configured (warning: not protected against split brain)", methods, warnings);
        }

        if (s.Ping != null)
        {
            var r = inputs.Ping;
            methods.Add(r == null ? new MethodVerdict("ping", false, "ping not checked")
                : r.Reachable ? new MethodVerdict("ping", true, "ping: " + r.Detail)
                : new MethodVerdict("ping", false, "ping: this node is isolated (" + r.Detail + ")"));
        }
        if (s.Tcp != null)
        {
            var r = inputs.Tcp;
            var target = $"{s.Tcp.Host}:{s.Tcp.Port}";
            methods.Add(r == null ? new MethodVerdict("tcp", false, $"tcp {target} not checked")
                : r.Reachable ? new MethodVerdict("tcp", true, $"tcp {target}: " + r.Detail)
                : new MethodVerdict("tcp", false, $"tcp {target}: this node is isolated (" + r.Detail + ")"));
        }
        if (s.Http != null) methods.Add(DecideWitness(inputs, all, mySide, lost));
        if (s.Majority) methods.Add(DecideMajority(all, mySide, warnings));

        var failed = methods.Where(m => !m.Passed).ToList();
        return failed.Count > 0
            ? new PartitionVerdict(PartitionOutcome.Stop, string.Join("; ", failed.Select(m => m.Reason)), methods, warnings)
            : new PartitionVerdict(PartitionOutcome.Survive, string.Join("; ", methods.Select(m => m.Reason)), methods, warnings);
    }

    /// <summary>Orders nodes: lowest priority number first, then name (so a tie of equal priorities is still decided).</summary>
    static NodeConfig Best(IEnumerable<NodeConfig> nodes)
        => nodes.OrderBy(n => n.Priority).ThenBy(n => n.Name, StringComparer.Ordinal).First();

    static string Describe(NodeConfig n) => $"{n.Name} (priority {n.Priority})";

    static MethodVerdict DecideWitness(PartitionInputs inputs, List<NodeConfig> all, HashSet<string> mySide, List<NodeConfig> lost)
    {
        var w = inputs.Witness;
        if (w == null) return new MethodVerdict("http", false, "witness not checked");
        if (!w.Reachable) return new MethodVerdict("http", false, "witness unreachable from this node (" + w.Detail + ")");
        var seen = w.SeenWithin(inputs.WitnessSeenWithinMs);
        var aliveLost = lost.Where(n => seen.Contains(n.Name)).ToList();
        if (aliveLost.Count == 0)
            return new MethodVerdict("http", true, lost.Count == 0
                ? "witness reachable"
                : $"witness reachable and does not see {string.Join(", ", lost.Select(n => n.Name))}");
        var mine = Best(all.Where(n => mySide.Contains(n.Name)));
        var theirs = Best(aliveLost);
        var winner = Best(new[] { mine, theirs });
        var who = string.Join(", ", aliveLost.Select(n => n.Name));
        return winner == mine
            ? new MethodVerdict("http", true, $"witness sees {who} too (interconnect broken); this side holds {Describe(mine)}, preferred over {Describe(theirs)}")
            : new MethodVerdict("http", false, $"witness sees {who} too (interconnect broken); the other side holds {Describe(theirs)}, preferred over {Describe(mine)}");
    }

    static MethodVerdict DecideMajority(List<NodeConfig> all, HashSet<string> mySide, List<string> warnings)
    {
        int total = all.Count, visible = all.Count(n => mySide.Contains(n.Name));
        if (total < 3) warnings.Add($"majority with {total} node(s) cannot tell a dead peer from a partition; only the preferred node can survive a loss");
        if (2 * visible > total) return new MethodVerdict("majority", true, $"majority: {visible} of {total} nodes visible");
        if (2 * visible < total) return new MethodVerdict("majority", false, $"majority lost: {visible} of {total} nodes visible");
        var best = Best(all);
        return mySide.Contains(best.Name)
            ? new MethodVerdict("majority", true, $"majority tie: {visible} of {total} nodes visible, this half holds {Describe(best)}")
            : new MethodVerdict("majority", false, $"majority tie: {visible} of {total} nodes visible, the other half holds {Describe(best)}");
    }
}
