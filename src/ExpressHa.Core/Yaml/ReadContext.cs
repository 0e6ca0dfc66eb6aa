using System.Collections.Generic;
using ExpressHa.Validation;
using YamlDotNet.RepresentationModel;

namespace ExpressHa.Yaml
{
    /// <summary>What one read collects: findings with positions, and where each field path starts in the text.</summary>
    internal sealed class ReadContext
    {
        public ReadContext(string source) { Source = source; }

        public string Source { get; }
        public List<ValidationFinding> Findings { get; } = new List<ValidationFinding>();
        public Dictionary<string, (int Line, int Column)> Positions { get; } = new Dictionary<string, (int, int)>(System.StringComparer.Ordinal);

        public void Mark(string path, YamlNode node)
        {
            if (!Positions.ContainsKey(path)) Positions[path] = ((int)node.Start.Line, (int)node.Start.Column);
        }

        public void Error(string code, string path, YamlNode node, string message, string fix)
            => Findings.Add(new ValidationFinding(FindingSeverity.Error, code, path, message, fix)
            { Line = (int)node.Start.Line, Column = (int)node.Start.Column, Source = Source });
    }
}
