using System;
using System.Management.Automation;

namespace ExpressHa.Cmdlets
{
    /// <summary>A failure a cmdlet reports as an ErrorRecord with a stable ErrorId.</summary>
    public sealed class HaCmdletException : Exception
    {
        public HaCmdletException(string errorId, ErrorCategory category, string message, object? target = null, bool terminating = false)
            : base(message)
        {
            ErrorId = errorId;
            Category = category;
            Target = target;
            Terminating = terminating;
        }

        public string ErrorId { get; }
        public ErrorCategory Category { get; }
        public object? Target { get; }
        /// <summary>Bad arguments end the command; a problem with one object only skips that object.</summary>
        public bool Terminating { get; }

        public ErrorRecord ToErrorRecord() => new ErrorRecord(this, ErrorId, Category, Target);

        public static HaCmdletException NotFound(string errorId, string kind, string name, string clusterName)
            => new HaCmdletException(errorId, ErrorCategory.ObjectNotFound,
                $"{kind} '{name}' was not found in cluster '{clusterName}'; check the name with Get-Ha{kind}.", name);

        public static HaCmdletException Duplicate(string kind, string name, string clusterName)
            => new HaCmdletException(HaErrorIds.DuplicateName, ErrorCategory.ResourceExists,
                $"{kind} '{name}' already exists in cluster '{clusterName}'; choose another name or change it with Set-Ha{kind}.", name);

        public static HaCmdletException BadArgument(string parameter, string message)
            => new HaCmdletException(HaErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, $"-{parameter}: {message}", parameter, terminating: true);
    }
}
