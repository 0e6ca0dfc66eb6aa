using ExpressHa.Api;

namespace ExpressHa.Cmdlets
{
    /// <summary>Stable ErrorIds: scripts match on these, so they never change meaning. The ids are the catalog's
    /// (<see cref="ErrorCodes"/>); these names stay for the cmdlets' code.</summary>
    public static class HaErrorIds
    {
        public const string ConfigInvalid = ErrorCodes.ConfigInvalid;
        public const string ConfigParseError = ErrorCodes.ConfigParseError;
        public const string ConfigFileNotFound = ErrorCodes.ConfigFileNotFound;
        public const string ConfigFileExists = ErrorCodes.ConfigFileExists;
        public const string ConfigWriteFailed = ErrorCodes.ConfigWriteFailed;
        public const string UnknownType = ErrorCodes.UnknownType;
        public const string InvalidArgument = ErrorCodes.InvalidArgument;
        public const string DuplicateName = ErrorCodes.DuplicateName;
        public const string NodeNotFound = ErrorCodes.NodeNotFound;
        public const string GroupNotFound = ErrorCodes.GroupNotFound;
        public const string ResourceNotFound = ErrorCodes.ResourceNotFound;
        public const string MonitorNotFound = ErrorCodes.MonitorNotFound;
        public const string ObjectInUse = ErrorCodes.ObjectInUse;
    }
}
