using ExpressHa.Policy;
using ExpressHa.Service.Resources;

namespace ExpressHa.Service.Runtime;

/// <summary>What a starting service does with one group its previous run may have left running here.</summary>
public enum LeftoverChoice
{
    /// <summary>No record says this node held the group and no probe found any of it here.</summary>
    Nothing,
    /// <summary>Stop what may be left, in reverse order, before the node joins (the others start it elsewhere).</summary>
    Stop,
    /// <summary>The group resumes online here under its recorded generation, without a stop or a start.</summary>
    Adopt,
}

/// <summary>How a peer stands towards this node's previous run, read from its first heartbeats after the restart.</summary>
public enum PeerSight
{
    /// <summary>No heartbeat from the peer within the wait.</summary>
    Silent,
    /// <summary>The peer still echoes the previous run's heartbeats: it has not declared this node lost.</summary>
    CountsPreviousRunOnline,
    /// <summary>The peer echoes nothing of this node: it declared the previous run lost (and may be taking its groups).</summary>
    DeclaredLost,
}

/// <summary>The last journal record of the group on this node.</summary>
public sealed record LeftoverJournal(GroupState State, string? Owner, long Generation);

/// <summary>One other server of the group as its first heartbeats show it: how it sees this node, and the group as it
/// reports it (its state there, the owner it records, the generation, and the highest generation its journal held).</summary>
public sealed record LeftoverPeer(string Node, PeerSight Sight, GroupState GroupState = GroupState.Offline, string? Owner = null,
    long Generation = 0, long JournalGeneration = 0);

public sealed record LeftoverInputs
{
    public required string Self { get; init; }
    public required string Group { get; init; }
    /// <summary>Resource → what its probe found here; every resource of the group.</summary>
    public required IReadOnlyDictionary<string, ResourceProbe> Probes { get; init; }
    public LeftoverJournal? Journal { get; init; }
    /// <summary>Every other server of the group.</summary>
    public required IReadOnlyList<LeftoverPeer> Peers { get; init; }
}

public sealed record LeftoverVerdict(LeftoverChoice Choice, string Reason);

/// <summary>Adopt or stop, PURE. A quick restart of the service (a crash, a kill) leaves the group's resources
/// running while the others may still count this node as the owner; resuming then avoids a needless stop and start.
/// But two owners must never exist, so adoption needs every condition: the journal's last record says this node held
/// the group online (not half started or stopped); every resource probed active (unknown is not active); and every
/// other server of the group answered, still counts the previous run online, holds the group in no state but offline
/// (not even pending), records no other
/// owner and knows no newer generation. Anything less stops the leftovers, as a node that is not sure must.</summary>
public static class LeftoverDecision
{
    static readonly GroupState[] Running = { GroupState.Starting, GroupState.Online, GroupState.Stopping, GroupState.Failed };

    public static LeftoverVerdict Decide(LeftoverInputs i)
    {
        var held = i.Journal is { } j && j.Owner == i.Self && Running.Contains(j.State);
        var found = i.Probes.Where(p => p.Value == ResourceProbe.Active).Select(p => p.Key).ToList();
        if (!held && found.Count == 0)
            return new(LeftoverChoice.Nothing, $"nothing of group {i.Group} is recorded or found on {i.Self}");
        if (!held)
            return Stop(i, $"{string.Join(", ", found)} found active, but no journal record says {i.Self} held the group");
        var journal = i.Journal!;
        if (journal.State != GroupState.Online)
            return Stop(i, $"the previous run left it {journal.State.ToString().ToLowerInvariant()}, not online");
        var notActive = i.Probes.Where(p => p.Value != ResourceProbe.Active).Select(p => $"{p.Key} {p.Value.ToString().ToLowerInvariant()}").ToList();
        if (notActive.Count > 0)
            return Stop(i, $"not every resource is active here ({string.Join(", ", notActive)})");
        foreach (var p in i.Peers)
        {
            var why = p.Sight switch
            {
                PeerSight.Silent => $"{p.Node} did not answer, so it may have taken the group over",
                PeerSight.DeclaredLost => $"{p.Node} already counts {i.Self} lost",
                _ when p.GroupState != GroupState.Offline => $"{p.Node} reports the group {p.GroupState.ToString().ToLowerInvariant()} there",
                _ when p.Owner != null && p.Owner != i.Self => $"{p.Node} records {p.Owner} as its owner",
                _ when Math.Max(p.Generation, p.JournalGeneration) > journal.Generation =>
                    $"{p.Node} knows generation {Math.Max(p.Generation, p.JournalGeneration)}, newer than {journal.Generation} recorded here",
                _ => null,
            };
            if (why != null) return Stop(i, why);
        }
        return new(LeftoverChoice.Adopt,
            $"group {i.Group} resumes online on {i.Self} under generation {journal.Generation}: every resource is still active here and " +
            (i.Peers.Count == 0 ? "no other server can run it" : $"{string.Join(", ", i.Peers.Select(p => p.Node))} still count{(i.Peers.Count == 1 ? "s" : "")} {i.Self} as its owner"));
    }

    static LeftoverVerdict Stop(LeftoverInputs i, string why) =>
        new(LeftoverChoice.Stop, $"what is left of group {i.Group} on {i.Self} stops before it joins: {why}");
}
