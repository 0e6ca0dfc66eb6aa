namespace ExpressHa.Cmdlets
{
    /// <summary>ErrorIds of the mirror cmdlets (the node's own refusals, such as ExpressHa.GroupActive or
    /// ExpressHa.MirrorNotFound, come through as they are).</summary>
    public static class HaMirrorErrorIds
    {
        public const string MirrorNotFound = "ExpressHa.MirrorNotFound";
        public const string MirrorBackupFailed = "ExpressHa.MirrorBackupFailed";
        public const string MirrorRestoreFailed = "ExpressHa.MirrorRestoreFailed";
        public const string FileExists = "ExpressHa.FileExists";
        public const string KeyWriteFailed = "ExpressHa.KeyWriteFailed";
    }
}
