using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace ExpressHa.Config
{
    /// <summary>Type-specific parameters by name. Values are canonical: string, long, bool,
    /// List&lt;string&gt; or SortedDictionary&lt;string,string&gt; (per-node values and maps).</summary>
    public sealed class ParameterBag : Dictionary<string, object>
    {
        public ParameterBag() : base(System.StringComparer.Ordinal) { }

        public string? GetString(string name) => TryGetValue(name, out var v) ? v as string : null;

        /// <summary>key=value; ... sorted by key, for views and logs.</summary>
        public override string ToString() => string.Join("; ", Entries());

        /// <summary>"key=value" for each parameter, sorted by key (a list view shows one a line).</summary>
        public IEnumerable<string> Entries()
            => Keys.OrderBy(k => k, System.StringComparer.Ordinal).Select(k => k + "=" + Show(this[k]));

        static string Show(object? v) => v switch
        {
            null => "",
            string s => s,
            IDictionary d => "{" + string.Join(", ", d.Keys.Cast<object>().Select(k => k + "=" + Show(d[k])).OrderBy(x => x, System.StringComparer.Ordinal)) + "}",
            IEnumerable e => "[" + string.Join(", ", e.Cast<object>().Select(Show)) + "]",
            bool b => b ? "true" : "false",
            _ => Schema.ParameterValues.Scalar(v),
        };
    }
}
