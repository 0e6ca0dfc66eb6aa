using System.Collections.Generic;

namespace ExpressHa.Config
{
    /// <summary>Type-specific parameters by name. Values are canonical: string, long, bool,
    /// List&lt;string&gt; or SortedDictionary&lt;string,string&gt; (per-node values and maps).</summary>
    public sealed class ParameterBag : Dictionary<string, object>
    {
        public ParameterBag() : base(System.StringComparer.Ordinal) { }

        public string? GetString(string name) => TryGetValue(name, out var v) ? v as string : null;
    }
}
