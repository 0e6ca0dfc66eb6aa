using System.Collections;
using System.IO;
using System.Linq;
using System.Management.Automation;
using ExpressHa.Config;
using ExpressHa.Validation;

namespace ExpressHa.Cmdlets
{
    /// <summary>Creates a cluster config: in memory for a pipeline, or also as a new YAML file with -Path.</summary>
    [Cmdlet(VerbsCommon.New, "HaCluster", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(ClusterConfig))]
    public sealed class NewHaClusterCommand : PSCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        public string Name { get; set; } = "";

        /// <summary>Interconnect names in priority order (default: lan1).</summary>
        [Parameter]
        public string[] Interconnect { get; set; } = { "lan1" };

        /// <summary>Roles of interconnects: @{ mdc1 = 'mirror' } (default heartbeat).</summary>
        [Parameter]
        public Hashtable? InterconnectRole { get; set; }

        [Parameter]
        public int HeartbeatIntervalMs { get; set; } = HeartbeatSettings.DefaultIntervalMs;

        [Parameter]
        public int HeartbeatTimeoutMs { get; set; } = HeartbeatSettings.DefaultTimeoutMs;

        /// <summary>Also write the new config to this YAML file.</summary>
        [Parameter]
        public string? Path { get; set; }

        /// <summary>Overwrite an existing file at -Path.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            var config = new ClusterConfig();
            config.Cluster.Name = Name;
            config.Cluster.Heartbeat.IntervalMs = HeartbeatIntervalMs;
            config.Cluster.Heartbeat.TimeoutMs = HeartbeatTimeoutMs;
            foreach (var ic in Interconnect) config.Cluster.Interconnects.Add(new InterconnectConfig { Name = ic });
            if (InterconnectRole != null)
            {
                try { InterconnectRoles.Apply(config.Cluster, InterconnectRole, nameof(InterconnectRole)); }
                catch (HaCmdletException ex) { ThrowTerminatingError(ex.ToErrorRecord()); }
            }

            var errors = ConfigValidator.Validate(config).Where(f => f.IsError && f.Path.StartsWith("cluster", System.StringComparison.Ordinal)).ToList();
            if (errors.Count > 0)
                ThrowTerminatingError(HaCmdletException.BadArgument(ParameterFor(errors[0].Path), errors[0].ToString()).ToErrorRecord());

            if (Path != null)
            {
                var full = GetUnresolvedProviderPathFromPSPath(Path);
                if (File.Exists(full) && !Force)
                {
                    WriteError(new HaCmdletException(HaErrorIds.ConfigFileExists, ErrorCategory.ResourceExists,
                        $"'{full}' already exists; use -Force to replace it, or edit it with the Add-Ha*/Set-Ha* cmdlets and -Path.", full).ToErrorRecord());
                    return;
                }
                if (!ShouldProcess(full, $"Create cluster config '{Name}'")) return;
                try { ConfigFile.Write(full, config); }
                catch (HaCmdletException ex) { WriteError(ex.ToErrorRecord()); return; }
            }
            WriteObject(config);
        }

        static string ParameterFor(string path)
            => path.Contains("heartbeat.intervalMs") ? "HeartbeatIntervalMs"
             : path.Contains("heartbeat") ? "HeartbeatTimeoutMs"
             : path.Contains("interconnect") ? "Interconnect" : "Name";
    }
}
