using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ExpressHa.Api;

namespace ExpressHa.Cmdlets
{
    /// <summary>Every node's view of the cluster's mirrors: role, connection, disk state, sync progress, generation.</summary>
    [Cmdlet(VerbsCommon.Get, "HaMirror")]
    [OutputType(typeof(MirrorStatus))]
    public sealed class GetHaMirrorCommand : OperationCmdlet
    {
        /// <summary>Mirror names; wildcards allowed. All mirrors by default.</summary>
        [Parameter(Position = 0)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        /// <summary>Only the copies on these nodes; wildcards allowed.</summary>
        [Parameter]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? Node { get; set; }

        protected override void ProcessRecord()
        {
            try
            {
                var c = Connection;
                var report = Invoke((api, ct) => api.GetMirrorsAsync(ct));
                foreach (var missing in report.MissingNodes)
                    WriteWarning($"Node {missing} did not answer; its copies are not listed.");
                var names = Patterns(Name);
                var nodes = Patterns(Node);
                var shown = report.Mirrors
                    .Where(m => names == null || names.Any(p => p.IsMatch(m.Name)))
                    .Where(m => nodes == null || nodes.Any(p => p.IsMatch(m.Node)))
                    .ToList();
                foreach (var m in shown) WriteObject(MirrorObjects.Wrap(m, c.ClusterName));
                foreach (var plain in (Name ?? new string[0]).Where(n => !WildcardPattern.ContainsWildcardCharacters(n)))
                    if (!report.Mirrors.Any(m => m.Name == plain))
                        WriteError(new HaCmdletException(HaMirrorErrorIds.MirrorNotFound, ErrorCategory.ObjectNotFound,
                            $"Mirror '{plain}' was not found in cluster '{c.ClusterName}'" +
                            (report.MissingNodes.Count > 0 ? $" (not answering: {string.Join(", ", report.MissingNodes)})" : "") +
                            "; Get-HaMirror lists the mirrors.", plain).ToErrorRecord());
            }
            catch (HaCmdletException ex)
            {
                Report(ex);
            }
        }

        static List<WildcardPattern>? Patterns(string[]? values)
            => values?.Select(v => new WildcardPattern(v, WildcardOptions.IgnoreCase)).ToList();
    }
}
