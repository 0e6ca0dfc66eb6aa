using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace ExpressHa.Schema
{
    /// <summary>Turns raw values (YAML scalars, PowerShell hashtables, numbers) into a parameter's canonical value.</summary>
    public static class ParameterValues
    {
        /// <summary>Returns the canonical value, or null with <paramref name="error"/> saying what is wrong and how to fix it.</summary>
        public static object? Coerce(ParameterSpec spec, object? raw, out string? error)
        {
            error = null;
            raw = Unwrap(raw);
            if (raw == null) { error = "a value is required; remove the field or give a value"; return null; }
            switch (spec.Kind)
            {
                case ParameterKind.PerNode:
                case ParameterKind.StringMap:
                    if (spec.Kind == ParameterKind.PerNode && !(raw is IDictionary) && !(raw is IEnumerable && !(raw is string)))
                        return CheckScalar(spec.ValueKind, spec, Scalar(raw), out error, raw);
                    if (!(raw is IDictionary dict))
                    {
                        error = spec.Kind == ParameterKind.PerNode
                            ? $"expected one value for every node, or a map of node name to value like {{ server1: ..., server2: ... }}; got '{Show(raw)}'"
                            : $"expected a map of name to value; got '{Show(raw)}'";
                        return null;
                    }
                    var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
                    foreach (DictionaryEntry e in dict)
                    {
                        var key = Convert.ToString(Unwrap(e.Key), CultureInfo.InvariantCulture) ?? "";
                        var value = Unwrap(e.Value);
                        if (value is IDictionary || (value is IEnumerable && !(value is string)))
                        {
                            error = $"the value for '{key}' must be a single value, not a list or map";
                            return null;
                        }
                        var text = Scalar(value);
                        if (spec.Kind == ParameterKind.PerNode)
                        {
                            var one = CheckScalar(spec.ValueKind, spec, text, out var inner);
                            if (inner != null) { error = $"{key}: {inner}"; return null; }
                            text = (string)one!;
                        }
                        map[key] = text;
                    }
                    return map;
                case ParameterKind.StringList:
                    if (raw is string single) return new List<string> { single };
                    if (raw is IDictionary || !(raw is IEnumerable seq)) { error = $"expected a list of values, like [a, b]; got '{Show(raw)}'"; return null; }
                    var list = new List<string>();
                    foreach (var item in seq)
                    {
                        var v = Unwrap(item);
                        if (v is IDictionary || (v is IEnumerable && !(v is string))) { error = "list items must be single values"; return null; }
                        list.Add(Scalar(v));
                    }
                    return list;
                default:
                    if (raw is IDictionary || (raw is IEnumerable && !(raw is string)))
                    {
                        error = $"expected a single {Describe(spec.Kind)}, not a list or map";
                        return null;
                    }
                    return CheckScalar(spec.Kind, spec, raw is string s ? s : Scalar(raw), out error, raw);
            }
        }

        static object? CheckScalar(ParameterKind kind, ParameterSpec spec, string text, out string? error, object? original = null)
        {
            error = null;
            switch (kind)
            {
                case ParameterKind.Int:
                    if (original is bool || !long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
                    {
                        error = $"'{text}' is not a whole number; give a number like {spec.Default ?? 10}";
                        return null;
                    }
                    if (n < spec.Min || n > spec.Max)
                    {
                        error = $"{n} is out of range; use a value from {spec.Min} to {spec.Max}";
                        return null;
                    }
                    return n;
                case ParameterKind.Bool:
                    if (original is bool b) return b;
                    if (string.Equals(text, "true", StringComparison.OrdinalIgnoreCase)) return true;
                    if (string.Equals(text, "false", StringComparison.OrdinalIgnoreCase)) return false;
                    error = $"'{text}' is not a boolean; use true or false";
                    return null;
                case ParameterKind.IpAddress:
                    if (!Net.Ipv4.TryParse(text, out _)) { error = $"'{text}' is not an IPv4 address; use dotted form like 10.1.0.20"; return null; }
                    return text;
                case ParameterKind.Cidr:
                    if (!Net.Ipv4Cidr.TryParse(text, out _)) { error = $"'{text}' is not a CIDR block; use the form 10.0.0.0/16"; return null; }
                    return text;
                default:
                    if (text.Length == 0) { error = "the value is empty; give a value or remove the field"; return null; }
                    if (spec.AllowedValues != null && !spec.AllowedValues.Contains(text))
                    {
                        error = $"'{text}' is not allowed; use one of: {string.Join(", ", spec.AllowedValues)}";
                        return null;
                    }
                    if (spec.Pattern != null && !System.Text.RegularExpressions.Regex.IsMatch(text, spec.Pattern))
                    {
                        error = $"'{text}' is not {spec.PatternHelp}";
                        return null;
                    }
                    if (!string.IsNullOrEmpty(spec.Prefix) && !text.StartsWith(spec.Prefix, StringComparison.Ordinal))
                    {
                        error = $"'{text}' does not look like an id starting with '{spec.Prefix}'; give the AWS id, like {spec.Prefix}0123abcd";
                        return null;
                    }
                    return text;
            }
        }

        /// <summary>Strips PowerShell's PSObject wrapper without referencing System.Management.Automation.</summary>
        public static object? Unwrap(object? value)
        {
            for (int i = 0; i < 4 && value != null; i++)
            {
                var t = value.GetType();
                if (t.FullName != "System.Management.Automation.PSObject") break;
                var baseObject = t.GetProperty("BaseObject")?.GetValue(value);
                if (baseObject == null || ReferenceEquals(baseObject, value)) break;
                value = baseObject;
            }
            return value;
        }

        public static string Scalar(object? value) => value switch
        {
            null => "",
            bool b => b ? "true" : "false",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };

        static string Show(object raw) => raw is IDictionary ? "a map" : raw is IEnumerable && !(raw is string) ? "a list" : Scalar(raw);

        public static string Describe(ParameterKind kind) => kind switch
        {
            ParameterKind.Int => "whole number",
            ParameterKind.Bool => "true or false",
            ParameterKind.IpAddress => "IPv4 address",
            ParameterKind.Cidr => "CIDR block",
            ParameterKind.StringList => "list",
            ParameterKind.StringMap => "map",
            ParameterKind.PerNode => "value, or map of node name to value",
            _ => "value",
        };
    }
}
