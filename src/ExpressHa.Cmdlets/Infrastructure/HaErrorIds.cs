namespace ExpressHa.Cmdlets
{
    /// <summary>Stable ErrorIds: scripts match on these, so they never change meaning.</summary>
    public static class HaErrorIds
    {
        public const string ConfigInvalid = "ExpressHa.ConfigInvalid";
        public const string ConfigParseError = "ExpressHa.ConfigParseError";
        public const string ConfigFileNotFound = "ExpressHa.ConfigFileNotFound";
        public const string ConfigFileExists = "ExpressHa.ConfigFileExists";
        public const string ConfigWriteFailed = "ExpressHa.ConfigWriteFailed";
        public const string UnknownType = "ExpressHa.UnknownType";
        public const string InvalidArgument = "ExpressHa.InvalidArgument";
        public const string DuplicateName = "ExpressHa.DuplicateName";
        public const string NodeNotFound = "ExpressHa.NodeNotFound";
        public const string GroupNotFound = "ExpressHa.GroupNotFound";
        public const string ResourceNotFound = "ExpressHa.ResourceNotFound";
        public const string MonitorNotFound = "ExpressHa.MonitorNotFound";
        public const string ObjectInUse = "ExpressHa.ObjectInUse";
    }
}
