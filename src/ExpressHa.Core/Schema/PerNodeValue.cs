using System.Collections.Generic;
using ExpressHa.Config;

namespace ExpressHa.Schema
{
    /// <summary>The one reading of a per-node parameter: its canonical value is either a single string, the same on every
    /// node, or a map of node name to string. Everything that needs one node's value (service, validation, cmdlets) asks here.</summary>
    public static class PerNodeValue
    {
        /// <summary>The node's value: the scalar itself, or the map's entry for the node; null when there is none (or it is blank).</summary>
        public static string? For(object? value, string node)
        {
            var text = value switch
            {
                string s => s,
                IDictionary<string, string> map => map.TryGetValue(node, out var v) ? v : null,
                _ => null,
            };
            return string.IsNullOrWhiteSpace(text) ? null : text!.Trim();
        }

        /// <summary>A parameter's value for a node: the explicit value, else the schema's default (also when an explicit map
        /// leaves the node out, as the validator's warning says).</summary>
        public static string? Resolve(ParameterBag bag, ParameterSpec? spec, string name, string node)
            => (bag.TryGetValue(name, out var v) ? For(v, node) : null) ?? For(spec?.Default, node);

        /// <summary>True for a per-node map; a scalar (the same on every node) is false.</summary>
        public static bool IsMap(object? value) => value is IDictionary<string, string>;
    }
}
