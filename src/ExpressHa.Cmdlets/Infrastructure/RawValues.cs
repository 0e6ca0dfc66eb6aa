using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;

namespace ExpressHa.Cmdlets
{
    /// <summary>Turns PowerShell values (PSObject-wrapped, hashtables, arrays) into the plain shapes the schema coerces.</summary>
    internal static class RawValues
    {
        public static object? Plain(object? value)
        {
            if (value is PSObject pso) value = pso.BaseObject;
            switch (value)
            {
                case null: return null;
                case string s: return s;
                case IDictionary d:
                    var map = new Dictionary<string, object?>(System.StringComparer.Ordinal);
                    foreach (DictionaryEntry e in d) map[System.Convert.ToString(Plain(e.Key), System.Globalization.CultureInfo.InvariantCulture) ?? ""] = Plain(e.Value);
                    return map;
                case IEnumerable list:
                    var items = new List<object?>();
                    foreach (var i in list) items.Add(Plain(i));
                    return items;
                default: return value;
            }
        }
    }
}
