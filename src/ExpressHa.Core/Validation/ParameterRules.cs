using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using ExpressHa.Config;
using ExpressHa.Schema;

namespace ExpressHa.Validation
{
    /// <summary>Type-specific parameters of a resource or monitor against its schema: unknown names, values that do not
    /// coerce, required and one-of parameters, per-node maps. Always coerces, since a bag may hold raw values.</summary>
    internal static class ParameterRules
    {
        /// <param name="nodes">The nodes per-node maps are keyed by (a group's servers, or every node for a monitor).</param>
        /// <param name="nodeScope">How to name those nodes in messages.</param>
        /// <returns>The canonical value of every parameter that is set and valid.</returns>
        public static Dictionary<string, object> Check(ValidationContext ctx, string path, string kind, TypeSchema schema, ParameterBag? bag,
            IReadOnlyList<string> nodes, string nodeScope)
        {
            var values = new Dictionary<string, object>(StringComparer.Ordinal);
            var names = schema.Parameters.Select(p => p.Name).ToList();
            if (bag != null)
            {
                foreach (var e in bag.ToList())
                {
                    var ppath = $"{path}.{e.Key}";
                    var spec = schema.Find(e.Key);
                    if (spec == null)
                    {
                        var hint = Yaml.Suggest.Closest(e.Key, names);
                        ctx.Error(FindingCodes.UnknownField, ppath, $"unknown field '{e.Key}' for {kind} type {schema.Name}",
                            (hint != null ? $"did you mean '{hint}'? " : "")
                            + (names.Count > 0 ? $"parameters of {schema.Name}: {string.Join(", ", names)}" : $"{schema.Name} takes no parameters; remove it"));
                        continue;
                    }
                    var value = spec.Kind == ParameterKind.PerNode ? CoercePerNode(ctx, spec, e.Value, ppath) : Coerce(ctx, spec, e.Value, ppath);
                    if (value != null) values[e.Key] = value;
                }
            }

            foreach (var spec in schema.Parameters)
            {
                if (spec.Required && !(bag?.ContainsKey(spec.Name) ?? false))
                    ctx.Error(FindingCodes.MissingField, $"{path}.{spec.Name}", $"{schema.Name} needs {spec.Name}",
                        $"add {spec.Name}: {spec.Description.TrimEnd('.')}");
                if (spec.Kind == ParameterKind.PerNode && !(bag?.ContainsKey(spec.Name) ?? false) && spec.AllNodesRequired && nodes.Count > 0)
                    ctx.Error(FindingCodes.MissingPerNodeValue, $"{path}.{spec.Name}", $"{spec.Name} has no value for {Nodes(nodes)}",
                        $"give one value per node of {nodeScope}: {spec.Name}: {{ {string.Join(", ", nodes.Select(n => n + ": ..."))} }}");
                if (spec.Kind == ParameterKind.PerNode && values.TryGetValue(spec.Name, out var v) && v is SortedDictionary<string, string> map)
                    CheckPerNodeKeys(ctx, spec, map, $"{path}.{spec.Name}", nodes, nodeScope);
                if (spec.DistinctPerNode && values.TryGetValue(spec.Name, out var d))
                    CheckDistinct(ctx, spec, d, $"{path}.{spec.Name}", nodes);
            }

            if (schema.OneOf is string[] oneOf && oneOf.Length > 0 && !oneOf.Any(n => bag?.ContainsKey(n) ?? false))
                ctx.Error(FindingCodes.MissingField, path, $"{schema.Name} needs one of {string.Join(", ", oneOf)}",
                    $"set {string.Join(" or ", oneOf)}");
            return values;
        }

        static void CheckPerNodeKeys(ValidationContext ctx, ParameterSpec spec, SortedDictionary<string, string> map, string path,
            IReadOnlyList<string> nodes, string nodeScope)
        {
            foreach (var key in map.Keys)
                if (!nodes.Contains(key, ClusterConfig.NameComparer))
                    ctx.Error(FindingCodes.MissingReference, $"{path}.{key}",
                        ctx.NodeNames.Contains(key) ? $"node '{key}' is not a server of {nodeScope}" : $"node '{key}' does not exist",
                        nodes.Count > 0 ? $"key the values by the servers of {nodeScope}: {string.Join(", ", nodes)}" : $"add '{key}' to the servers of {nodeScope}, or remove the value");
            // A map that names some nodes but not others is most likely a node forgotten: an error where the node cannot
            // run without its value, a warning where it falls back to the default (or to what the description says).
            foreach (var n in nodes)
            {
                if (map.ContainsKey(n)) continue;
                var message = $"{spec.Name} has no value for node '{n}'";
                var fix = $"add {n}: ... under {spec.Name}, or give one value for every node ({spec.Name}: value)";
                if (spec.AllNodesRequired || spec.Required)
                    ctx.Error(FindingCodes.MissingPerNodeValue, $"{path}.{n}", message, $"{fix}; every server of {nodeScope} needs one");
                else
                    ctx.Warn(FindingCodes.MissingPerNodeValue, $"{path}.{n}", message, $"{fix}; until then, on {n}: {Fallback(spec)}");
            }
        }

