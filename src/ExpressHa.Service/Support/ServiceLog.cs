using System.Diagnostics;

namespace ExpressHa.Service.Support;

/// <summary>Where the service's own log is: journald when systemd connected the service's stdout to the journal,
/// else <see cref="FileName"/> in the state directory, which the service then writes itself (<see cref="ServiceLogFile"/>).</summary>
public static class ServiceLog
{
    public const string FileName = "expresshad.log";
    public const string Unit = "expresshad.service";

    /// <summary>True when stdout is the journal stream systemd named in JOURNAL_STREAM (device:inode); an inherited
    /// variable with stdout redirected elsewhere does not count.</summary>
    public static bool StdoutIsJournal()
    {
        var stream = Environment.GetEnvironmentVariable("JOURNAL_STREAM");
        if (string.IsNullOrEmpty(stream) || OperatingSystem.IsWindows()) return false;
        var inode = stream.Split(':').LastOrDefault();
        try
        {
            var target = new FileInfo("/proc/self/fd/1").LinkTarget;
            return target != null && inode != null && target == $"socket:[{inode}]";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The log lines at or after <paramref name="since"/>: from journalctl when the node logs to the journal,
    /// else from the file (lines start with an ISO time; a line without one goes with the line before it).</summary>
    public static (string Source, IEnumerable<string> Lines) Read(string stateDir, bool journal, DateTimeOffset? since)
    {
        if (journal && JournalctlPath() is { } journalctl)
            return ($"journald (journalctl -u {Unit})", Journal(journalctl, since));
        var path = Path.Combine(stateDir, FileName);
        var rotated = path + ".1";
        var files = new[] { rotated, path }.Where(File.Exists).ToList();
        return (files.Count == 0 ? $"{FileName} (none written yet)" : string.Join(", ", files.Select(Path.GetFileName)), FileLines(files, since));
    }

    static string? JournalctlPath()
        => new[] { "/usr/bin/journalctl", "/bin/journalctl" }.FirstOrDefault(File.Exists);

    static IEnumerable<string> Journal(string journalctl, DateTimeOffset? since)
    {
        var psi = new ProcessStartInfo(journalctl) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-u", Unit, "--no-pager", "-o", "short-iso-precise" }) psi.ArgumentList.Add(a);
        if (since != null) psi.ArgumentList.Add("--since=@" + since.Value.ToUnixTimeSeconds());
        using var p = Process.Start(psi)!;
        p.ErrorDataReceived += (_, _) => { };
        p.BeginErrorReadLine();
        string? line;
        while ((line = p.StandardOutput.ReadLine()) != null) yield return line;
        p.WaitForExit();
    }

    static IEnumerable<string> FileLines(IEnumerable<string> files, DateTimeOffset? since)
    {
        var keep = since == null;
        foreach (var f in files)
        {
            using var reader = new StreamReader(new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
            string? line;
            while ((line = reader.ReadLine()) != null)
            {
                if (since != null && LeadingTime(line) is { } t) keep = t >= since;
                if (keep) yield return line;
            }
        }
    }

    /// <summary>The ISO time a log line starts with ("2025-01-31T12:00:00.000Z ..."), or null.</summary>
    public static DateTimeOffset? LeadingTime(string line)
    {
        var space = line.IndexOf(' ');
        if (space < 20) return null;
        return DateTimeOffset.TryParse(line.AsSpan(0, space), System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out var t) ? t : null;
    }
}
