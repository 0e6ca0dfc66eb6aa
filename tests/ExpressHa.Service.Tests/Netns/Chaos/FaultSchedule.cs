using System.Globalization;
using System.Text;

namespace ExpressHa.Service.Tests.Netns.Chaos;

public enum FaultKind
{
    /// <summary>Every switch port of the node down: cut off from everyone (peers, witness / ping target, clients).</summary>
    CutNode,
    /// <summary>One of the node's switch ports down (lan1 public, or lan2 interconnect); it stays connected by the other.</summary>
    CutPath,
    /// <summary>The node drops every IPv4 packet arriving on lanN, or on both when <see cref="Fault.Lan"/> is 0 (nft in
    /// its namespace; the link goes down instead when nft cannot). What it sends still arrives.</summary>
    OneWayLoss,
    /// <summary>SIGSTOP of the node's service for the duration (longer than the heartbeat timeout), then SIGCONT.</summary>
    Freeze,
    /// <summary>SIGKILL of the node's service (its application keeps running, as after a crash); restarted after the duration.</summary>
    Crash,
    /// <summary>SIGTERM of the node's service (an orderly stop), then started again after the duration.</summary>
    Restart,
}

/// <summary>One fault: what, on which node ("active" = whichever node runs the group when the fault begins), when
/// (milliseconds after the schedule starts) and for how long; <see cref="Lan"/> for path faults (0 = every path).</summary>
public sealed record Fault(FaultKind Kind, string Target, int Lan, int AtMs, int DurationMs)
{
    public int EndMs => AtMs + DurationMs;

    /// <summary>Faults after which the node cannot be considered healthy and connected (one path cut or one path's
    /// inbound loss leaves it connected by the other path).</summary>
    public bool Disconnects => Kind switch
    {
        FaultKind.CutPath => false,
        FaultKind.OneWayLoss => Lan == 0,
        _ => true,
    };

    public override string ToString()
        => string.Create(CultureInfo.InvariantCulture, $"+{AtMs / 1000.0:0.000}s {Kind} {Target}{(Kind is FaultKind.CutPath or FaultKind.OneWayLoss ? (Lan == 0 ? " all paths" : $" lan{Lan}") : "")} for {DurationMs / 1000.0:0.000}s");
}

/// <summary>A seeded random list of faults, one after the other with quiet gaps between them, followed by a heal of
/// everything. The same seed and node list always give the same schedule (System.Random with a seed is stable on a
/// given .NET version).</summary>
public sealed record FaultSchedule(int Seed, IReadOnlyList<Fault> Faults)
{
    /// <summary>Every fault has ended (and the final heal begins) this many milliseconds after the start.</summary>
    public int HealAtMs => Faults.Count == 0 ? 0 : Faults.Max(f => f.EndMs) + 200;

    public static FaultSchedule Generate(int seed, IReadOnlyList<string> nodes, int faults, int timeoutMs)
    {
        var r = new Random(seed);
        var list = new List<Fault>();
        var t = 0;
        int Between(int lo, int hi) => r.Next(lo, hi + 1);
        for (var i = 0; i < faults; i++)
        {
            t += Between(1000, 3000); // quiet gap before the fault
            var kind = (FaultKind)r.Next(Enum.GetValues<FaultKind>().Length);
            // Faults aimed at the group's node are the interesting ones; the rest pick any node.
            var target = r.NextDouble() < 0.6 ? "active" : nodes[r.Next(nodes.Count)];
            var lan = 0;
            int duration;
            switch (kind)
            {
                case FaultKind.CutNode:
                    duration = Between(timeoutMs + 500, timeoutMs * 4);
                    break;
                case FaultKind.CutPath:
                    lan = Between(1, 2);
                    duration = Between(500, timeoutMs * 3);
                    break;
                case FaultKind.OneWayLoss:
                    lan = Between(0, 2);
                    duration = Between(timeoutMs / 2, timeoutMs * 3);
                    break;
                case FaultKind.Freeze:
                    duration = Between(timeoutMs + 500, timeoutMs * 3);
                    break;
                case FaultKind.Crash:
                    duration = Between(200, timeoutMs * 2);
                    break;
                default:
                    duration = Between(200, timeoutMs);
                    break;
            }
            list.Add(new Fault(kind, target, lan, t, duration));
            t += duration;
        }
        return new FaultSchedule(seed, list);
    }

    public override string ToString()
    {
        var b = new StringBuilder($"seed {Seed}:");
        foreach (var f in Faults) b.Append("\n  ").Append(f);
        b.Append(CultureInfo.InvariantCulture, $"\n  +{HealAtMs / 1000.0:0.000}s heal everything");
        return b.ToString();
    }
}
