using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace ExpressHa.Yaml
{
    /// <summary>A thin layer over YamlDotNet's emitter: block maps, flow lists of scalars, and strings quoted
    /// whenever YAML would read them as something else.</summary>
    internal sealed class YamlOut
    {
        static readonly Regex LooksTyped = new Regex(
            @"^(~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N|[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?|0x[0-9a-fA-F_]+|0o?[0-7_]+|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)|[0-9:]+)$",
            RegexOptions.CultureInvariant);

        readonly IEmitter _e;

        public YamlOut(TextWriter writer)
        {
            _e = new Emitter(writer, new EmitterSettings(2, int.MaxValue, false, 1024, false, false));
            _e.Emit(new StreamStart());
            _e.Emit(new DocumentStart());
        }

        public void End()
        {
            _e.Emit(new DocumentEnd(true));
            _e.Emit(new StreamEnd());
        }

        public void BeginMap(bool flow = false) => _e.Emit(new MappingStart(null, null, true, flow ? MappingStyle.Flow : MappingStyle.Block));
        public void EndMap() => _e.Emit(new MappingEnd());
        public void BeginList(bool flow = false) => _e.Emit(new SequenceStart(null, null, true, flow ? SequenceStyle.Flow : SequenceStyle.Block));
        public void EndList() => _e.Emit(new SequenceEnd());

        public void Key(string key) => String(key);

        public void String(string value)
        {
            value = WellFormed(value);
            var style = value.Length == 0 || LooksTyped.IsMatch(value) ? ScalarStyle.DoubleQuoted : ScalarStyle.Any;
            _e.Emit(new Scalar(null, null, value, style, true, true));
        }

        /// <summary>Half of a surrogate pair cannot be written as UTF-8; it becomes U+FFFD rather than failing the whole write.</summary>
        static string WellFormed(string value)
        {
            System.Text.StringBuilder? sb = null;
            for (int i = 0; i < value.Length; i++)
            {
                var c = value[i];
                var pair = char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]);
                if (pair) { sb?.Append(c).Append(value[i + 1]); i++; continue; }
                if (char.IsSurrogate(c))
                {
                    sb ??= new System.Text.StringBuilder(value, 0, i, value.Length);
                    sb.Append('\uFFFD');
                    continue;
                }
                sb?.Append(c);
            }
            return sb?.ToString() ?? value;
        }

        public void Plain(string value) => _e.Emit(new Scalar(null, null, value, ScalarStyle.Plain, true, false));

        public void Value(object? value)
        {
            switch (value)
            {
                case null: Plain("null"); break;
                case bool b: Plain(b ? "true" : "false"); break;
                case int or long or short or byte or uint or ulong: Plain(((System.IFormattable)value).ToString(null, CultureInfo.InvariantCulture)); break;
                case string s: String(s); break;
                case IDictionary<string, string> map:
                    BeginMap();
                    foreach (var e in map) { Key(e.Key); String(e.Value); }
                    EndMap();
                    break;
                case System.Collections.IDictionary map:
                    BeginMap();
                    var keys = new List<string>();
                    foreach (var k in map.Keys) keys.Add(System.Convert.ToString(k, CultureInfo.InvariantCulture) ?? "");
                    keys.Sort(System.StringComparer.Ordinal);
                    foreach (var k in keys) { Key(k); Value(map[k]); }
                    EndMap();
                    break;
                case System.Collections.IEnumerable list:
                    var items = new List<object?>();
                    var scalars = true;
                    foreach (var i in list) { items.Add(i); if (i is System.Collections.IEnumerable && !(i is string)) scalars = false; }
                    BeginList(flow: scalars);
                    foreach (var i in items) Value(i);
                    EndList();
                    break;
                default: String(System.Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""); break;
            }
        }

        public void Field(string key, object? value) { Key(key); Value(value); }
        public void FieldIf(bool condition, string key, object? value) { if (condition) Field(key, value); }
    }
}
