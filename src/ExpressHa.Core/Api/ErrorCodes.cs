namespace ExpressHa.Api
{
    /// <summary>Every error id of ExpressHa: the codes of API errors and refused operations (the "code" of an error
    /// body or an <see cref="OperationResult"/>), the codes the clients raise, and the cmdlets' ErrorIds. An id is
    /// "ExpressHa." + this field's name, PascalCase, named for what went wrong, and never changes meaning once
    /// shipped: scripts match on it.</summary>
    public static class ErrorCodes
    {
        public const string Prefix = "ExpressHa.";

        /// <summary>The id a client gives an error answer that carries none of its own (not the API's JSON).</summary>
        public static string ForStatus(int status) => status switch
        {
            400 => BadRequest,
            401 => Unauthorized,
            403 => Forbidden,
            404 => NotFound,
            409 => Conflict,
            413 => PayloadTooLarge,
            _ => InternalError,
        };

        // ---- the API layer: credentials and malformed requests
        /// <summary>No credential, or one the node does not know (401).</summary>
        public const string Unauthorized = "ExpressHa.Unauthorized";
        /// <summary>The other credential: an API token on a node-to-node route, the cluster credential on an operator route (403).</summary>
        public const string Forbidden = "ExpressHa.Forbidden";
        /// <summary>The read-only token (or a read-only web UI session) asked for a change (403).</summary>
        public const string ReadOnly = "ExpressHa.ReadOnly";
        /// <summary>A web UI session's changing call came without the same-origin proof (403).</summary>
        public const string CrossSiteRequest = "ExpressHa.CrossSiteRequest";
        /// <summary>The request is malformed: its body, its query or a field (400).</summary>
        public const string BadRequest = "ExpressHa.BadRequest";
        /// <summary>No such route, or a node without the feature (404).</summary>
        public const string NotFound = "ExpressHa.NotFound";
        /// <summary>A refusal without a code of its own (409).</summary>
        public const string Conflict = "ExpressHa.Conflict";
        public const string PayloadTooLarge = "ExpressHa.PayloadTooLarge";
        /// <summary>The node failed on the request; the details are in its log only (500).</summary>
        public const string InternalError = "ExpressHa.InternalError";

        // ---- the clients: transport and trust
        public const string ConnectionFailed = "ExpressHa.ConnectionFailed";
        public const string Timeout = "ExpressHa.Timeout";
        /// <summary>HTTPS without a pinned fingerprint: the certificate is not trusted.</summary>
        public const string CertificateNotTrusted = "ExpressHa.CertificateNotTrusted";
        /// <summary>The certificate is not the pinned one.</summary>
        public const string CertificateMismatch = "ExpressHa.CertificateMismatch";
        /// <summary>The answer is not the JSON the route promises.</summary>
        public const string BadResponse = "ExpressHa.BadResponse";
        /// <summary>Plain HTTP to an address that is not loopback.</summary>
        public const string InsecureEndpoint = "ExpressHa.InsecureEndpoint";

        // ---- objects that do not exist (404)
        public const string GroupNotFound = "ExpressHa.GroupNotFound";
        public const string NodeNotFound = "ExpressHa.NodeNotFound";
        public const string ResourceNotFound = "ExpressHa.ResourceNotFound";
        public const string MonitorNotFound = "ExpressHa.MonitorNotFound";
        public const string MirrorNotFound = "ExpressHa.MirrorNotFound";
        /// <summary>Jobs live on the node that started them, and not across a restart.</summary>
        public const string JobNotFound = "ExpressHa.JobNotFound";

        // ---- refused or failed operations (409, 502)
        /// <summary>No node's cluster service runs to take the request.</summary>
        public const string ServiceNotRunning = "ExpressHa.ServiceNotRunning";
        /// <summary>The policy refused the operation; the message says why.</summary>
        public const string OperationRefused = "ExpressHa.OperationRefused";
        /// <summary>The request had to go to a peer that did not answer.</summary>
        public const string PeerUnreachable = "ExpressHa.PeerUnreachable";
        /// <summary>The node named in the request (a support bundle's) did not answer (502).</summary>
        public const string NodeUnreachable = "ExpressHa.NodeUnreachable";
        /// <summary>One node of a cluster-wide operation failed.</summary>
        public const string NodeFailed = "ExpressHa.NodeFailed";
        /// <summary>A config commit or abort names a generation that is not staged.</summary>
        public const string NothingStaged = "ExpressHa.NothingStaged";
        /// <summary>A step of a plan failed on the node that ran it.</summary>
        public const string StepFailed = "ExpressHa.StepFailed";
        /// <summary>The operation needs the group offline (a mirror restore).</summary>
        public const string GroupActive = "ExpressHa.GroupActive";

        // ---- mirror operations and the mirror engine's refusals
        public const string MirrorNoPrimary = "ExpressHa.MirrorNoPrimary";
        public const string MirrorCopyUnavailable = "ExpressHa.MirrorCopyUnavailable";
        /// <summary>A backup reads the standby's copy; the mirror has no standby that is up to date.</summary>
        public const string BackupNeedsStandby = "ExpressHa.BackupNeedsStandby";
        public const string MirrorNodeRequired = "ExpressHa.MirrorNodeRequired";
        public const string MirrorCommandFailed = "ExpressHa.MirrorCommandFailed";
        public const string MirrorOutdated = "ExpressHa.MirrorOutdated";
        public const string MirrorInconsistent = "ExpressHa.MirrorInconsistent";
        public const string MirrorSplitBrain = "ExpressHa.MirrorSplitBrain";
        public const string MirrorPeerPrimary = "ExpressHa.MirrorPeerPrimary";
        public const string MirrorPeerUnknown = "ExpressHa.MirrorPeerUnknown";
        public const string MirrorKeyMismatch = "ExpressHa.MirrorKeyMismatch";
        public const string MirrorAuthFailed = "ExpressHa.MirrorAuthFailed";
        public const string MirrorNotPrimary = "ExpressHa.MirrorNotPrimary";
        public const string MirrorNotSuspended = "ExpressHa.MirrorNotSuspended";
        public const string MirrorBusy = "ExpressHa.MirrorBusy";
        public const string MirrorSizeMismatch = "ExpressHa.MirrorSizeMismatch";

        // ---- the cmdlets: config files and arguments
        public const string ConfigInvalid = "ExpressHa.ConfigInvalid";
        public const string ConfigParseError = "ExpressHa.ConfigParseError";
        public const string ConfigFileNotFound = "ExpressHa.ConfigFileNotFound";
        public const string ConfigFileExists = "ExpressHa.ConfigFileExists";
        public const string ConfigWriteFailed = "ExpressHa.ConfigWriteFailed";
        public const string UnknownType = "ExpressHa.UnknownType";
        public const string InvalidArgument = "ExpressHa.InvalidArgument";
        public const string DuplicateName = "ExpressHa.DuplicateName";
        /// <summary>The object is still referenced (a resource a monitor watches, a node a group runs on).</summary>
        public const string ObjectInUse = "ExpressHa.ObjectInUse";

        // ---- the cmdlets: sessions and operations
        public const string NotConnected = "ExpressHa.NotConnected";
        /// <summary>A config push was refused or invalid.</summary>
        public const string ConfigRefused = "ExpressHa.ConfigRefused";
        /// <summary>An object piped from another cluster than the session's.</summary>
        public const string WrongCluster = "ExpressHa.WrongCluster";
        public const string WaitTimeout = "ExpressHa.WaitTimeout";
        public const string GroupFailed = "ExpressHa.GroupFailed";
        public const string FileExists = "ExpressHa.FileExists";
        public const string ArchiveWriteFailed = "ExpressHa.ArchiveWriteFailed";
        /// <summary>An Invoke-HaFailoverDrill drill was refused or did not reach its outcome in time.</summary>
        public const string DrillFailed = "ExpressHa.DrillFailed";
        /// <summary>The drill report could not be written.</summary>
        public const string ReportWriteFailed = "ExpressHa.ReportWriteFailed";
        public const string MirrorBackupFailed = "ExpressHa.MirrorBackupFailed";
        public const string MirrorRestoreFailed = "ExpressHa.MirrorRestoreFailed";
        public const string KeyWriteFailed = "ExpressHa.KeyWriteFailed";
        /// <summary>Get-HaAwsEnvironment: the instance metadata service did not answer.</summary>
        public const string ImdsUnavailable = "ExpressHa.ImdsUnavailable";
    }
}
