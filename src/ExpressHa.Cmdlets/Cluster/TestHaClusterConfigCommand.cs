using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ExpressHa.Config;
using ExpressHa.Validation;

namespace ExpressHa.Cmdlets
{
    /// <summary>Validates a config and returns one finding per problem (path, message, fix; line and column for files).
    /// -Quiet returns only $true when there is no error.</summary>
    [Cmdlet(VerbsDiagnostic.Test, "HaClusterConfig", DefaultParameterSetName = ObjectSet)]
    [OutputType(typeof(ValidationFinding), typeof(bool))]
    public sealed class TestHaClusterConfigCommand : ConfigSourceCmdlet
    {
        [Parameter] public SwitchParameter Quiet { get; set; }

        protected override void ProcessRecord()
        {
            IReadOnlyList<ValidationFinding> findings;
            if (UsesPath)
            {
                var path = FullPath;
                Yaml.ConfigReadResult read;
                try { read = ConfigFile.Read(path); }
                catch (HaCmdletException ex)
                {
                    if (Quiet && ex.ErrorId == HaErrorIds.ConfigParseError) { WriteObject(false); return; }
                    WriteError(ex.ToErrorRecord());
                    return;
                }
                findings = ConfigValidator.Validate(read, path);
            }
            else findings = ConfigValidator.Validate(InputObject);

            if (Quiet) WriteObject(!findings.Any(f => f.IsError));
            else foreach (var f in findings) WriteObject(f);
        }
    }
}
