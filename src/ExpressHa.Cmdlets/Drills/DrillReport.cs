using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text;

namespace ExpressHa.Cmdlets
{
    /// <summary>The drill report: Markdown (summary table, then per drill its resources and timeline) and HTML (the same,
    /// with a timeline picture per drill as inline SVG: one row per subject, a dot per observation, the detection and
    /// the end marked).</summary>
    public static class DrillReport
    {
        static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

        static string S(double seconds) => seconds.ToString("0.00", Inv);
        static string S(double? seconds) => seconds.HasValue ? S(seconds.Value) : "—";

        public static string Markdown(string cluster, DateTime startedUtc, IReadOnlyList<HaDrillResult> results)
        {
            var sb = new StringBuilder();
            sb.Append("# Failover drill: ").Append(cluster).Append("\n\n");
            sb.Append("Started ").Append(startedUtc.ToString("yyyy-MM-dd HH:mm:ss", Inv)).Append(" UTC. ")
              .Append(results.Count(r => r.Succeeded)).Append(" of ").Append(results.Count).Append(" drills succeeded. ")
              .Append("Times are seconds from the request, as the status showed them (polled every ")
              .Append(DrillRunner.PollMs).Append(" ms).\n\n");
            sb.Append("| Drill | Result | Detection s | Total s | Message |\n|---|---|---|---|---|\n");
            foreach (var r in results)
                sb.Append("| ").Append(Cell(r.Drill)).Append(" | ").Append(r.Succeeded ? "ok" : "FAILED").Append(" | ")
                  .Append(S(r.DetectionSeconds)).Append(" | ").Append(S(r.TotalSeconds)).Append(" | ").Append(Cell(r.Message)).Append(" |\n");
            foreach (var r in results)
            {
                sb.Append("\n## ").Append(r.Drill).Append("\n\n");
                if (r.Resources.Length > 0)
                {
                    sb.Append("| Resource | State | Node | At s |\n|---|---|---|---|\n");
                    foreach (var t in r.Resources)
                        sb.Append("| ").Append(Cell(t.Resource)).Append(" | ").Append(t.State).Append(" | ").Append(Cell(t.Node)).Append(" | ").Append(S(t.Seconds)).Append(" |\n");
                    sb.Append('\n');
                }
                foreach (var e in r.Timeline) sb.Append("- ").Append(S(e.Seconds)).Append(" s: ").Append(e.Text).Append('\n');
            }
            return sb.ToString();
        }

        public static string Html(string cluster, DateTime startedUtc, IReadOnlyList<HaDrillResult> results)
        {
            var sb = new StringBuilder();
            sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Failover drill: ").Append(E(cluster)).Append("</title>\n")
              .Append("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}")
              .Append(".ok{color:#17702a}.failed{color:#b00020;font-weight:bold}svg{border:1px solid #ddd;margin:8px 0}</style></head><body>\n");
            sb.Append("<h1>Failover drill: ").Append(E(cluster)).Append("</h1>\n<p>Started ").Append(startedUtc.ToString("yyyy-MM-dd HH:mm:ss", Inv))
              .Append(" UTC. ").Append(results.Count(r => r.Succeeded)).Append(" of ").Append(results.Count).Append(" drills succeeded.</p>\n");
            sb.Append("<table><tr><th>Drill</th><th>Result</th><th>Detection s</th><th>Total s</th><th>Message</th></tr>\n");
            foreach (var r in results)
                sb.Append("<tr><td>").Append(E(r.Drill)).Append("</td><td class=\"").Append(r.Succeeded ? "ok\">ok" : "failed\">FAILED").Append("</td><td>")
                  .Append(S(r.DetectionSeconds)).Append("</td><td>").Append(S(r.TotalSeconds)).Append("</td><td>").Append(E(r.Message)).Append("</td></tr>\n");
            sb.Append("</table>\n");
            foreach (var r in results)
            {
                sb.Append("<h2>").Append(E(r.Drill)).Append("</h2>\n").Append(Timeline(r)).Append("\n<ul>\n");
                foreach (var e in r.Timeline) sb.Append("<li>").Append(S(e.Seconds)).Append(" s: ").Append(E(e.Text)).Append("</li>\n");
                sb.Append("</ul>\n");
            }
            return sb.Append("</body></html>\n").ToString();
        }

