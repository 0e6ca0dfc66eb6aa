using System.IO;
using System.Linq;
using System.Management.Automation;
using ExpressHa.Config;
using ExpressHa.Validation;

namespace ExpressHa.Cmdlets
{
    /// <summary>Writes a config as expressha/v1 YAML. An invalid config is not written: each error is reported instead.</summary>
    [Cmdlet(VerbsData.Export, "HaClusterConfig", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(FileInfo))]
    public sealed class ExportHaClusterConfigCommand : PSCmdlet
    {
        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        public ClusterConfig InputObject { get; set; } = null!;

        [Parameter(Mandatory = true, Position = 0)]
        [Alias("FilePath")]
        public string Path { get; set; } = "";

        /// <summary>Do not overwrite an existing file.</summary>
        [Parameter] public SwitchParameter NoClobber { get; set; }

        /// <summary>Return the written file.</summary>
        [Parameter] public SwitchParameter PassThru { get; set; }

        bool _received;

        protected override void EndProcessing()
        {
            if (!_received)
                WriteError(new HaCmdletException(HaErrorIds.InvalidArgument, ErrorCategory.InvalidArgument,
                    "No cluster config came down the pipeline, so nothing was written; an Add-/Set- cmdlet earlier in the pipeline probably lacks -PassThru.", Path).ToErrorRecord());
        }

        protected override void ProcessRecord()
        {
            _received = true;
            var full = GetUnresolvedProviderPathFromPSPath(Path);
            var findings = ConfigValidator.Validate(InputObject);
            foreach (var w in findings.Where(f => !f.IsError)) WriteWarning(w.ToString());
            var errors = findings.Where(f => f.IsError).ToList();
            if (errors.Count > 0)
            {
                foreach (var f in errors)
                {
                    var record = new HaCmdletException(HaErrorIds.ConfigInvalid, ErrorCategory.InvalidData, f.ToString(), f).ToErrorRecord();
                    record.ErrorDetails = new ErrorDetails(f.ToString()) { RecommendedAction = f.Fix };
                    WriteError(record);
                }
                WriteError(new HaCmdletException(HaErrorIds.ConfigInvalid, ErrorCategory.InvalidData,
                    $"Cluster '{InputObject.Name}' has {errors.Count} error(s); nothing was written to '{full}'. Fix them (Test-HaClusterConfig lists them) and export again.", InputObject).ToErrorRecord());
                return;
            }
            if (NoClobber && File.Exists(full))
            {
                WriteError(new HaCmdletException(HaErrorIds.ConfigFileExists, ErrorCategory.ResourceExists,
                    $"'{full}' exists and -NoClobber was given; choose another path or leave out -NoClobber.", full).ToErrorRecord());
                return;
            }
            if (!ShouldProcess(full, $"Write cluster config '{InputObject.Name}'")) return;
            try { ConfigFile.Write(full, InputObject); }
            catch (HaCmdletException ex) { WriteError(ex.ToErrorRecord()); return; }
            if (PassThru) WriteObject(new FileInfo(full));
        }
    }
}
