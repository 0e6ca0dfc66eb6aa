using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace ExpressHa.Client
{
    /// <summary>Malformed JSON or JSON that does not fit the expected shape.</summary>
    public sealed class JsonLiteException : FormatException
    {
        public JsonLiteException(string message) : base(message) { }
    }

    /// <summary>A small JSON reader, writer and binder for the API's DTOs, so the netstandard2.0 client needs no JSON
    /// package (the module must load in Windows PowerShell 5.1 and must not clash with other modules' copies).
    /// Trees are Dictionary&lt;string, object?&gt; (ordinal keys), List&lt;object?&gt;, string, long, double, bool and null.
    /// Binding matches property names case-insensitively and ignores fields the target does not have.</summary>
    public static class JsonLite
    {
        const int MaxDepth = 128;

        // ---------------------------------------------------------------- reading

        public static object? Parse(string text)
        {
            if (text == null) throw new ArgumentNullException(nameof(text));
            var p = new Parser(text);
            p.SkipWs();
            var v = p.Value(0);
            p.SkipWs();
            if (p.Pos != text.Length) throw p.Error("unexpected text after the JSON value");
            return v;
        }

        sealed class Parser
        {
            readonly string _s;
            public int Pos;
            public Parser(string s) { _s = s; }

            public JsonLiteException Error(string what) => new JsonLiteException($"invalid JSON at offset {Pos}: {what}");

            public void SkipWs()
            {
                while (Pos < _s.Length && (_s[Pos] == ' ' || _s[Pos] == '\t' || _s[Pos] == '\n' || _s[Pos] == '\r')) Pos++;
            }

            public object? Value(int depth)
            {
                if (depth > MaxDepth) throw Error("nested too deeply");
                if (Pos >= _s.Length) throw Error("unexpected end");
                var c = _s[Pos];
                switch (c)
                {
                    case '{': return Object(depth);
                    case '[': return Array(depth);
                    case '"': return String();
                    case 't': Word("true"); return true;
                    case 'f': Word("false"); return false;
                    case 'n': Word("null"); return null;
                    default:
                        if (c == '-' || (c >= '0' && c <= '9')) return Number();
                        throw Error($"unexpected character '{c}'");
                }
            }

            void Word(string w)
            {
                if (string.CompareOrdinal(_s, Pos, w, 0, w.Length) != 0) throw Error("unexpected literal");
                Pos += w.Length;
            }

            Dictionary<string, object?> Object(int depth)
            {
                var d = new Dictionary<string, object?>(StringComparer.Ordinal);
                Pos++;
                SkipWs();
                if (Pos < _s.Length && _s[Pos] == '}') { Pos++; return d; }
                while (true)
                {
                    SkipWs();
                    if (Pos >= _s.Length || _s[Pos] != '"') throw Error("expected a field name");
                    var key = String();
                    SkipWs();
                    if (Pos >= _s.Length || _s[Pos] != ':') throw Error("expected ':'");
                    Pos++;
                    SkipWs();
                    d[key] = Value(depth + 1);
                    SkipWs();
                    if (Pos >= _s.Length) throw Error("unexpected end in an object");
                    if (_s[Pos] == ',') { Pos++; continue; }
                    if (_s[Pos] == '}') { Pos++; return d; }
                    throw Error("expected ',' or '}'");
                }
            }

            List<object?> Array(int depth)
            {
                var l = new List<object?>();
                Pos++;
                SkipWs();
                if (Pos < _s.Length && _s[Pos] == ']') { Pos++; return l; }
                while (true)
                {
                    SkipWs();
                    l.Add(Value(depth + 1));
                    SkipWs();
                    if (Pos >= _s.Length) throw Error("unexpected end in an array");
                    if (_s[Pos] == ',') { Pos++; continue; }
                    if (_s[Pos] == ']') { Pos++; return l; }
                    throw Error("expected ',' or ']'");
                }
            }

            string String()
            {
                Pos++;
                var sb = new StringBuilder();
                while (true)
                {
                    if (Pos >= _s.Length) throw Error("unterminated string");
                    var c = _s[Pos++];
                    if (c == '"') return sb.ToString();
                    if (c < 0x20) throw Error("control character in a string");
                    if (c != '\\') { sb.Append(c); continue; }
                    if (Pos >= _s.Length) throw Error("unterminated escape");
                    var e = _s[Pos++];
                    switch (e)
                    {
                        case '"': sb.Append('"'); break;
                        case '\\': sb.Append('\\'); break;
                        case '/': sb.Append('/'); break;
                        case 'b': sb.Append('\b'); break;
                        case 'f': sb.Append('\f'); break;
                        case 'n': sb.Append('\n'); break;
                        case 'r': sb.Append('\r'); break;
                        case 't': sb.Append('\t'); break;
                        case 'u':
                            if (Pos + 4 > _s.Length || !int.TryParse(_s.Substring(Pos, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                                throw Error("bad \\u escape");
                            sb.Append((char)code);
                            Pos += 4;
                            break;
                        default: throw Error($"unknown escape '\\{e}'");
                    }
                }
            }

            object Number()
            {
                var start = Pos;
                if (_s[Pos] == '-') Pos++;
                var digits = Pos;
                while (Pos < _s.Length && char.IsDigit(_s[Pos]) && _s[Pos] <= '9') Pos++;
                if (Pos == digits) throw Error("expected digits");
                var integral = true;
                if (Pos < _s.Length && _s[Pos] == '.')
                {
                    integral = false;
                    Pos++;
                    var f = Pos;
                    while (Pos < _s.Length && _s[Pos] >= '0' && _s[Pos] <= '9') Pos++;
                    if (Pos == f) throw Error("expected digits after '.'");
                }
                if (Pos < _s.Length && (_s[Pos] == 'e' || _s[Pos] == 'E'))
                {
                    integral = false;
                    Pos++;
                    if (Pos < _s.Length && (_s[Pos] == '+' || _s[Pos] == '-')) Pos++;
                    var x = Pos;
                    while (Pos < _s.Length && _s[Pos] >= '0' && _s[Pos] <= '9') Pos++;
                    if (Pos == x) throw Error("expected exponent digits");
                }
                var text = _s.Substring(start, Pos - start);
                if (integral && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return l;
                return double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
            }
        }

        // ---------------------------------------------------------------- writing

        /// <summary>Writes dictionaries, lists, strings, numbers, booleans, null, and objects by their public properties (camelCase names).</summary>
        public static string Write(object? value)
        {
            var sb = new StringBuilder();
            WriteValue(sb, value, 0);
            return sb.ToString();
        }

        static void WriteValue(StringBuilder sb, object? v, int depth)
        {
            if (depth > MaxDepth) throw new JsonLiteException("value nested too deeply to write");
            switch (v)
            {
                case null: sb.Append("null"); return;
                case string s: WriteString(sb, s); return;
                case bool b: sb.Append(b ? "true" : "false"); return;
                case int or long or short or byte or uint or ulong or ushort or sbyte:
                    sb.Append(Convert.ToString(v, CultureInfo.InvariantCulture)); return;
                case double d: sb.Append(d.ToString("R", CultureInfo.InvariantCulture)); return;
                case float f: sb.Append(f.ToString("R", CultureInfo.InvariantCulture)); return;
                case decimal m: sb.Append(m.ToString(CultureInfo.InvariantCulture)); return;
                case DateTimeOffset dto: WriteString(sb, dto.ToString("o", CultureInfo.InvariantCulture)); return;
                case DateTime dt: WriteString(sb, dt.ToString("o", CultureInfo.InvariantCulture)); return;
                case Enum e: WriteString(sb, CamelCase(e.ToString())); return;
                case IDictionary dict:
                    sb.Append('{');
                    var first = true;
                    foreach (DictionaryEntry kv in dict)
                    {
                        if (!first) sb.Append(',');
                        first = false;
                        WriteString(sb, Convert.ToString(kv.Key, CultureInfo.InvariantCulture) ?? "");
                        sb.Append(':');
                        WriteValue(sb, kv.Value, depth + 1);
                    }
                    sb.Append('}');
                    return;
                case IEnumerable list:
                    sb.Append('[');
                    var firstItem = true;
                    foreach (var item in list)
                    {
                        if (!firstItem) sb.Append(',');
                        firstItem = false;
                        WriteValue(sb, item, depth + 1);
                    }
                    sb.Append(']');
                    return;
                default:
                    sb.Append('{');
                    var firstProp = true;
                    foreach (var p in v.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
                    {
                        if (!p.CanRead || p.GetIndexParameters().Length > 0) continue;
                        if (!firstProp) sb.Append(',');
                        firstProp = false;
                        WriteString(sb, CamelCase(p.Name));
                        sb.Append(':');
                        WriteValue(sb, p.GetValue(v), depth + 1);
                    }
                    sb.Append('}');
                    return;
            }
        }

        static void WriteString(StringBuilder sb, string s)
        {
            sb.Append('"');
            foreach (var c in s)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    default:
                        if (c < 0x20 || c == '\u2028' || c == '\u2029' || char.IsSurrogate(c))
                            sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        else sb.Append(c);
                        break;
                }
            }
            sb.Append('"');
        }

        public static string CamelCase(string name)
            => string.IsNullOrEmpty(name) || char.IsLower(name[0]) ? name : char.ToLowerInvariant(name[0]) + name.Substring(1);

        // ---------------------------------------------------------------- binding

        public static T Deserialize<T>(string json) => (T)Bind(Parse(json), typeof(T), "$")!;

        public static object? Bind(object? node, Type type, string path = "$")
        {
            var nullable = Nullable.GetUnderlyingType(type);
            if (node == null)
            {
                if (!type.IsValueType || nullable != null) return null;
                throw new JsonLiteException($"{path}: null where a {type.Name} was expected");
            }
            if (nullable != null) type = nullable;

            if (type == typeof(object)) return node;
            if (type == typeof(string))
                return node as string ?? throw Mismatch(path, "a string", node);
            if (type == typeof(bool))
                return node is bool b ? b : throw Mismatch(path, "true or false", node);
            if (type == typeof(long))
                return node is long l ? l : throw Mismatch(path, "an integer", node);
            if (type == typeof(int))
                return node is long i && i >= int.MinValue && i <= int.MaxValue ? (int)i : throw Mismatch(path, "a 32-bit integer", node);
            if (type == typeof(double))
                return node is long dl ? dl : node is double d ? d : throw Mismatch(path, "a number", node);
            if (type == typeof(DateTimeOffset))
                return node is string ds && DateTimeOffset.TryParse(ds, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var dto)
                    ? dto : throw Mismatch(path, "an ISO 8601 time", node);
            if (type.IsEnum)
                return node is string es && TryEnum(type, es, out var ev) ? ev : throw Mismatch(path, "one of " + string.Join(", ", Enum.GetNames(type)), node);

            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
            {
                if (!(node is List<object?> items)) throw Mismatch(path, "a list", node);
                var list = (IList)Activator.CreateInstance(type)!;
                var et = type.GetGenericArguments()[0];
                for (int k = 0; k < items.Count; k++) list.Add(Bind(items[k], et, $"{path}[{k}]"));
                return list;
            }
            if (type.IsArray)
            {
                if (!(node is List<object?> items)) throw Mismatch(path, "a list", node);
                var et = type.GetElementType()!;
                var arr = Array.CreateInstance(et, items.Count);
                for (int k = 0; k < items.Count; k++) arr.SetValue(Bind(items[k], et, $"{path}[{k}]"), k);
                return arr;
            }
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>) && type.GetGenericArguments()[0] == typeof(string))
            {
                if (!(node is Dictionary<string, object?> map)) throw Mismatch(path, "an object", node);
                var dict = (IDictionary)Activator.CreateInstance(type)!;
                var vt = type.GetGenericArguments()[1];
                foreach (var kv in map) dict[kv.Key] = Bind(kv.Value, vt, path + "." + kv.Key);
                return dict;
            }
            if (type.IsClass && type.GetConstructor(Type.EmptyTypes) != null)
            {
                if (!(node is Dictionary<string, object?> fields)) throw Mismatch(path, "an object", node);
                var obj = Activator.CreateInstance(type)!;
                foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
                {
                    if (!p.CanWrite || p.GetSetMethod() == null || p.GetIndexParameters().Length > 0) continue;
                    if (!TryField(fields, p.Name, out var raw)) continue;
                    p.SetValue(obj, Bind(raw, p.PropertyType, path + "." + CamelCase(p.Name)));
                }
                return obj;
            }
            throw new JsonLiteException($"{path}: cannot bind to {type.FullName}");
        }

        static bool TryField(Dictionary<string, object?> fields, string name, out object? value)
        {
            if (fields.TryGetValue(CamelCase(name), out value)) return true;
            foreach (var kv in fields)
                if (string.Equals(kv.Key, name, StringComparison.OrdinalIgnoreCase)) { value = kv.Value; return true; }
            value = null;
            return false;
        }

        static bool TryEnum(Type type, string s, out object value)
        {
            foreach (var n in Enum.GetNames(type))
                if (string.Equals(n, s, StringComparison.OrdinalIgnoreCase)) { value = Enum.Parse(type, n); return true; }
            value = null!;
            return false;
        }

        static JsonLiteException Mismatch(string path, string expected, object node)
        {
            var got = node switch
            {
                string _ => "a string",
                bool _ => "a boolean",
                long _ or double _ => "a number",
                List<object?> _ => "a list",
                Dictionary<string, object?> _ => "an object",
                _ => node.GetType().Name,
            };
            return new JsonLiteException($"{path}: expected {expected}, got {got}");
        }
    }
}
