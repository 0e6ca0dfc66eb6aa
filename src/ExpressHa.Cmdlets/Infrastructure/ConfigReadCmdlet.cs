using System.Management.Automation;
using ExpressHa.Config;

namespace ExpressHa.Cmdlets
{
    /// <summary>Base of the Get-* cmdlets: reads the config, then emits what <see cref="Emit"/> selects.</summary>
    public abstract class ConfigReadCmdlet : ConfigSourceCmdlet
    {
        protected abstract void Emit(ClusterConfig config);

        /// <summary>The live parameter set (no -InputObject or -Path): what to emit from the connected cluster's status.</summary>
        protected abstract void EmitLive(HaClusterStatus status);

        protected override void ProcessRecord()
        {
            if (ParameterSetName == LiveQuery.LiveSet)
            {
                LiveQuery.Run(this, EmitLive);
                return;
            }
            try
            {
                var config = UsesPath ? ConfigFile.Read(FullPath).Config : InputObject;
                Emit(config);
            }
            catch (HaCmdletException ex)
            {
                Report(ex);
            }
        }

        /// <summary>Writes the matches of each name pattern; a plain name that matches nothing is an ObjectNotFound error.</summary>
        protected void EmitMatching<T>(System.Collections.Generic.IEnumerable<T> items, System.Func<T, string> name, string[]? patterns,
            string kind, string errorId, ClusterConfig config, System.Func<T, object> output)
        {
            if (patterns == null || patterns.Length == 0)
            {
                foreach (var i in items) WriteObject(output(i));
                return;
            }
            var list = new System.Collections.Generic.List<T>(items);
            foreach (var pattern in patterns)
            {
                var wildcard = WildcardPattern.ContainsWildcardCharacters(pattern);
                var wp = new WildcardPattern(pattern, WildcardOptions.IgnoreCase);
                var found = false;
                foreach (var i in list)
                {
                    if (!(wildcard ? wp.IsMatch(name(i)) : string.Equals(name(i), pattern, System.StringComparison.OrdinalIgnoreCase))) continue;
                    found = true;
                    WriteObject(output(i));
                }
                if (!found && !wildcard) WriteError(HaCmdletException.NotFound(errorId, kind, pattern, config.Name).ToErrorRecord());
            }
        }
    }
}
