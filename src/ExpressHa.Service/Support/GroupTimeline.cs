using System.Text.RegularExpressions;
using ExpressHa.Api;
using ExpressHa.Service.Runtime;

namespace ExpressHa.Service.Support;

/// <summary>Builds a group's history (starts, moves, failovers, each with its timeline) from the ownership journals and
/// alerts of the nodes. Pure: the same records in give the same episodes out.
/// An episode opens when a node records "starting" for the group and ends at its "online" or "failed" record. Its kind:
/// a failover when a failure was detected since the last owner went online (node lost, monitor or resource error), a
/// move (or a restart on the same node) when the last owner stopped the group itself shortly before, else a start.</summary>
public static class GroupTimeline
{
    /// <summary>A start this long after the previous owner stopped the group is a new start, not the second half of a move.</summary>
    public static readonly TimeSpan MoveGap = TimeSpan.FromSeconds(60);

    public static List<GroupEpisode> Build(string group, IReadOnlyCollection<string> resources, IEnumerable<OwnershipRecord> records, IEnumerable<AlertEntry> alerts)
    {
        var steps = records.Where(r => r.Group == group).Select(FromRecord)
            .Concat(alerts.Select(a => FromAlert(a, group, resources)).OfType<Item>())
            .Select((item, i) => (item, i))
            // A detection logged in the same millisecond as the start it causes comes first: it decides the episode's kind.
            .OrderBy(x => x.item.Time).ThenBy(x => x.item.IsDetection ? 0 : 1).ThenBy(x => x.i)
            .Select(x => x.item)
            .ToList();

        var episodes = new List<GroupEpisode>();
        var pending = new List<Item>();
        string? owner = null;
        DateTimeOffset? ownerStoppedAt = null;
        // Where the owner said it handed the group when it stopped it (the stopping record's next).
        string? handedTo = null;
        GroupEpisode? open = null;
        foreach (var s in steps)
        {
            if (s.Record is { } r)
            {
                switch (r.State)
                {
                    case GroupStates.Starting:
                        if (open != null && open.To == r.Node) { open.Steps.Add(s.Step); continue; }
                        if (open != null) { Close(open, null, EpisodeOutcomes.Failed); owner = open.To; ownerStoppedAt = null; handedTo = null; }
                        var detected = pending.Any(p => p.IsDetection);
                        var kind = owner == null ? EpisodeKinds.Start
                            : detected ? EpisodeKinds.Failover
                            : ownerStoppedAt is { } stopped && s.Time - stopped <= MoveGap ? (owner == r.Node ? EpisodeKinds.Restart : EpisodeKinds.Move)
                            : ownerStoppedAt != null ? EpisodeKinds.Start
                            : EpisodeKinds.Failover;
                        // A failover back to the node that handed the group away: the node it went to ran it in between
                        // (its journal is missing, e.g. it is down), so that is where it failed over from.
                        var from = kind == EpisodeKinds.Failover && owner == r.Node && handedTo != null && handedTo != r.Node ? handedTo : owner;
                        open = new GroupEpisode { Group = group, Kind = kind, From = kind == EpisodeKinds.Start ? null : from, To = r.Node, Generation = r.Generation };
                        open.Steps.AddRange(pending.Select(p => p.Step));
                        open.Steps.Add(s.Step);
                        pending.Clear();
                        episodes.Add(open);
                        continue;
                    case GroupStates.Online or GroupStates.Failed when open != null && r.Node == open.To:
                        open.Steps.Add(s.Step);
                        Close(open, s.Time, r.State);
                        owner = r.Node;
                        ownerStoppedAt = null;
                        handedTo = null;
                        open = null;
                        continue;
                    case GroupStates.Stopping or GroupStates.Offline when r.Node == owner:
                        ownerStoppedAt = s.Time;
                        handedTo = r.Next ?? handedTo;
                        break;
                }
            }
            if (open != null) open.Steps.Add(s.Step);
            else pending.Add(s);
        }
        if (open != null) Close(open, null, EpisodeOutcomes.Unfinished);
        return episodes;
    }

    static void Close(GroupEpisode e, DateTimeOffset? end, string outcome)
    {
        e.Outcome = outcome;
        e.Began = e.Steps.Count > 0 ? e.Steps[0].Time : "";
        if (end is { } t)
        {
            e.Ended = Iso(t);
            e.DurationMs = (long)(t - AlertMerge.ParseTime(e.Began)).TotalMilliseconds;
        }
    }

    sealed record Item(DateTimeOffset Time, TimelineStep Step, OwnershipRecord? Record, bool IsDetection);

    static Item FromRecord(OwnershipRecord r)
        => new(AlertMerge.ParseTime(r.Time), new TimelineStep
        {
            Time = r.Time, Node = r.Node, Step = r.State,
            Message = $"group {r.Group} {r.State} on {r.Node} (generation {r.Generation}{(r.Owner != null && r.Owner != r.Node ? ", owner " + r.Owner : "")})",
        }, r, false);

    static readonly AlertEvent[] GroupEvents = [AlertEvents.Rc.GroupMoving, AlertEvents.Rc.GroupStartFailed, AlertEvents.Rc.NoServer, AlertEvents.Rc.GroupBlocked];

    /// <summary>The alerts that belong in a group's timeline, named by the step they are; null for the others.</summary>
    static Item? FromAlert(AlertEntry a, string group, IReadOnlyCollection<string> resources)
    {
        var step =
            AlertEvents.Nm.NodeLost.Matches(a) || AlertEvents.Nm.NodeRestarted.Matches(a) ? "detection"
            : AlertEvents.Rm.MonitorFailed.Matches(a) && MentionsAny(a.Message, resources, group) ? "detection"
            : (AlertEvents.Rc.ResourceStartFailed.Matches(a) || AlertEvents.Rc.ResourceStopFailed.Matches(a)) && MentionsAny(a.Message, resources, group) ? "detection"
            : AlertEvents.Pm.StaleCopy.Matches(a) && Mentions(a.Message, group) ? "detection"
            : a.Module == AlertEvents.Fence.Module ? "fence"
            : a.Module == AlertEvents.Np.Module ? "partition"
            : GroupEvents.Any(e => e.Matches(a)) && Mentions(a.Message, group) ? "group"
            : (AlertEvents.Rc.ResourceStarted.Matches(a) || AlertEvents.Rc.ResourceStopped.Matches(a)) && MentionsAny(a.Message, resources, null) ? "resource"
            : null;
        if (step == null) return null;
        return new Item(AlertMerge.ParseTime(a.Time), new TimelineStep { Time = a.Time, Node = a.Node, Step = step, Message = a.Message },
            null, step == "detection");
    }

    static bool MentionsAny(string message, IEnumerable<string> resources, string? group)
        => (group != null && Mentions(message, group)) || resources.Any(r => Mentions(message, r));

    static bool Mentions(string message, string name)
        => Regex.IsMatch(message, @"(^|[\s'""(])" + Regex.Escape(name) + @"($|[\s'"".,:)])");

    static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ");
}
