using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ExpressHa.Validation;
using YamlDotNet.RepresentationModel;

namespace ExpressHa.Yaml
{
    /// <summary>Reads one YAML mapping field by field, recording positions and reporting fields nobody asked for.</summary>
    internal sealed class YamlMap
    {
        readonly ReadContext _ctx;
        readonly YamlMappingNode _node;
        readonly HashSet<string> _read = new HashSet<string>(System.StringComparer.Ordinal);

        public YamlMap(ReadContext ctx, YamlMappingNode node, string path)
        {
            _ctx = ctx;
            _node = node;
            Path = path;
            ctx.Mark(path, node);
            foreach (var e in node.Children)
                if (e.Key is YamlScalarNode k && k.Value != null) ctx.Mark(Child(k.Value), e.Key);
        }

        public string Path { get; }
        public YamlMappingNode Node => _node;

        public string Child(string key) => Path.Length == 0 ? key : Path + "." + key;

        public IEnumerable<KeyValuePair<string, YamlNode>> Entries()
        {
            foreach (var e in _node.Children)
                if (e.Key is YamlScalarNode k && k.Value != null) yield return new KeyValuePair<string, YamlNode>(k.Value, e.Value);
        }

        public bool Has(string key) => Raw(key, markRead: false) != null;

        public YamlNode? Raw(string key, bool markRead = true)
        {
            if (markRead) _read.Add(key);
            foreach (var e in _node.Children)
                if (e.Key is YamlScalarNode k && k.Value == key) return e.Value;
            return null;
        }

        public string? String(string key)
        {
            var n = Raw(key);
            if (n == null || IsNull(n)) return null;
            if (n is YamlScalarNode s) return s.Value ?? "";
            _ctx.Error(FindingCodes.InvalidValue, Child(key), n, "expected a single value, not a list or map", "write one value");
            return null;
        }

        public int? Int(string key)
        {
            var text = String(key);
            if (text == null) return null;
            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)) return v;
            _ctx.Error(FindingCodes.InvalidValue, Child(key), Raw(key, false)!, $"'{text}' is not a whole number", "give a number");
            return null;
        }

        public bool? Bool(string key)
        {
            var text = String(key);
            if (text == null) return null;
            if (text == "true" || text == "True") return true;
            if (text == "false" || text == "False") return false;
            _ctx.Error(FindingCodes.InvalidValue, Child(key), Raw(key, false)!, $"'{text}' is not a boolean", "use true or false");
            return null;
        }

        public YamlMap? Map(string key)
        {
            var n = Raw(key);
            if (n == null || IsNull(n)) return null;
            if (n is YamlMappingNode m) return new YamlMap(_ctx, m, Child(key));
            _ctx.Error(FindingCodes.InvalidValue, Child(key), n, "expected a map of fields", "indent the fields under it, one 'name: value' per line");
            return null;
        }

        public List<(YamlNode Node, string Path)> Sequence(string key)
        {
            var n = Raw(key);
            var list = new List<(YamlNode, string)>();
            if (n == null || IsNull(n)) return list;
            if (n is YamlSequenceNode seq)
            {
                int i = 0;
                foreach (var item in seq.Children) { var p = $"{Child(key)}[{i++}]"; _ctx.Mark(p, item); list.Add((item, p)); }
                return list;
            }
            _ctx.Error(FindingCodes.InvalidValue, Child(key), n, "expected a list", "write the items as '- item' lines or [a, b]");
            return list;
        }

        public List<string> StringList(string key)
        {
            var result = new List<string>();
            var n = Raw(key, markRead: false);
            if (n is YamlScalarNode single && !IsNull(single)) { _read.Add(key); result.Add(single.Value ?? ""); return result; }
            foreach (var (item, path) in Sequence(key))
            {
                if (item is YamlScalarNode s) result.Add(s.Value ?? "");
                else _ctx.Error(FindingCodes.InvalidValue, path, item, "expected a single value", "write one value per list item");
            }
            return result;
        }

        public SortedDictionary<string, string> StringMap(string key)
        {
            var result = new SortedDictionary<string, string>(System.StringComparer.Ordinal);
            var m = Map(key);
            if (m == null) return result;
            foreach (var e in m.Entries())
            {
                m._read.Add(e.Key);
                if (e.Value is YamlScalarNode s) result[e.Key] = s.Value ?? "";
                else _ctx.Error(FindingCodes.InvalidValue, m.Child(e.Key), e.Value, "expected a single value", "write 'name: value'");
            }
            return result;
        }

        /// <summary>Reports every field that was not read, naming the fields this place accepts.</summary>
        public void ReportUnknown(IEnumerable<string> accepted)
        {
            var names = accepted.ToList();
            foreach (var e in _node.Children)
            {
                if (!(e.Key is YamlScalarNode k) || k.Value == null)
                {
                    _ctx.Error(FindingCodes.UnknownField, Path, e.Key, "a field name must be a plain word", "use 'name: value'");
                    continue;
                }
                if (_read.Contains(k.Value)) continue;
                var hint = Suggest.Closest(k.Value, names);
                _ctx.Error(FindingCodes.UnknownField, Child(k.Value), e.Key, $"unknown field '{k.Value}'",
                    hint != null ? $"did you mean '{hint}'? Fields here: {string.Join(", ", names)}" : $"fields here: {string.Join(", ", names)}");
            }
        }

        public void MarkRead(string key) => _read.Add(key);

        public static bool IsNull(YamlNode n) => n is YamlScalarNode s && s.Style == YamlDotNet.Core.ScalarStyle.Plain && (s.Value == null || s.Value == "" || s.Value == "~" || s.Value == "null");
    }
}
