using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;

namespace ExpressHa.Cmdlets
{
    /// <summary>The live parameter set of Get-HaNode/-Group/-Resource/-Monitor: read the connected cluster's status.</summary>
    internal static class LiveQuery
    {
        public const string LiveSet = "Live";

        public static HaClusterStatus Status(PSCmdlet cmdlet)
        {
            var c = LiveCall.Require(cmdlet);
            return HaClusterStatus.From(LiveCall.Invoke(c, CancellationToken.None, (api, ct) => api.GetStatusAsync(ct)), c.Endpoint.ToString());
        }

        /// <summary>Writes the matches of each name pattern; a plain name that matches nothing is an ObjectNotFound error.</summary>
        public static void Emit<T>(PSCmdlet cmdlet, IEnumerable<T> items, System.Func<T, string> name, string[]? patterns, string kind, string errorId, string clusterName)
        {
            var list = items.ToList();
            if (patterns == null || patterns.Length == 0)
            {
                foreach (var i in list) cmdlet.WriteObject(i);
                return;
            }
            foreach (var pattern in patterns)
            {
                var wildcard = WildcardPattern.ContainsWildcardCharacters(pattern);
                var wp = new WildcardPattern(pattern, WildcardOptions.IgnoreCase);
                var found = false;
                foreach (var i in list)
                {
                    if (!(wildcard ? wp.IsMatch(name(i)) : string.Equals(name(i), pattern, System.StringComparison.OrdinalIgnoreCase))) continue;
                    found = true;
                    cmdlet.WriteObject(i);
                }
                if (!found && !wildcard) cmdlet.WriteError(HaCmdletException.NotFound(errorId, kind, pattern, clusterName).ToErrorRecord());
            }
        }

        public static void Run(PSCmdlet cmdlet, System.Action<HaClusterStatus> emit)
        {
            try
            {
                emit(Status(cmdlet));
            }
            catch (HaCmdletException ex)
            {
                if (ex.Terminating) cmdlet.ThrowTerminatingError(ex.ToErrorRecord());
                else cmdlet.WriteError(ex.ToErrorRecord());
            }
        }
    }
}
