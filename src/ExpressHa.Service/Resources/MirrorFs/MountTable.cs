namespace ExpressHa.Service.Resources.MirrorFs;

/// <summary>What is mounted where, read from /proc/self/mountinfo.</summary>
public static class MountTable
{
    public sealed record Entry(string MountPoint, string FsType, string Source);

    public static IReadOnlyList<Entry> Read()
    {
        if (!File.Exists("/proc/self/mountinfo")) return Array.Empty<Entry>();
        var list = new List<Entry>();
        foreach (var line in File.ReadAllLines("/proc/self/mountinfo"))
        {
            // id parent major:minor root mountpoint options [optional fields] - fstype source superoptions
            var parts = line.Split(' ');
            var dash = Array.IndexOf(parts, "-");
            if (parts.Length < 5 || dash < 0 || dash + 2 >= parts.Length) continue;
            list.Add(new Entry(Unescape(parts[4]), parts[dash + 1], Unescape(parts[dash + 2])));
        }
        return list;
    }

    public static Entry? At(string mountPoint) => Read().LastOrDefault(e => e.MountPoint == mountPoint);

    /// <summary>mountinfo writes space, tab, newline and backslash as \ooo.</summary>
    internal static string Unescape(string s)
    {
        if (!s.Contains('\\')) return s;
        var sb = new System.Text.StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && IsOctal(s, i + 1))
            {
                sb.Append((char)Convert.ToInt32(s.Substring(i + 1, 3), 8));
                i += 3;
            }
            else sb.Append(s[i]);
        }
        return sb.ToString();
    }

    static bool IsOctal(string s, int at) => at + 3 <= s.Length && s.Substring(at, 3).All(c => c is >= '0' and <= '7');
}
