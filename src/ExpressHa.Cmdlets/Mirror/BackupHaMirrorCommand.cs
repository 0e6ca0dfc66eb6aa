using System.Management.Automation;
using ExpressHa.Api;

namespace ExpressHa.Cmdlets
{
    /// <summary>Snapshot backup of a mirror's standby copy: pre-command (quiesce the application) and suspend on the
    /// primary, post-command (the application goes on), copy of the frozen standby to -Path on that node, resume.</summary>
    [Cmdlet(VerbsData.Backup, "HaMirror", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(JobStatus))]
    public sealed class BackupHaMirrorCommand : MirrorJobCmdlet
    {
        /// <summary>The image file to write, on the standby node.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = "";

        /// <summary>Run on the primary's node before the suspend (quiesce the application).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? PreCommand { get; set; }

        /// <summary>Run on the primary's node right after the suspend (the application goes on).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? PostCommand { get; set; }

        /// <summary>The standby node to copy from; by default the node that is not primary.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Node { get; set; }

        /// <summary>How long each of -PreCommand and -PostCommand may run.</summary>
        [Parameter]
        [ValidateRange(1, BackupDefaults.MaxCommandTimeoutSeconds)]
        public int CommandTimeoutSeconds { get; set; } = BackupDefaults.CommandTimeoutSeconds;

        protected override void Act(HaConnection c)
        {
            var from = Node != null ? "the copy on " + Node : "the standby copy";
            if (!ShouldProcess(Target(c), $"Back up {from} to {Path} (replication is suspended during the copy, then resyncs)")) return;
            var request = new BackupRequest { Path = Path, PreCommand = PreCommand, PostCommand = PostCommand, Node = Node, CommandTimeoutSeconds = CommandTimeoutSeconds };
            var job = Invoke((api, ct) => api.StartBackupAsync(Name, request, ct), Name);
            WriteVerbose($"Backup job {job.Id} started on {c.Endpoint}; copying from {job.Node}.");
            Follow(job, $"Backing up mirror '{Name}' to {Path}", HaMirrorErrorIds.MirrorBackupFailed);
        }
    }
}
