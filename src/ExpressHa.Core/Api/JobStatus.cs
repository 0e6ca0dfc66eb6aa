namespace ExpressHa.Api
{
    /// <summary>A long operation the service runs in the background (a mirror backup or restore): GET /v1/jobs/{id}.</summary>
    public sealed class JobStatus
    {
        public string Id { get; set; } = "";
        /// <summary>Backup, Restore or CopyOut.</summary>
        public string Kind { get; set; } = "";
        /// <summary>Running, Succeeded or Failed.</summary>
        public string State { get; set; } = JobStates.Running;
        public string Mirror { get; set; } = "";
        /// <summary>The node whose copy is read (backup) or written (restore).</summary>
        public string Node { get; set; } = "";
        public long BytesDone { get; set; }
        public long BytesTotal { get; set; }
        /// <summary>The current step while running; the outcome or the reason of the failure afterwards.</summary>
        public string Message { get; set; } = "";
        public string Started { get; set; } = "";
        public string? Finished { get; set; }

        public override string ToString() => $"{Kind} of {Mirror} on {Node}: {State}";
    }

    public static class JobStates
    {
        public const string Running = "Running";
        public const string Succeeded = "Succeeded";
        public const string Failed = "Failed";
    }

    public static class JobKinds
    {
        public const string Backup = "Backup";
        public const string Restore = "Restore";
        public const string CopyOut = "CopyOut";
    }
}
