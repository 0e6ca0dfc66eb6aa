using System.Collections;
using ExpressHa.Config;
using ExpressHa.Schema;

namespace ExpressHa.Cmdlets
{
    /// <summary>Applies a -Property hashtable to a parameter bag: known parameters are stored canonical, anything else raw,
    /// so the validator names the bad field and its fix; a $null value removes the parameter.</summary>
    internal static class PropertyBag
    {
        public static void Apply(ParameterBag bag, TypeSchema schema, IDictionary? property)
        {
            if (property == null) return;
            foreach (DictionaryEntry e in property)
            {
                var key = System.Convert.ToString(RawValues.Plain(e.Key), System.Globalization.CultureInfo.InvariantCulture) ?? "";
                var raw = RawValues.Plain(e.Value);
                if (raw == null) { bag.Remove(key); continue; }
                var spec = schema.Find(key);
                if (spec != null && ParameterValues.Coerce(spec, raw, out var error) is object value && error == null) bag[key] = value;
                else bag[key] = raw;
            }
        }
    }
}
