using System;
using System.Management.Automation;
using ExpressHa.Api;
using ExpressHa.Client;
using ExpressHa.Config;

namespace ExpressHa.Cmdlets
{
    /// <summary>The whole cluster at a glance: nodes and heartbeat paths, groups with owners, resources, monitors.</summary>
    [Cmdlet(VerbsCommon.Get, "HaClusterStatus")]
    [OutputType(typeof(HaClusterStatus))]
    public sealed class GetHaClusterStatusCommand : OperationCmdlet
    {
        protected override void ProcessRecord()
        {
            try
            {
                var c = Connection;
                var s = Invoke((api, ct) => api.GetStatusAsync(ct));
                WriteObject(HaClusterStatus.From(s, c.Endpoint.ToString()));
            }
            catch (HaCmdletException ex)
            {
                Report(ex);
            }
        }
    }

    /// <summary>Reads the alert log of the connected node, or with -Cluster every node's merged by time.</summary>
    [Cmdlet(VerbsCommon.Get, "HaAlertLog")]
    [OutputType(typeof(AlertEntry))]
    public sealed class GetHaAlertLogCommand : OperationCmdlet
    {
        /// <summary>The lowest level to show: info (everything), warning, error.</summary>
        [Parameter]
        [ValidateSet(AlertLevels.Info, AlertLevels.Warning, AlertLevels.Error)]
        public string? Level { get; set; }

        /// <summary>Only this module's entries (pm, rc, nm, config...).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Module { get; set; }

        /// <summary>Only entries at or after this time.</summary>
        [Parameter]
        public DateTime? Since { get; set; }

        /// <summary>Only the newest N entries (after the other filters).</summary>
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int? Last { get; set; }

        /// <summary>Every node's alerts in one list, oldest first; the connected node gathers them from its peers and
        /// a node that does not answer is a warning.</summary>
        [Parameter]
        public SwitchParameter Cluster { get; set; }

        protected override void ProcessRecord()
        {
            try
            {
                DateTimeOffset? since = Since == null ? (DateTimeOffset?)null
                    : new DateTimeOffset(Since.Value.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(Since.Value, DateTimeKind.Local) : Since.Value);
                if (Cluster)
                {
                    var report = Invoke((api, ct) => api.GetClusterAlertsAsync(Level, Module, since, Last, ct));
                    foreach (var node in report.MissingNodes)
                        WriteWarning($"Node {node} did not answer; its alerts are not in the list.");
                    foreach (var e in report.Alerts) WriteObject(e);
                    return;
                }
                var entries = Invoke((api, ct) => api.GetAlertsAsync(Level, Module, since, Last, ct));
                foreach (var e in entries) WriteObject(e);
            }
            catch (HaCmdletException ex)
            {
                Report(ex);
            }
        }
    }
}
