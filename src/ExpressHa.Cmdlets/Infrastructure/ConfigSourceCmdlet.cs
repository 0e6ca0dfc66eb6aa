using System.Management.Automation;
using ExpressHa.Config;

namespace ExpressHa.Cmdlets
{
    /// <summary>A cmdlet that works on a cluster config given either as an object (pipeline) or as a YAML file (-Path).</summary>
    public abstract class ConfigSourceCmdlet : PSCmdlet
    {
        public const string ObjectSet = "InputObject";
        public const string PathSet = "Path";

        /// <summary>The cluster config to work on, usually from the pipeline.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ObjectSet)]
        public ClusterConfig InputObject { get; set; } = null!;

        /// <summary>A YAML config file to work on in place.</summary>
        [Parameter(Mandatory = true, ParameterSetName = PathSet)]
        [Alias("FilePath")]
        public string Path { get; set; } = null!;

        protected bool UsesPath => ParameterSetName == PathSet;

        protected string FullPath => GetUnresolvedProviderPathFromPSPath(Path);

        protected void Report(HaCmdletException ex)
        {
            if (ex.Terminating) ThrowTerminatingError(ex.ToErrorRecord());
            else WriteError(ex.ToErrorRecord());
        }

        /// <summary>The object with the cluster's name attached, so views and later cmdlets know where it came from.</summary>
        protected PSObject Tagged(object item, ClusterConfig config, string? group = null)
        {
            var pso = PSObject.AsPSObject(item);
            pso.Properties.Remove("ClusterName");
            pso.Properties.Add(new PSNoteProperty("ClusterName", config.Name));
            if (group != null)
            {
                pso.Properties.Remove("Group");
                pso.Properties.Add(new PSNoteProperty("Group", group));
            }
            return pso;
        }
    }
}
