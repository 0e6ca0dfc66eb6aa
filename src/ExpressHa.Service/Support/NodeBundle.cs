using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ExpressHa.Service.Api;

namespace ExpressHa.Service.Support;

/// <summary>What a node puts in its support bundle; the node's secrets are in <see cref="Redactor"/>, never in a file.</summary>
public sealed record NodeBundleInput(
    string Node, string Cluster, string StateDir, string RunningYaml, long Generation, object Status, object Mirrors,
    SecretRedactor Redactor, bool JournalLog, DateTimeOffset? Since);

/// <summary>Writes one node's support bundle, a zip, to a stream as it reads (logs go line by line, never whole into
/// memory). Files: manifest.json (what is in it, what could not be read, how many secrets were removed),
/// system.json (versions, OS facts), status.json, config.yaml and config.json (the running config and its generation),
/// alerts.jsonl, ownership.jsonl, mirrors.json and service.log. Only these files are read: key files, the token file
/// and the API certificate are never opened, and every line passes the redactor. A file that fails is listed in the
/// manifest; the bundle still comes.</summary>
public static class NodeBundle
{
    public static readonly IReadOnlyList<string> Files =
        ["manifest.json", "system.json", "status.json", "config.yaml", "config.json", "alerts.jsonl", "ownership.jsonl", "mirrors.json", "service.log"];

    static readonly Regex TimeField = new(@"""time""\s*:\s*""([^""]+)""", RegexOptions.Compiled | RegexOptions.IgnoreCase);

    public static void Write(Stream output, NodeBundleInput input, CancellationToken ct)
    {
        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        var errors = new List<string>();
        var written = new List<object>();
        var (logSource, logLines) = ServiceLog.Read(input.StateDir, input.JournalLog, input.Since);

        void Entry(string name, Func<IEnumerable<string>> lines)
        {
            ct.ThrowIfCancellationRequested();
            var count = 0L;
            try
            {
                var entry = zip.CreateEntry(name, CompressionLevel.Fastest);
                entry.LastWriteTime = DateTimeOffset.UtcNow;
                using var w = new StreamWriter(entry.Open(), new UTF8Encoding(false));
                foreach (var line in lines())
                {
                    w.Write(input.Redactor.Redact(line));
                    w.Write('\n');
                    if (++count % 4096 == 0) ct.ThrowIfCancellationRequested();
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                errors.Add($"{name}: {e.Message}");
            }
            written.Add(new { name, lines = count });
        }

        Entry("system.json", () => [Json(NodeFacts.Collect(input.Node, input.Cluster, input.StateDir, logSource))]);
        Entry("status.json", () => [Json(input.Status)]);
        Entry("config.yaml", () => Lines(input.RunningYaml));
        Entry("config.json", () => [Json(new { cluster = input.Cluster, node = input.Node, generation = input.Generation })]);
        Entry("alerts.jsonl", () => JsonLines(Path.Combine(input.StateDir, "alerts.jsonl"), input.Since));
        Entry("ownership.jsonl", () => JsonLines(Path.Combine(input.StateDir, Runtime.OwnershipJournal.FileName), input.Since));
        Entry("mirrors.json", () => [Json(input.Mirrors)]);
        Entry("service.log", () => logLines);

        var manifest = new
        {
            node = input.Node,
            cluster = input.Cluster,
            since = input.Since?.ToUniversalTime().ToString("o"),
            serviceLog = logSource,
            files = written,
            errors,
            redactions = input.Redactor.Redactions,
        };
        Entry("manifest.json", () => [Json(manifest)]);
    }

    static string Json(object value) => JsonSerializer.Serialize(value, value.GetType(), ApiJsonIndented);

    static readonly JsonSerializerOptions ApiJsonIndented = new(ApiJson.Options) { WriteIndented = true };

    static IEnumerable<string> Lines(string text) => text.Replace("\r\n", "\n").TrimEnd('\n').Split('\n');

    /// <summary>The lines of a JSON-lines file whose "time" is at or after <paramref name="since"/> (all without it).</summary>
    static IEnumerable<string> JsonLines(string path, DateTimeOffset? since)
    {
        if (!File.Exists(path)) yield break;
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
        string? line;
        while ((line = reader.ReadLine()) != null)
        {
            if (since != null && TimeField.Match(line) is { Success: true } m && AlertMerge.ParseTime(m.Groups[1].Value) < since) continue;
            yield return line;
        }
    }
}
