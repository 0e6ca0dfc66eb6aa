using System;

namespace ExpressHa.Yaml
{
    /// <summary>The text is not YAML (or not a YAML mapping): nothing could be read. Carries the position.</summary>
    public sealed class ConfigParseException : Exception
    {
        public ConfigParseException(string source, int line, int column, string reason, Exception? inner = null)
            : base($"{source}: line {line}, column {column}: {reason}", inner)
        {
            Source = source;
            Line = line;
            Column = column;
            Reason = reason;
        }

        public new string Source { get; }
        public int Line { get; }
        public int Column { get; }
        public string Reason { get; }
    }
}
