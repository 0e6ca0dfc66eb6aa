using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;

namespace ExpressHa.Cmdlets
{
    /// <summary>Invoke-HaFailoverDrill: the operation tests of an installed cluster, run against the connected cluster
    /// and measured (detection, each resource, total), with a Markdown and an HTML report.</summary>
    [Cmdlet(VerbsLifecycle.Invoke, "HaFailoverDrill", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(HaDrillResult))]
    public sealed class InvokeHaFailoverDrillCommand : OperationCmdlet
    {
        /// <summary>Which drills: Move, ServiceStop, MonitorFailure (default: all three); ServiceKill needs -Destructive.</summary>
        [Parameter(Position = 0)]
        [ValidateSet(DrillKinds.Move, DrillKinds.ServiceStop, DrillKinds.MonitorFailure, DrillKinds.ServiceKill)]
        public string[]? Kind { get; set; }

        /// <summary>Only these groups (Move, ServiceKill).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Group { get; set; }

        /// <summary>Only these monitors (MonitorFailure).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Monitor { get; set; }

        /// <summary>Also kill the service on the server running each group (ServiceKill), after a confirmation.</summary>
        [Parameter] public SwitchParameter Destructive { get; set; }

        /// <summary>Kill without asking (with -Destructive).</summary>
        [Parameter] public SwitchParameter Force { get; set; }

        /// <summary>Folder for the report files (default: the current folder).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? ReportPath { get; set; }

        /// <summary>How long each drill may take.</summary>
        [Parameter]
        [ValidateRange(1, 86400)]
        public int TimeoutSeconds { get; set; } = 300;

        protected override void ProcessRecord()
        {
            try
            {
                var kinds = new HashSet<string>(Kind ?? DrillKinds.Safe, StringComparer.OrdinalIgnoreCase);
                if (kinds.Contains(DrillKinds.ServiceKill) && !Destructive)
                    throw new HaCmdletException(HaErrorIds.InvalidArgument, ErrorCategory.InvalidArgument,
                        "The ServiceKill drill kills a node's service; add -Destructive to run it.", DrillKinds.ServiceKill, terminating: true);
                if (Destructive) kinds.Add(DrillKinds.ServiceKill);

                var c = Connection;
                var status = Invoke((api, ct) => api.GetStatusAsync(ct));
                CheckNames(status);
                var plan = DrillCatalog.Plan(status, kinds, Group, Monitor, c.ReportingNode, out var skipped);
                foreach (var s in skipped) WriteWarning("Skipped: " + s + ".");
                if (plan.Count == 0)
                {
                    WriteWarning("No drill applies to this cluster now (is a group online?).");
                    return;
                }

                var started = DateTime.UtcNow;
                var runner = new DrillRunner(c.Client, c.ClusterName, TimeSpan.FromSeconds(TimeoutSeconds), CancelToken);
                var results = new List<HaDrillResult>();
                for (int i = 0; i < plan.Count; i++)
                {
                    var spec = plan[i];
                    if (!ShouldProcess($"cluster '{c.ClusterName}'", spec.Name)) continue;
                    if (spec.Kind == DrillKinds.ServiceKill && !Force &&
                        !ShouldContinue($"Kill the cluster service on {spec.Node}? Its groups fail over after the heartbeat timeout, and the service stays down until it is started again.", "Destructive drill"))
                        continue;
                    WriteProgress(new ProgressRecord(1, "Failover drill", spec.Name) { PercentComplete = 100 * i / plan.Count });
                    HaDrillResult result;
                    try { result = runner.Execute(spec); }
                    catch (OperationCanceledException) { throw new PipelineStoppedException(); }
                    results.Add(result);
                    if (!result.Succeeded)
                        WriteError(new HaCmdletException(HaOperationErrorIds.DrillFailed, ErrorCategory.OperationStopped, $"{result.Drill}: {result.Message}", result).ToErrorRecord());
                    WriteObject(result);
                }
                WriteProgress(new ProgressRecord(1, "Failover drill", "done") { RecordType = ProgressRecordType.Completed });
                if (results.Count > 0) WriteReports(c.ClusterName, started, results);
            }
            catch (HaCmdletException ex)
            {
                Report(ex);
            }
        }

        void CheckNames(Api.ClusterStatus status)
        {
            foreach (var g in Group ?? new string[0])
                if (status.Groups.All(x => x.Name != g)) throw HaCmdletException.NotFound(HaErrorIds.GroupNotFound, "Group", g, status.ClusterName);
            foreach (var m in Monitor ?? new string[0])
                if (status.Monitors.All(x => x.Name != m)) throw HaCmdletException.NotFound(HaErrorIds.MonitorNotFound, "Monitor", m, status.ClusterName);
        }

        void WriteReports(string cluster, DateTime started, IReadOnlyList<HaDrillResult> results)
        {
            var folder = GetUnresolvedProviderPathFromPSPath(ReportPath ?? SessionState.Path.CurrentFileSystemLocation.Path);
            try
            {
                Directory.CreateDirectory(folder);
                var stem = Path.Combine(folder, $"failover-drill-{cluster}-{started:yyyyMMdd-HHmmss}");
                File.WriteAllText(stem + ".md", DrillReport.Markdown(cluster, started, results), new UTF8Encoding(false));
                File.WriteAllText(stem + ".html", DrillReport.Html(cluster, started, results), new UTF8Encoding(false));
                WriteVerbose($"Report: {stem}.md and {stem}.html");
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                WriteError(new HaCmdletException(HaOperationErrorIds.ReportWriteFailed, ErrorCategory.WriteError, $"Cannot write the drill report in {folder}: {e.Message}", folder).ToErrorRecord());
            }
        }
    }
}
