using System;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ExpressHa.Api;
using ExpressHa.Client;

namespace ExpressHa.Cmdlets
{
    /// <summary>Suspend-/Resume-HaNode and Suspend-/Resume-HaMonitor: a name (also by property from piped objects), -WhatIf/-Confirm, -PassThru.</summary>
    public abstract class NamedOperationCmdlet : OperationCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; } = "";

        /// <summary>The cluster the piped object came from; it must be the connected one.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Cluster")]
        public string? ClusterName { get; set; }

        /// <summary>Write the object's status after the change.</summary>
        [Parameter] public SwitchParameter PassThru { get; set; }

        protected abstract string Kind { get; }
        protected abstract string Action { get; }
        protected abstract Func<HaApiClient, CancellationToken, Task<OperationResult>> Call { get; }
        protected abstract object? StatusOf(HaClusterStatus status);

        protected override void ProcessRecord()
        {
            try
            {
                var c = Connection;
                CheckCluster(ClusterName, Name);
                if (!ShouldProcess($"{Kind.ToLowerInvariant()} '{Name}' in cluster '{c.ClusterName}'", Action)) return;
                var r = Invoke(Call, Name);
                WriteVerbose(r.Message);
                if (PassThru)
                {
                    var s = HaClusterStatus.From(Invoke((api, ct) => api.GetStatusAsync(ct)), c.Endpoint.ToString());
                    var o = StatusOf(s);
                    if (o != null) WriteObject(o);
                }
            }
            catch (HaCmdletException ex)
            {
                Report(ex);
            }
        }
    }

    /// <summary>Suspends a node: its monitors stop, nothing fails over to it, its groups keep running.</summary>
    [Cmdlet(VerbsLifecycle.Suspend, "HaNode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(HaNodeStatus))]
    public sealed class SuspendHaNodeCommand : NamedOperationCmdlet
    {
        protected override string Kind => "Node";
        protected override string Action => "Suspend";
        protected override Func<HaApiClient, CancellationToken, Task<OperationResult>> Call => (api, ct) => api.SuspendNodeAsync(Name, ct);
        protected override object? StatusOf(HaClusterStatus s) => s.Nodes.FirstOrDefault(n => n.Name == Name);
    }

    /// <summary>Resumes a suspended node.</summary>
    [Cmdlet(VerbsLifecycle.Resume, "HaNode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(HaNodeStatus))]
    public sealed class ResumeHaNodeCommand : NamedOperationCmdlet
    {
        protected override string Kind => "Node";
        protected override string Action => "Resume";
        protected override Func<HaApiClient, CancellationToken, Task<OperationResult>> Call => (api, ct) => api.ResumeNodeAsync(Name, ct);
        protected override object? StatusOf(HaClusterStatus s) => s.Nodes.FirstOrDefault(n => n.Name == Name);
    }

    /// <summary>Suspends a monitor on every node (maintenance of what it watches).</summary>
    [Cmdlet(VerbsLifecycle.Suspend, "HaMonitor", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(HaMonitorStatus))]
    public sealed class SuspendHaMonitorCommand : NamedOperationCmdlet
    {
        protected override string Kind => "Monitor";
        protected override string Action => "Suspend";
        protected override Func<HaApiClient, CancellationToken, Task<OperationResult>> Call => (api, ct) => api.SuspendMonitorAsync(Name, ct);
        protected override object? StatusOf(HaClusterStatus s) => s.Monitors.FirstOrDefault(m => m.Name == Name);
    }

    /// <summary>Resumes a suspended monitor.</summary>
    [Cmdlet(VerbsLifecycle.Resume, "HaMonitor", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(HaMonitorStatus))]
    public sealed class ResumeHaMonitorCommand : NamedOperationCmdlet
    {
        protected override string Kind => "Monitor";
        protected override string Action => "Resume";
        protected override Func<HaApiClient, CancellationToken, Task<OperationResult>> Call => (api, ct) => api.ResumeMonitorAsync(Name, ct);
        protected override object? StatusOf(HaClusterStatus s) => s.Monitors.FirstOrDefault(m => m.Name == Name);
    }

    /// <summary>Start-/Stop-HaCluster: the cluster service on every online node.</summary>
    public abstract class ClusterServiceCmdlet : OperationCmdlet
    {
        /// <summary>Write the cluster status after the change.</summary>
        [Parameter] public SwitchParameter PassThru { get; set; }

        protected abstract string Action { get; }
        protected abstract Func<HaApiClient, CancellationToken, Task<OperationResult>> Call { get; }

        protected override void ProcessRecord()
        {
            try
            {
                var c = Connection;
                if (!ShouldProcess($"cluster '{c.ClusterName}'", Action)) return;
                var r = Invoke(Call);
                WriteVerbose(r.Message);
                if (PassThru) WriteObject(HaClusterStatus.From(Invoke((api, ct) => api.GetStatusAsync(ct)), c.Endpoint.ToString()));
            }
            catch (HaCmdletException ex)
            {
                Report(ex);
            }
        }
    }

    /// <summary>Starts the cluster service on every node; groups with automatic startup start.</summary>
    [Cmdlet(VerbsLifecycle.Start, "HaCluster", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(HaClusterStatus))]
    public sealed class StartHaClusterCommand : ClusterServiceCmdlet
    {
        protected override string Action => "Start the cluster service on every node";
        protected override Func<HaApiClient, CancellationToken, Task<OperationResult>> Call => (api, ct) => api.StartClusterAsync(ct);
    }

    /// <summary>Stops the cluster service on every node: every group stops, nothing fails over.</summary>
    [Cmdlet(VerbsLifecycle.Stop, "HaCluster", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(HaClusterStatus))]
    public sealed class StopHaClusterCommand : ClusterServiceCmdlet
    {
        protected override string Action => "Stop the cluster service on every node (every group goes offline)";
        protected override Func<HaApiClient, CancellationToken, Task<OperationResult>> Call => (api, ct) => api.StopClusterAsync(ct);
    }
}
