using System.Linq;
using System.Management.Automation;
using System.Threading;
using ExpressHa.Client;

namespace ExpressHa.Cmdlets
{
    /// <summary>Get-HaGroup -History: each named group's starts, moves and failovers with their timelines, oldest
    /// first, from every node's ownership journal and alerts.</summary>
    internal static class GroupHistoryQuery
    {
        public const string HistorySet = "History";

        public static void Run(PSCmdlet cmdlet, string[]? patterns, int? last)
        {
            try
            {
                var c = LiveCall.Require(cmdlet);
                foreach (var group in Names(cmdlet, patterns))
                {
                    var report = LiveCall.Invoke(c, CancellationToken.None, (api, ct) => api.GetGroupHistoryAsync(group, ct), group);
                    foreach (var node in report.MissingNodes)
                        cmdlet.WriteWarning($"Node {node} did not answer; the history of {report.Group} may miss what it recorded.");
                    var episodes = last is int n && n < report.Episodes.Count ? report.Episodes.Skip(report.Episodes.Count - n) : report.Episodes;
                    foreach (var e in episodes)
                    {
                        var pso = PSObject.AsPSObject(e);
                        pso.Properties.Add(new PSNoteProperty("ClusterName", c.ClusterName));
                        cmdlet.WriteObject(pso);
                    }
                }
            }
            catch (HaCmdletException ex)
            {
                if (ex.Terminating) cmdlet.ThrowTerminatingError(ex.ToErrorRecord());
                else cmdlet.WriteError(ex.ToErrorRecord());
            }
        }

        /// <summary>Plain names as given (the node says when one does not exist); wildcards expanded against the live
        /// groups; every group without a name.</summary>
        static System.Collections.Generic.IEnumerable<string> Names(PSCmdlet cmdlet, string[]? patterns)
        {
            foreach (var p in patterns ?? new[] { "*" })
            {
                if (!WildcardPattern.ContainsWildcardCharacters(p)) { yield return p; continue; }
                var wp = new WildcardPattern(p, WildcardOptions.IgnoreCase);
                foreach (var g in LiveQuery.Status(cmdlet).Groups.Where(g => wp.IsMatch(g.Name))) yield return g.Name;
            }
        }
    }
}
