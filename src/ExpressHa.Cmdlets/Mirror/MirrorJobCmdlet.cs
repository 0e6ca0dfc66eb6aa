using System.Management.Automation;
using ExpressHa.Api;

namespace ExpressHa.Cmdlets
{
    /// <summary>Base of Backup- and Restore-HaMirror: starts a job on the service and follows it with progress until it
    /// ends (Ctrl+C stops following; the job goes on, Get-HaMirror shows its effect).</summary>
    public abstract class MirrorJobCmdlet : MirrorNameCmdlet
    {
        internal const int PollMs = 250;

        /// <summary>Follows the job to its end, writes it, and turns a failure into an error record.</summary>
        protected void Follow(JobStatus job, string activity, string failedId)
        {
            var progress = new ProgressRecord(2, activity, job.Message);
            try
            {
                while (job.State == JobStates.Running)
                {
                    progress.StatusDescription = string.IsNullOrEmpty(job.Message) ? job.State : job.Message;
                    progress.PercentComplete = job.BytesTotal > 0 ? (int)System.Math.Min(100, job.BytesDone * 100 / job.BytesTotal) : -1;
                    WriteProgress(progress);
                    Pause(PollMs);
                    var id = job.Id;
                    job = Invoke((api, ct) => api.GetJobAsync(id, ct), Name);
                }
            }
            finally
            {
                progress.RecordType = ProgressRecordType.Completed;
                WriteProgress(progress);
            }
            if (job.State == JobStates.Succeeded)
            {
                WriteObject(job);
                return;
            }
            WriteError(new HaCmdletException(failedId, ErrorCategory.InvalidResult,
                $"{job.Kind} of mirror '{job.Mirror}' on {job.Node} failed: {job.Message}", job).ToErrorRecord());
        }
    }
}
