using System.Collections;
using ExpressHa.Config;
using ExpressHa.Schema;

namespace ExpressHa.Cmdlets
{
    /// <summary>Applies a -Property hashtable to a parameter bag: known parameters are stored canonical, anything else raw,
    /// so the validator names the bad field and its fix; a $null value removes the parameter. With merge (Set-HaResource),
    /// a map parameter (per-node values, environment) takes the given keys into the current map, and a $null key value removes that key.</summary>
    internal static class PropertyBag
    {
        public static void Apply(ParameterBag bag, TypeSchema schema, IDictionary? property, bool merge = false)
        {
            if (property == null) return;
            foreach (DictionaryEntry e in property)
            {
                var key = System.Convert.ToString(RawValues.Plain(e.Key), System.Globalization.CultureInfo.InvariantCulture) ?? "";
                var raw = RawValues.Plain(e.Value);
                if (raw == null) { bag.Remove(key); continue; }
                var spec = schema.Find(key);
                if (merge && spec != null && (spec.Kind == ParameterKind.PerNode || spec.Kind == ParameterKind.StringMap)
                    && raw is IDictionary given && bag.TryGetValue(key, out var current) && current is IDictionary existing)
                {
                    var merged = new System.Collections.Generic.Dictionary<string, object?>(System.StringComparer.Ordinal);
                    foreach (DictionaryEntry c in existing) merged[c.Key.ToString()!] = c.Value;
                    foreach (DictionaryEntry g in given)
                    {
                        var k = g.Key?.ToString() ?? "";
                        if (g.Value == null) merged.Remove(k); else merged[k] = g.Value;
                    }
                    raw = merged;
                }
                if (spec != null && ParameterValues.Coerce(spec, raw, out var error) is object value && error == null) bag[key] = value;
                else bag[key] = raw;
            }
        }
    }
}
