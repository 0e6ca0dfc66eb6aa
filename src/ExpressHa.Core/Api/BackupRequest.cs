namespace ExpressHa.Api
{
    /// <summary>POST /v1/mirrors/{name}/backup: a snapshot backup of the standby copy. PreCommand quiesces the
    /// application and PostCommand resumes it, both on the primary's node around the suspend (the rest point).</summary>
    public sealed class BackupRequest
    {
        /// <summary>The image file to write, on the standby node.</summary>
        public string Path { get; set; } = "";
        public string? PreCommand { get; set; }
        public string? PostCommand { get; set; }
        /// <summary>The standby node to copy from; by default the node that is not primary.</summary>
        public string? Node { get; set; }
        /// <summary>How long each of PreCommand and PostCommand may run.</summary>
        public int CommandTimeoutSeconds { get; set; } = BackupDefaults.CommandTimeoutSeconds;
    }

    /// <summary>POST /v1/mirrors/{name}/restore: overwrite one node's copy from an image (the group must be stopped).</summary>
    public sealed class RestoreRequest
    {
        /// <summary>The image file, on the node restored.</summary>
        public string Path { get; set; } = "";
        /// <summary>The node whose copy is overwritten; by default the node that received the request.</summary>
        public string? Node { get; set; }
    }

    public static class BackupDefaults
    {
        public const int CommandTimeoutSeconds = 300;
        public const int MaxCommandTimeoutSeconds = 86400;
    }
}
