using System.Management.Automation;
using ExpressHa.Api;

namespace ExpressHa.Cmdlets
{
    /// <summary>Base of Backup- and Restore-HaMirror: starts a job on the service and follows it with progress until it
    /// ends (Ctrl+C stops following; the job goes on, Get-HaMirror shows its effect).</summary>
    public abstract class MirrorJobCmdlet : MirrorNameCmdlet
    {
        internal const int PollMs = 250;
        const int ProgressId = 2;

        /// <summary>Follows the job to its end, writes it, and turns a failure into an error record.</summary>
        protected void Follow(JobStatus job, string activity, string failedId)
        {
            try
            {
                while (job.State == JobStates.Running)
                {
                    // A fresh record each time: hosts and the progress stream keep the object, not a copy.
                    WriteProgress(new ProgressRecord(ProgressId, activity, string.IsNullOrEmpty(job.Message) ? job.State : job.Message)
                    {
                        PercentComplete = job.BytesTotal > 0 ? (int)System.Math.Min(100, job.BytesDone * 100 / job.BytesTotal) : -1,
                    });
                    Pause(PollMs);
                    var id = job.Id;
                    job = Invoke((api, ct) => api.GetJobAsync(id, ct), Name);
                }
            }
            finally
            {
                WriteProgress(new ProgressRecord(ProgressId, activity, job.State) { RecordType = ProgressRecordType.Completed });
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
