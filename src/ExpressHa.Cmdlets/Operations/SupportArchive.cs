using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using ExpressHa.Client;

namespace ExpressHa.Cmdlets
{
    /// <summary>What happened to one node while its logs were collected.</summary>
    public sealed class SupportNodeResult
    {
        public string Node { get; set; } = "";
        public bool Answered { get; set; }
        /// <summary>Why the node's files are missing, when it did not answer.</summary>
        public string? Error { get; set; }
        public List<string> Files { get; set; } = new List<string>();
        public long Bytes { get; set; }
    }

    /// <summary>The support archive Save-HaClusterLog writes: every node's bundle under NODE/ (as the node sent it,
    /// secrets already removed there), and index.json / index.txt listing every node asked, whether it answered and
    /// why not. Entries are copied stream to stream, never whole into memory.</summary>
    internal sealed class SupportArchive : IDisposable
    {
        readonly ZipArchive _zip;
        readonly List<SupportNodeResult> _nodes = new List<SupportNodeResult>();

        public SupportArchive(Stream output)
        {
            _zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        }

        public IReadOnlyList<SupportNodeResult> Nodes => _nodes;

        /// <summary>Copies the entries of a node's bundle (a zip file) under NODE/.</summary>
        public SupportNodeResult AddNodeBundle(string node, string bundleFile, long bytes)
        {
            var result = new SupportNodeResult { Node = node, Answered = true, Bytes = bytes };
            try
            {
                using (var bundle = ZipFile.OpenRead(bundleFile))
                {
                    foreach (var entry in bundle.Entries)
                    {
                        var name = SafeName(entry.FullName);
                        if (name == null) continue;
                        var copy = _zip.CreateEntry(node + "/" + name, CompressionLevel.Optimal);
                        copy.LastWriteTime = entry.LastWriteTime;
                        using (var from = entry.Open())
                        using (var to = copy.Open())
                            from.CopyTo(to);
                        result.Files.Add(name);
                    }
                }
            }
            catch (InvalidDataException ex)
            {
                result.Answered = false;
                result.Error = "the node's bundle is not a readable zip: " + ex.Message;
            }
            _nodes.Add(result);
            return result;
        }

        public SupportNodeResult AddMissing(string node, string error)
        {
            var result = new SupportNodeResult { Node = node, Answered = false, Error = error };
            _nodes.Add(result);
            return result;
        }

        /// <summary>Writes index.json and index.txt; call once, after every node.</summary>
        public void WriteIndex(string cluster, string endpoint, DateTimeOffset? since, DateTimeOffset collectedAt)
        {
            var index = new Dictionary<string, object?>
            {
                ["cluster"] = cluster,
                ["endpoint"] = endpoint,
                ["collectedAt"] = collectedAt.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ"),
                ["since"] = since?.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ"),
                ["nodes"] = _nodes.Select(n => new Dictionary<string, object?>
                {
                    ["node"] = n.Node, ["answered"] = n.Answered, ["error"] = n.Error, ["files"] = n.Files, ["bytes"] = n.Bytes,
                }).ToList(),
            };
            WriteText("index.json", JsonLite.Write(index) + "\n");
            var text = new StringBuilder();
            text.Append("ExpressHa support archive of cluster ").Append(cluster).Append(", collected ")
                .Append(collectedAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss")).Append(" UTC through ").Append(endpoint).Append('\n');
            if (since != null) text.Append("Logs since ").Append(since.Value.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss")).Append(" UTC\n");
            foreach (var n in _nodes)
                text.Append(n.Answered ? $"{n.Node}: {n.Files.Count} files in {n.Node}/\n" : $"{n.Node}: NOT ANSWERING: {n.Error}\n");
            WriteText("index.txt", text.ToString());
        }

        void WriteText(string name, string text)
        {
            var entry = _zip.CreateEntry(name, CompressionLevel.Optimal);
            using (var w = new StreamWriter(entry.Open(), new UTF8Encoding(false)))
                w.Write(text);
        }

        /// <summary>A relative entry name without ".." or a root, or null for one to skip.</summary>
        static string? SafeName(string name)
        {
            var parts = name.Replace('\\', '/').Split('/').Where(p => p.Length > 0 && p != "." && p != "..").ToArray();
            return parts.Length == 0 || name.EndsWith("/", StringComparison.Ordinal) ? null : string.Join("/", parts);
        }

        public void Dispose() => _zip.Dispose();
    }
}
