using System;
using System.Collections.Generic;
using System.Linq;
using ExpressHa.Config;
using ExpressHa.Yaml;

namespace ExpressHa.Validation
{
    /// <summary>Checks a whole config: every finding names the field's path (as the YAML reader writes it), what is wrong and how to fix it.
    /// Never throws on the model's content; findings come in document order.</summary>
    public static class ConfigValidator
    {
        public static IReadOnlyList<ValidationFinding> Validate(ClusterConfig config)
        {
            if (config == null) throw new ArgumentNullException(nameof(config));
            var ctx = new ValidationContext(config);
            ClusterRules.Check(ctx);
            NodeRules.Check(ctx);
            GroupRules.Check(ctx);
            MonitorRules.Check(ctx);
            return ctx.Findings;
        }

        /// <summary>The reader's structural findings and the validator's, without repeats (same code and path), each given
        /// its position in the text, ordered by position (findings without one keep their place at the end).</summary>
        public static IReadOnlyList<ValidationFinding> Validate(ConfigReadResult read, string? source = null)
        {
            if (read == null) throw new ArgumentNullException(nameof(read));
            var all = new List<ValidationFinding>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var f in read.Findings.Concat(Validate(read.Config)))
                if (seen.Add(f.Code + "\n" + f.Path)) all.Add(f);
            source ??= read.Findings.Select(f => f.Source).FirstOrDefault(s => s != null) ?? "<config>";
            foreach (var f in all) read.Locate(f, source);
            return all.Select((f, i) => (f, i)).OrderBy(x => x.f.Line ?? int.MaxValue).ThenBy(x => x.f.Column ?? 0).ThenBy(x => x.i).Select(x => x.f).ToList();
        }

        /// <summary>True when any finding is an error (warnings do not block a config).</summary>
        public static bool HasErrors(IEnumerable<ValidationFinding> findings) => findings.Any(f => f.IsError);
    }
}
