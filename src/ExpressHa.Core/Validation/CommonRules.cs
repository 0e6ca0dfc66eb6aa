using System.Collections.Generic;
using ExpressHa.Config;

namespace ExpressHa.Validation
{
    /// <summary>Checks shared by every part of the config: names, allowed words, number ranges, duplicates.</summary>
    internal static class CommonRules
    {
        public const int MaxNameLength = 63;

        public static bool IsValidName(string? name)
        {
            if (string.IsNullOrEmpty(name) || name!.Length > MaxNameLength || !IsAsciiLetter(name[0])) return false;
            foreach (var c in name)
                if (!IsAsciiLetter(c) && !(c >= '0' && c <= '9') && c != '-' && c != '_') return false;
            return true;
        }

        static bool IsAsciiLetter(char c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

        /// <summary>A required name of a cluster, node, group, resource, monitor or interconnect. False when missing or invalid.</summary>
        public static bool CheckName(ValidationContext ctx, string path, string kind, string? name, string example)
        {
            if (string.IsNullOrEmpty(name))
            {
                ctx.Error(FindingCodes.MissingField, path, $"the {kind} has no name", $"give it a name, like '{example}'");
                return false;
            }
            if (!IsValidName(name))
            {
                ctx.Error(FindingCodes.InvalidValue, path, $"'{name}' is not a valid {kind} name",
                    $"use letters, digits, '-' and '_', starting with a letter, at most {MaxNameLength} characters, like '{example}'");
                return false;
            }
            return true;
        }

        /// <summary>Reports the second and later uses of a name. Returns false for a duplicate.</summary>
        public static bool CheckUnique(ValidationContext ctx, Dictionary<string, string> seen, string path, string kind, string? name, string scope)
        {
            if (string.IsNullOrEmpty(name)) return true;
            if (seen.TryGetValue(name!, out var first))
            {
                ctx.Error(FindingCodes.DuplicateName, path, $"{kind} name '{name}' is already used by {first}",
                    $"give each {kind} a name unique {scope}");
                return false;
            }
            seen[name!] = TrimName(path);
            return true;
        }

        static string TrimName(string path) => path.EndsWith(".name", System.StringComparison.Ordinal) ? path.Substring(0, path.Length - 5) : path;

        public static Dictionary<string, string> NewSeen() => new Dictionary<string, string>(ClusterConfig.NameComparer);

        public static void CheckOneOf(ValidationContext ctx, string path, string field, string? value, string[] allowed)
        {
            if (value != null && System.Array.IndexOf(allowed, value) >= 0) return;
            var hint = value == null ? null : Yaml.Suggest.Closest(value, allowed);
            ctx.Error(FindingCodes.InvalidValue, path,
                value == null || value.Length == 0 ? $"{field} is empty" : $"'{value}' is not a valid {field}",
                (hint != null ? $"did you mean '{hint}'? " : "") + $"use one of: {string.Join(", ", allowed)}");
        }

        public static bool CheckMin(ValidationContext ctx, string path, string field, long value, long min, string? hint = null)
        {
            if (value >= min) return true;
            ctx.Error(FindingCodes.InvalidValue, path, $"{field} is {value}; it must be at least {min}", hint ?? $"set {field} to {min} or more");
            return false;
        }

        public static bool CheckPort(ValidationContext ctx, string path, string field, long port)
        {
            if (port >= 1 && port <= 65535) return true;
            ctx.Error(FindingCodes.InvalidValue, path, $"{field} {port} is not a TCP/UDP port", "use a port from 1 to 65535");
            return false;
        }

        /// <summary>timeout must be strictly above interval (both already known to be valid numbers).</summary>
        public static void CheckTimeoutAboveInterval(ValidationContext ctx, string path, string timeoutField, long timeout, string intervalField, long interval)
        {
            if (timeout > interval) return;
            ctx.Error(FindingCodes.TimeoutNotAboveInterval, path, $"{timeoutField} {timeout} is not above {intervalField} {interval}",
                $"set {timeoutField} above {intervalField}, e.g. {System.Math.Max(interval, 1) * 3}, or lower {intervalField}");
        }

        /// <summary>Items of a list with their index, skipping null items after reporting them.</summary>
        public static IEnumerable<(T Item, int Index)> Items<T>(ValidationContext ctx, List<T>? list, string path, string kind) where T : class
        {
            if (list == null) yield break;
            for (int i = 0; i < list.Count; i++)
            {
                var item = list[i];
                if (item == null)
                {
                    ctx.Error(FindingCodes.MissingField, $"{path}[{i}]", $"the {kind} entry is empty", $"remove the empty entry or fill in the {kind}");
                    continue;
                }
                yield return (item, i);
            }
        }

        public static string Quote(IEnumerable<string> names) => string.Join(", ", names);
    }
}
