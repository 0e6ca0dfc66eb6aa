using ExpressHa.Api;

namespace ExpressHa.Cmdlets
{
    /// <summary>ErrorIds of the mirror cmdlets (the node's own refusals, such as ExpressHa.GroupActive or
    /// ExpressHa.MirrorNotFound, come through as they are).</summary>
    public static class HaMirrorErrorIds
    {
        public const string MirrorNotFound = ErrorCodes.MirrorNotFound;
        public const string MirrorBackupFailed = ErrorCodes.MirrorBackupFailed;
        public const string MirrorRestoreFailed = ErrorCodes.MirrorRestoreFailed;
        public const string FileExists = ErrorCodes.FileExists;
        public const string KeyWriteFailed = ErrorCodes.KeyWriteFailed;
    }
}