        /// <summary>The timeline picture of one drill.</summary>
        public static string Timeline(HaDrillResult r)
        {
            const int left = 190, width = 560, row = 22, top = 28;
            var subjects = r.Timeline.Where(e => e.Subject.Length > 0 && e.Kind != "done" && e.Kind != "detected")
                .Select(e => e.Subject).Distinct().ToList();
            var end = Math.Max(r.TotalSeconds, r.Timeline.Select(e => e.Seconds).DefaultIfEmpty(0).Max());
            var scale = end > 0 ? width / end : 0;
            double X(double s) => left + s * scale;
            var height = top + subjects.Count * row + 24;
            var sb = new StringBuilder();
            sb.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(left + width + 40).Append("\" height=\"").Append(height)
              .Append("\" role=\"img\" aria-label=\"").Append(E("timeline of " + r.Drill)).Append("\">\n");
            sb.Append("<line x1=\"").Append(left).Append("\" y1=\"").Append(height - 18).Append("\" x2=\"").Append(left + width).Append("\" y2=\"")
              .Append(height - 18).Append("\" stroke=\"#888\"/>\n");
            foreach (var tick in Ticks(end))
                sb.Append("<text x=\"").Append(F(X(tick))).Append("\" y=\"").Append(height - 4).Append("\" font-size=\"10\" text-anchor=\"middle\">")
                  .Append(tick.ToString("0.#", Inv)).Append(" s</text>\n");
            Marker(sb, r.DetectionSeconds, "detected", "#b00020", X, height);
            Marker(sb, r.TotalSeconds, "done", "#17702a", X, height);
            for (int i = 0; i < subjects.Count; i++)
            {
                var y = top + i * row;
                sb.Append("<text x=\"4\" y=\"").Append(y + 4).Append("\" font-size=\"11\">").Append(E(subjects[i])).Append("</text>\n");
                var events = r.Timeline.Where(e => e.Subject == subjects[i]).ToList();
                for (int j = 0; j < events.Count; j++)
                {
                    var e = events[j];
                    if (j + 1 < events.Count)
                        sb.Append("<line x1=\"").Append(F(X(e.Seconds))).Append("\" y1=\"").Append(y).Append("\" x2=\"").Append(F(X(events[j + 1].Seconds)))
                          .Append("\" y2=\"").Append(y).Append("\" stroke=\"").Append(Colour(e.Text)).Append("\" stroke-width=\"4\"/>\n");
                    sb.Append("<circle cx=\"").Append(F(X(e.Seconds))).Append("\" cy=\"").Append(y).Append("\" r=\"4\" fill=\"").Append(Colour(e.Text))
                      .Append("\"><title>").Append(E($"{S(e.Seconds)} s: {e.Text}")).Append("</title></circle>\n");
                }
            }
            return sb.Append("</svg>").ToString();
        }

        static void Marker(StringBuilder sb, double? at, string label, string colour, Func<double, double> x, int height)
        {
            if (at == null) return;
            sb.Append("<line x1=\"").Append(F(x(at.Value))).Append("\" y1=\"12\" x2=\"").Append(F(x(at.Value))).Append("\" y2=\"").Append(height - 18)
              .Append("\" stroke=\"").Append(colour).Append("\" stroke-dasharray=\"4 3\"/>\n<text x=\"").Append(F(x(at.Value))).Append("\" y=\"10\" font-size=\"10\" fill=\"")
              .Append(colour).Append("\" text-anchor=\"middle\">").Append(label).Append(' ').Append(S(at.Value)).Append(" s</text>\n");
        }

        /// <summary>Colour of the segment that starts with an observation: by the state it names.</summary>
        static string Colour(string text)
        {
            var t = " " + text + " ";
            if (t.Contains(" error ") || t.Contains(" failed ") || t.Contains(" lost ") || t.Contains(" refused")) return "#b00020";
            if (t.Contains(" starting ") || t.Contains(" stopping ") || t.Contains(" request")) return "#e0a000";
            if (t.Contains(" online ") || t.Contains(" normal ") || t.Contains(" running ")) return "#17702a";
            return "#7a7a7a";
        }

        static IEnumerable<double> Ticks(double end)
        {
            if (end <= 0) { yield return 0; yield break; }
            var step = Math.Pow(10, Math.Floor(Math.Log10(end)));
            if (end / step < 3) step /= 2;
            for (double t = 0; t <= end + 1e-9; t += step) yield return t;
        }

        static string F(double v) => v.ToString("0.#", Inv);
        static string E(string text) => WebUtility.HtmlEncode(text);
        static string Cell(string text) => text.Replace("|", "\\|").Replace("\n", " ");
    }
}
