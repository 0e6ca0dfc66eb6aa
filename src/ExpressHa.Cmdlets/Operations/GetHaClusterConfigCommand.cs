using System.Management.Automation;
using ExpressHa.Client;
using ExpressHa.Config;
using ExpressHa.Yaml;

namespace ExpressHa.Cmdlets
{
    /// <summary>The config the connected cluster runs now, as a config object (with its generation), so it pipes into
    /// Export-HaClusterConfig, Test-HaClusterConfig or any Set-/Add- cmdlet.</summary>
    [Cmdlet(VerbsCommon.Get, "HaClusterConfig")]
    [OutputType(typeof(ClusterConfig))]
    public sealed class GetHaClusterConfigCommand : OperationCmdlet
    {
        /// <summary>Write the YAML exactly as the cluster holds it (a string) instead of a config object.</summary>
        [Parameter]
        public SwitchParameter Raw { get; set; }

        protected override void ProcessRecord()
        {
            try
            {
                var running = Invoke((api, ct) => api.GetRunningConfigAsync(ct));
                if (Raw)
                {
                    WriteObject(running.Yaml);
                    return;
                }
                var config = ConfigYamlReader.Read(running.Yaml, $"{running.ClusterName} generation {running.Generation}").Config;
                var pso = PSObject.AsPSObject(config);
                pso.Properties.Add(new PSNoteProperty("Generation", running.Generation));
                pso.Properties.Add(new PSNoteProperty("ReportingNode", running.Node));
                WriteObject(pso);
            }
            catch (HaCmdletException ex)
            {
                Report(ex);
            }
        }
    }
}
