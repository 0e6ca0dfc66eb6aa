using System.Collections.Generic;
using System.Linq;
using ExpressHa.Api;

namespace ExpressHa.Cmdlets
{
    /// <summary>What changed between two status answers, as timeline observations (without their time).</summary>
    public static class StatusChanges
    {
        public static List<HaDrillEvent> Between(ClusterStatus? before, ClusterStatus after)
        {
            var changes = new List<HaDrillEvent>();
            foreach (var n in after.Nodes)
            {
                var old = before?.Nodes.FirstOrDefault(x => x.Name == n.Name);
                if (old == null || old.State != n.State) changes.Add(Event("node", n.Name, $"{n.Name} {n.State}"));
                if (old != null && old.ServiceState != n.ServiceState && n.ServiceState.Length > 0)
                    changes.Add(Event("node", n.Name, $"{n.Name} service {n.ServiceState}"));
            }
            foreach (var g in after.Groups)
            {
                var old = before?.Groups.FirstOrDefault(x => x.Name == g.Name);
                if (old == null || old.State != g.State || old.Owner != g.Owner)
                    changes.Add(Event("group", g.Name, $"{g.Name} {g.State}" + (g.Owner != null ? " on " + g.Owner : "")));
                foreach (var r in g.Resources)
                {
                    var oldR = old?.Resources.FirstOrDefault(x => x.Name == r.Name);
                    if (oldR == null || oldR.State != r.State || old!.Owner != g.Owner)
                        changes.Add(Event("resource", g.Name + "/" + r.Name, $"{g.Name}/{r.Name} {r.State}" + (g.Owner != null ? " on " + g.Owner : "")));
                }
            }
            foreach (var m in after.Monitors)
            {
                var old = before?.Monitors.FirstOrDefault(x => x.Name == m.Name);
                if (old == null || old.State != m.State)
                    changes.Add(Event("monitor", m.Name, $"monitor {m.Name} {m.State}" + (m.Node != null ? " on " + m.Node : "")));
            }
            return changes;
        }

        /// <summary>The resource observations of a timeline: each resource seen offline or online, and where.</summary>
        public static HaDrillResourceTime[] ResourceTimes(IEnumerable<HaDrillEvent> timeline)
            => timeline.Where(e => e.Kind == "resource")
                .Select(e =>
                {
                    // "group/resource STATE on NODE"
                    var words = e.Text.Split(' ');
                    var on = System.Array.IndexOf(words, "on");
                    return new HaDrillResourceTime
                    {
                        Resource = e.Subject, State = words.Length > 1 ? words[1] : "",
                        Node = on > 0 && on + 1 < words.Length ? words[on + 1] : "", Seconds = e.Seconds,
                    };
                })
                .Where(r => r.State == GroupStates.Online || r.State == GroupStates.Offline)
                .ToArray();

        static HaDrillEvent Event(string kind, string subject, string text) => new HaDrillEvent { Kind = kind, Subject = subject, Text = text };
    }
}
