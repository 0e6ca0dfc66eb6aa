using System.Collections.Generic;
using System.Linq;

namespace ExpressHa.Config
{
    /// <summary>One-line descriptions of partition resolution and fencing, for status views and summaries.</summary>
    public static class SafetySummary
    {
        public static string Partition(PartitionResolutionSettings p)
        {
            var parts = new List<string>();
            if (p.Ping != null) parts.Add("ping " + string.Join(", ", p.Ping.Targets));
            if (p.Http != null) parts.Add("witness " + p.Http.Url);
            if (p.Tcp != null) parts.Add($"tcp {p.Tcp.Host}:{p.Tcp.Port}");
            if (p.Majority) parts.Add("majority");
            return parts.Count == 0 ? "none" : string.Join(" + ", parts) + $"; on loss: {p.Action}";
        }

        public static string Watchdog(WatchdogSettings w)
            => w.IsEnabled ? $"{w.Device}, resets a node within {w.TimeoutMs} ms of its last feed" : "off";

        public static string Fencing(FencingSettings f)
        {
            if (!f.IsEnabled) return "off";
            var delays = f.DelaySeconds.Count == 0 ? "" : " (delays " + string.Join(", ", f.DelaySeconds.Select(d => $"{d.Key} {d.Value}s")) + ")";
            return string.Join(" then ", f.Levels.Select(l => l.Type)) + delays;
        }
    }
}
