using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ExpressHa.Client;

namespace ExpressHa.Cmdlets
{
    /// <summary>The archive Save-HaClusterLog wrote.</summary>
    public sealed class HaSupportArchive
    {
        public string Path { get; set; } = "";
        public string ClusterName { get; set; } = "";
        public string[] Nodes { get; set; } = new string[0];
        public string[] MissingNodes { get; set; } = new string[0];
        public long Length { get; set; }
        public override string ToString() => Path;
    }

    /// <summary>Collects every node's support bundle (alerts, service log, running config and generation, status,
    /// ownership journal, mirrors, versions and OS facts; secrets removed on the node) into one zip for a support
    /// case. A node that does not answer is listed in the archive's index and reported as a warning.</summary>
    [Cmdlet(VerbsData.Save, "HaClusterLog", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(HaSupportArchive))]
    public sealed class SaveHaClusterLogCommand : OperationCmdlet
    {
        /// <summary>The zip file to write.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = "";

        /// <summary>Only log lines, alerts and journal records at or after this time.</summary>
        [Parameter]
        public DateTime? Since { get; set; }

        /// <summary>Only these nodes (all nodes of the cluster by default).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Node { get; set; }

        /// <summary>Overwrite the file when it exists.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            try
            {
                var full = GetUnresolvedProviderPathFromPSPath(Path);
                if (File.Exists(full) && !Force)
                    throw new HaCmdletException(HaOperationErrorIds.FileExists, ErrorCategory.ResourceExists,
                        $"'{full}' exists; use -Force to overwrite it or choose another -Path.", full);
                var c = Connection;
                if (!ShouldProcess(full, $"Save the logs of every node of cluster '{c.ClusterName}'")) return;

                var status = Invoke((api, ct) => api.GetStatusAsync(ct));
                var nodes = SelectNodes(status.Nodes.Select(n => n.Name).ToList());
                DateTimeOffset? since = Since == null ? (DateTimeOffset?)null
                    : new DateTimeOffset(Since.Value.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(Since.Value, DateTimeKind.Local) : Since.Value);

                var dir = System.IO.Path.GetDirectoryName(full);
                if (!string.IsNullOrEmpty(dir) && !Directory.Exists(dir))
                    throw new HaCmdletException(HaErrorIds.InvalidArgument, ErrorCategory.ObjectNotFound, $"The folder '{dir}' does not exist.", full);
                var partial = full + ".partial";
                SupportArchive? archive = null;
                try
                {
                    using (var output = new FileStream(partial, FileMode.Create, FileAccess.Write))
                    using (archive = new SupportArchive(output))
                    {
                        for (var i = 0; i < nodes.Count; i++) Collect(archive, c, nodes[i], i, nodes.Count, since);
                        archive.WriteIndex(status.ClusterName, c.Endpoint.ToString(), since, DateTimeOffset.UtcNow);
                    }
                    if (File.Exists(full)) File.Delete(full);
                    File.Move(partial, full);
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    throw new HaCmdletException(HaOperationErrorIds.ArchiveWriteFailed, ErrorCategory.WriteError, $"Cannot write '{full}': {ex.Message}", full);
                }
                finally
                {
                    if (File.Exists(partial)) File.Delete(partial);
                    WriteProgress(new ProgressRecord(1, Activity(c), "done") { RecordType = ProgressRecordType.Completed });
                }
                var results = archive!.Nodes;
                foreach (var missing in results.Where(n => !n.Answered))
                    WriteWarning($"Node {missing.Node} did not answer; the archive's index lists it: {missing.Error}");
                WriteObject(new HaSupportArchive
                {
                    Path = full,
                    ClusterName = status.ClusterName,
                    Nodes = results.Where(n => n.Answered).Select(n => n.Node).ToArray(),
                    MissingNodes = results.Where(n => !n.Answered).Select(n => n.Node).ToArray(),
                    Length = new FileInfo(full).Length,
                });
            }
            catch (HaCmdletException ex)
            {
                Report(ex);
            }
        }

        static string Activity(HaConnection c) => $"Collecting the logs of cluster '{c.ClusterName}'";

        List<string> SelectNodes(List<string> all)
        {
            if (Node == null) return all;
            var chosen = new List<string>();
            foreach (var name in Node)
            {
                var match = all.FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
                if (match == null)
                    WriteError(new HaCmdletException(HaErrorIds.NodeNotFound, ErrorCategory.ObjectNotFound,
                        $"Node '{name}' is not in the cluster; its nodes are {string.Join(", ", all)}.", name).ToErrorRecord());
                else if (!chosen.Contains(match)) chosen.Add(match);
            }
            return chosen;
        }

        /// <summary>Streams one node's bundle to a temporary file with progress, then copies it into the archive; a
        /// node that fails is recorded as not answering.</summary>
        void Collect(SupportArchive archive, HaConnection c, string node, int index, int count, DateTimeOffset? since)
        {
            var temp = System.IO.Path.GetTempFileName();
            try
            {
                long bytes = 0;
                Task<long> download;
                using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write))
                {
                    download = Task.Run(() => c.Client.DownloadSupportBundleAsync(node, since, file, b => Interlocked.Exchange(ref bytes, b), CancelToken));
                    while (!download.Wait(200))
                        Progress(c, node, index, count, Interlocked.Read(ref bytes));
                    bytes = download.Result;
                }
                Progress(c, node, index, count, bytes);
                archive.AddNodeBundle(node, temp, bytes);
            }
            catch (AggregateException ex) when (ex.InnerException is OperationCanceledException && CancelToken.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
            catch (AggregateException ex) when (ex.InnerException is HaApiException api)
            {
                archive.AddMissing(node, api.Message);
            }
            catch (AggregateException ex) when (ex.InnerException is IOException io)
            {
                throw new IOException(io.Message, io);
            }
            finally
            {
                try { File.Delete(temp); } catch (IOException) { }
            }
        }

        void Progress(HaConnection c, string node, int index, int count, long bytes)
            => WriteProgress(new ProgressRecord(1, Activity(c), $"{node} ({index + 1} of {count}): {bytes / 1024} KiB received")
            {
                PercentComplete = Math.Min(99, index * 100 / Math.Max(1, count)),
                CurrentOperation = node,
            });
    }
}
