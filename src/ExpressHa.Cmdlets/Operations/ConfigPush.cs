using System;
using System.IO;
using System.Management.Automation;
using ExpressHa.Api;

namespace ExpressHa.Cmdlets
{
    /// <summary>What Publish-HaClusterConfig and Compare-HaClusterConfig share: reading the YAML to send, and turning
    /// the service's validation errors and node refusals into ErrorRecords.</summary>
    internal static class ConfigPush
    {
        public static string ReadFile(string fullPath)
        {
            if (!File.Exists(fullPath))
                throw new HaCmdletException(HaErrorIds.ConfigFileNotFound, ErrorCategory.ObjectNotFound, $"The config file '{fullPath}' does not exist.", fullPath);
            try
            {
                return File.ReadAllText(fullPath);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new HaCmdletException(HaErrorIds.ConfigFileNotFound, ErrorCategory.ReadError, $"Cannot read '{fullPath}': {ex.Message}", fullPath);
            }
        }

        /// <summary>Validation errors (ExpressHa.ConfigInvalid) and node refusals (ExpressHa.ConfigRefused), one record
        /// each; true when there was any.</summary>
        public static bool ReportProblems(Cmdlet cmdlet, ConfigPushResult r, object target)
        {
            foreach (var e in r.Errors)
                cmdlet.WriteError(new HaCmdletException(HaErrorIds.ConfigInvalid, ErrorCategory.InvalidData, "The cluster rejected the config: " + e, target).ToErrorRecord());
            foreach (var refusal in r.Refusals)
                cmdlet.WriteError(new HaCmdletException(HaOperationErrorIds.ConfigRefused, ErrorCategory.InvalidOperation,
                    $"Node {refusal.Node} refused the config, so no node changed: {string.Join("; ", refusal.Reasons)}", refusal.Node).ToErrorRecord());
            return r.Errors.Count > 0 || r.Refusals.Count > 0;
        }
    }
}
