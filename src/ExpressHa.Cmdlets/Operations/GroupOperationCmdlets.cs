using System;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using ExpressHa.Api;

namespace ExpressHa.Cmdlets
{
    /// <summary>Start-, Stop- and Move-HaGroup: a group by name (also from any object with Name and ClusterName
    /// properties) or as a status object, -WhatIf/-Confirm, and -Wait that polls until the group has arrived.</summary>
    public abstract class GroupOperationCmdlet : OperationCmdlet
    {
        public const string NameSet = "Name";
        public const string ObjectSet = "InputObject";

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = NameSet)]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; } = "";

        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ObjectSet)]
        public HaGroupStatus InputObject { get; set; } = null!;

        /// <summary>The cluster the piped object came from; it must be the connected one.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = NameSet)]
        [Alias("Cluster")]
        public string? ClusterName { get; set; }

        /// <summary>Wait until the group has arrived, showing progress.</summary>
        [Parameter] public SwitchParameter Wait { get; set; }

        /// <summary>How long -Wait waits.</summary>
        [Parameter]
        [ValidateRange(1, 86400)]
        public int TimeoutSeconds { get; set; } = 300;

        protected string GroupName => ParameterSetName == ObjectSet ? InputObject.Name : Name;
        string? SourceCluster => ParameterSetName == ObjectSet ? InputObject.ClusterName : ClusterName;

        protected abstract string Describe(HaConnection c);
        protected abstract string Activity { get; }
        protected abstract OperationResult Request(HaConnection c, GroupStatusInfo before);
        /// <summary>Null while still on the way; true when arrived.</summary>
        protected abstract bool Arrived(GroupStatusInfo before, GroupStatusInfo now);

        protected override void ProcessRecord()
        {
            try
            {
                var c = Connection;
                var group = GroupName;
                CheckCluster(SourceCluster, group);
                if (!ShouldProcess($"group '{group}' in cluster '{c.ClusterName}'", Describe(c))) return;
                var before = Find(Invoke((api, ct) => api.GetStatusAsync(ct)), group, c);
                var result = Request(c, before);
                WriteVerbose(result.Message);
                var now = Wait ? WaitFor(c, before) : Find(Invoke((api, ct) => api.GetStatusAsync(ct)), group, c);
                WriteObject(HaClusterStatus.Group(now, c.ClusterName));
            }
            catch (HaCmdletException ex)
            {
                Report(ex);
            }
        }

        GroupStatusInfo Find(ClusterStatus s, string group, HaConnection c)
            => s.Groups.FirstOrDefault(g => g.Name == group)
               ?? throw HaCmdletException.NotFound(HaErrorIds.GroupNotFound, "Group", group, c.ClusterName);

        GroupStatusInfo WaitFor(HaConnection c, GroupStatusInfo before)
        {
            var watch = Stopwatch.StartNew();
            var activity = Activity;
            var progress = new ProgressRecord(1, activity, "requested");
            try
            {
                while (true)
                {
                    var now = Find(Invoke((api, ct) => api.GetStatusAsync(ct)), before.Name, c);
                    if (Arrived(before, now)) return now;
                    if (now.State == GroupStates.Failed)
                        throw new HaCmdletException(HaOperationErrorIds.GroupFailed, ErrorCategory.InvalidResult,
                            $"Group '{now.Name}' failed{(now.Owner != null ? " on " + now.Owner : "")}; see Get-HaAlertLog -Level warning for the reason.", now.Name);
                    if (watch.Elapsed.TotalSeconds >= TimeoutSeconds)
                        throw new HaCmdletException(HaOperationErrorIds.WaitTimeout, ErrorCategory.OperationTimeout,
                            $"Group '{now.Name}' is still {now.State}{(now.Owner != null ? " on " + now.Owner : "")} after {TimeoutSeconds} s; it may still get there (Get-HaGroup {now.Name}).", now.Name);
                    progress.StatusDescription = $"{now.State}{(now.Owner != null ? " on " + now.Owner : "")} ({watch.Elapsed.TotalSeconds:0.0} s)";
                    progress.PercentComplete = (int)Math.Min(99, watch.Elapsed.TotalSeconds * 100 / TimeoutSeconds);
                    WriteProgress(progress);
                    Pause(250);
                }
            }
            finally
            {
                progress.RecordType = ProgressRecordType.Completed;
                WriteProgress(progress);
            }
        }
    }

    /// <summary>Starts a failover group, on a given node or where its policy says.</summary>
    [Cmdlet(VerbsLifecycle.Start, "HaGroup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = NameSet)]
    [OutputType(typeof(HaGroupStatus))]
    public sealed class StartHaGroupCommand : GroupOperationCmdlet
    {
        /// <summary>The node to start it on; by default the first available server of its failover policy.</summary>
        [Parameter(Position = 1)]
        [ValidateNotNullOrEmpty]
        public string? Node { get; set; }

        protected override string Describe(HaConnection c) => "Start" + (Node != null ? " on " + Node : "");
        protected override string Activity => $"Starting group '{GroupName}'" + (Node != null ? " on " + Node : "");
        protected override OperationResult Request(HaConnection c, GroupStatusInfo before)
            => Invoke((api, ct) => api.StartGroupAsync(before.Name, Node, ct), before.Name);
        protected override bool Arrived(GroupStatusInfo before, GroupStatusInfo now)
            => now.State == GroupStates.Online && (Node == null || now.Owner == Node);
    }

    /// <summary>Stops a failover group (its resources in reverse dependency order).</summary>
    [Cmdlet(VerbsLifecycle.Stop, "HaGroup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = NameSet)]
    [OutputType(typeof(HaGroupStatus))]
    public sealed class StopHaGroupCommand : GroupOperationCmdlet
    {
        protected override string Describe(HaConnection c) => "Stop";
        protected override string Activity => $"Stopping group '{GroupName}'";
        protected override OperationResult Request(HaConnection c, GroupStatusInfo before)
            => Invoke((api, ct) => api.StopGroupAsync(before.Name, ct), before.Name);
        protected override bool Arrived(GroupStatusInfo before, GroupStatusInfo now) => now.State == GroupStates.Offline;
    }

    /// <summary>Moves a failover group to another node (stop here, start there).</summary>
    [Cmdlet(VerbsCommon.Move, "HaGroup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = NameSet)]
    [OutputType(typeof(HaGroupStatus))]
    public sealed class MoveHaGroupCommand : GroupOperationCmdlet
    {
        /// <summary>The destination; by default the next server of the group's failover policy.</summary>
        [Parameter(Position = 1)]
        [ValidateNotNullOrEmpty]
        public string? Node { get; set; }

        protected override string Describe(HaConnection c) => "Move" + (Node != null ? " to " + Node : " to the next server of its policy");
        protected override string Activity => $"Moving group '{GroupName}'" + (Node != null ? " to " + Node : "");
        protected override OperationResult Request(HaConnection c, GroupStatusInfo before)
            => Invoke((api, ct) => api.MoveGroupAsync(before.Name, Node, ct), before.Name);
        protected override bool Arrived(GroupStatusInfo before, GroupStatusInfo now)
            => now.State == GroupStates.Online && (Node != null ? now.Owner == Node : now.Owner != before.Owner);
    }
}
