using System.Collections.Generic;
using System.Linq;

namespace ExpressHa.Api
{
    /// <summary>GET /v1/groups/{name}/history: the group's starts, moves and failovers, oldest first, built from every
    /// reachable node's ownership journal and alerts.</summary>
    public sealed class GroupHistoryReport
    {
        public string Group { get; set; } = "";
        public List<GroupEpisode> Episodes { get; set; } = new List<GroupEpisode>();
        /// <summary>Nodes whose journal and alerts are missing from the history because they did not answer.</summary>
        public List<string> MissingNodes { get; set; } = new List<string>();
    }

    /// <summary>One change of the group's owner (or a start where none ran it) and how it went.</summary>
    public sealed class GroupEpisode
    {
        public string Group { get; set; } = "";
        /// <summary>start, move, failover or restart.</summary>
        public string Kind { get; set; } = "";
        /// <summary>The node that ran the group before, null for a start.</summary>
        public string? From { get; set; }
        public string To { get; set; } = "";
        /// <summary>UTC, ISO 8601: the first step (detection, the stop on the old node, or the start).</summary>
        public string Began { get; set; } = "";
        /// <summary>UTC, ISO 8601: when the group was online or failed; null while the episode is not finished.</summary>
        public string? Ended { get; set; }
        /// <summary>online, failed or unfinished.</summary>
        public string Outcome { get; set; } = "";
        public long? DurationMs { get; set; }
        /// <summary>The ownership generation the new owner started under.</summary>
        public long Generation { get; set; }
        public List<TimelineStep> Steps { get; set; } = new List<TimelineStep>();

        public override string ToString()
            => $"{Began} {Kind} {(From != null ? From + " -> " : "")}{To}: {Outcome}" + (DurationMs != null ? $" in {DurationMs} ms" : "");

        /// <summary>One line a step, for the list view.</summary>
        public string TimelineText() => string.Join("\n", Steps.Select(s => s.ToString()));
    }

    /// <summary>One step of an episode: detection, fence, partition, stop, resource, start, online, failed.</summary>
    public sealed class TimelineStep
    {
        public string Time { get; set; } = "";
        public string Node { get; set; } = "";
        public string Step { get; set; } = "";
        public string Message { get; set; } = "";

        public override string ToString()
            => $"{(Time.Length >= 23 ? Time.Substring(11, 12) : Time)} {Node} {Step}: {Message}";
    }
}
