using System.Collections.Generic;
using System.Linq;

namespace ExpressHa.Config
{
    /// <summary>Fencing (forced stop of a lost node). Levels are tried in order until one succeeds.</summary>
    public sealed class FencingSettings
    {
        public List<FencingLevel> Levels { get; set; } = new List<FencingLevel>();
        /// <summary>Per-node delay before fencing that node, to break two-node fence races.</summary>
        public SortedDictionary<string, int> DelaySeconds { get; set; } = new SortedDictionary<string, int>(System.StringComparer.Ordinal);
        public int TimeoutSeconds { get; set; } = 120;
        public int Retries { get; set; } = 1;

        public bool IsEnabled => Levels.Count > 0;
        public bool Uses(string type) => Levels.Any(l => l.Type == type);

        public override string ToString() => SafetySummary.Fencing(this);
    }

    public sealed class FencingLevel
    {
        /// <summary>aws or script.</summary>
        public string Type { get; set; } = FencingTypes.Aws;
        /// <summary>For script: the command, run with the target node's name as its argument; exit 0 means fenced.</summary>
        public string? Command { get; set; }
        public override string ToString() => Command == null ? Type : Type + ": " + Command;
    }

    public static class FencingTypes
    {
        public const string Aws = "aws";
        public const string Script = "script";
        public static readonly string[] All = { Aws, Script };
    }
}