        static void CheckDistinct(ValidationContext ctx, ParameterSpec spec, object value, string path, IReadOnlyList<string> nodes)
        {
            var example = $"{spec.Name}: {{ {string.Join(", ", (nodes.Count > 0 ? nodes : new[] { "server1", "server2" }).Select(n => n + ": ..."))} }}";
            if (value is string single)
            {
                ctx.Error(FindingCodes.InvalidValue, path, $"{spec.Name} is the single value {single} for every node, but each node needs its own",
                    $"give one value per node: {example}");
                return;
            }
            if (!(value is SortedDictionary<string, string> map)) return;
            foreach (var same in map.GroupBy(e => e.Value, StringComparer.Ordinal).Where(g => g.Count() > 1))
                ctx.Error(FindingCodes.InvalidValue, $"{path}.{same.Skip(1).First().Key}",
                    $"{spec.Name} {same.Key} is given to {string.Join(" and ", same.Select(e => e.Key))}, but each node needs its own",
                    $"give each node its own {spec.Name}: {example}");
        }

        /// <summary>What a node without a value gets: the default, or the "omitted: ..." rule of the description.</summary>
        static string Fallback(ParameterSpec spec)
        {
            if (spec.Default != null) return $"the default {ParameterValues.Scalar(spec.Default)}";
            const string omitted = "omitted: ";
            var at = spec.Description.IndexOf(omitted, StringComparison.Ordinal);
            return at >= 0 ? spec.Description.Substring(at + omitted.Length).TrimEnd('.') : $"{spec.Name} is not set";
        }

        static string Nodes(IReadOnlyList<string> nodes) => nodes.Count == 1 ? $"node '{nodes[0]}'" : "nodes " + string.Join(", ", nodes.Select(n => $"'{n}'"));

        /// <summary>Coerces one value; reports the coercion error split into what is wrong and how to fix it.</summary>
        static object? Coerce(ValidationContext ctx, ParameterSpec spec, object? raw, string path)
        {
            object? value;
            string? error;
            try { value = ParameterValues.Coerce(spec, raw, out error); }
            catch (Exception ex) { value = null; error = $"the value cannot be read ({ex.GetType().Name}); give a {ParameterValues.Describe(spec.Kind)}"; }
            if (error == null && value != null) return value;
            Report(ctx, spec, path, error ?? "the value is empty");
            return null;
        }

        /// <summary>Per-node maps are coerced entry by entry so that each bad value gets its own path (eni.server2).</summary>
        static object? CoercePerNode(ValidationContext ctx, ParameterSpec spec, object? raw, string path)
        {
            object? unwrapped;
            try { unwrapped = ParameterValues.Unwrap(raw); }
            catch (Exception) { unwrapped = raw; }
            if (!(unwrapped is IDictionary dict)) return Coerce(ctx, spec, raw, path);
            var entries = new List<DictionaryEntry>();
            try
            {
                // IDictionary's own enumerator gives DictionaryEntry even for generic dictionaries.
                var en = dict.GetEnumerator();
                while (en.MoveNext()) entries.Add(en.Entry);
            }
            catch (Exception) { return Coerce(ctx, spec, raw, path); }
            var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
            var ok = true;
            foreach (var e in entries)
            {
                string key;
                try { key = ParameterValues.Scalar(ParameterValues.Unwrap(e.Key)); }
                catch (Exception) { key = "?"; }
                var one = new Hashtable { [key] = e.Value };
                if (Coerce(ctx, spec, one, $"{path}.{key}", key) is SortedDictionary<string, string> m && m.TryGetValue(key, out var v)) result[key] = v;
                else ok = false;
            }
            return ok ? result : null;
        }

        static object? Coerce(ValidationContext ctx, ParameterSpec spec, object? raw, string path, string key)
        {
            object? value;
            string? error;
            try { value = ParameterValues.Coerce(spec, raw, out error); }
            catch (Exception ex) { value = null; error = $"the value cannot be read ({ex.GetType().Name})"; }
            if (error == null && value != null) return value;
            error ??= "the value is empty";
            var prefix = key + ": ";
            if (error.StartsWith(prefix, StringComparison.Ordinal)) error = error.Substring(prefix.Length);
            Report(ctx, spec, path, error);
            return null;
        }

        static void Report(ValidationContext ctx, ParameterSpec spec, string path, string error)
        {
            var cut = error.IndexOf("; ", StringComparison.Ordinal);
            var message = cut > 0 ? error.Substring(0, cut) : error;
            var fix = cut > 0 ? error.Substring(cut + 2) : $"give a {ParameterValues.Describe(spec.Kind == ParameterKind.PerNode ? spec.ValueKind : spec.Kind)}";
            ctx.Error(FindingCodes.InvalidValue, path, message, fix);
        }
    }
}
