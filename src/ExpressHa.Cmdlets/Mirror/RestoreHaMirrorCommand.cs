using System.Management.Automation;
using ExpressHa.Api;

namespace ExpressHa.Cmdlets
{
    /// <summary>Overwrites one node's copy of a mirror from an image file and makes it the newest; the other copy then
    /// resyncs fully from it. Refused while the mirror's group is online anywhere.</summary>
    [Cmdlet(VerbsData.Restore, "HaMirror", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(JobStatus))]
    public sealed class RestoreHaMirrorCommand : MirrorJobCmdlet
    {
        /// <summary>The image file, on the node restored.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = "";

        /// <summary>The node whose copy is overwritten; by default the node the session is connected to.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Node { get; set; }

        protected override void Act(HaConnection c)
        {
            var copy = Node != null ? "the copy on " + Node : "the copy on the connected node";
            if (!ShouldProcess(Target(c), $"Restore {copy} from {Path}: its current data is DISCARDED and every other copy resyncs fully")) return;
            var request = new RestoreRequest { Path = Path, Node = Node };
            var job = Invoke((api, ct) => api.StartRestoreAsync(Name, request, ct), Name);
            WriteVerbose($"Restore job {job.Id} started on {c.Endpoint}; restoring the copy on {job.Node}.");
            Follow(job, $"Restoring mirror '{Name}' from {Path}", HaMirrorErrorIds.MirrorRestoreFailed);
        }
    }
}
