using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ExpressHa.Config;
using ExpressHa.Validation;

namespace ExpressHa.Cmdlets
{
    /// <summary>Validates a config and returns one finding per problem (path, message, fix; line and column for files).
    /// -Quiet returns only $true when there is no error. -Simulate runs events through the policy engine on the config
    /// (no cluster needed) and returns the plan of each, step by step.</summary>
    [Cmdlet(VerbsDiagnostic.Test, "HaClusterConfig", DefaultParameterSetName = ObjectSet)]
    [OutputType(typeof(ValidationFinding), typeof(bool), typeof(HaSimulationStep))]
    public sealed class TestHaClusterConfigCommand : ConfigSourceCmdlet
    {
        [Parameter] public SwitchParameter Quiet { get; set; }

        /// <summary>Events to simulate in order, e.g. 'NodeLost server1', 'ResourceFailed failover1/app'.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Simulate { get; set; }

        protected override void BeginProcessing()
        {
            if (Quiet && Simulate != null)
                ThrowTerminatingError(new HaCmdletException(HaErrorIds.InvalidArgument, ErrorCategory.InvalidArgument,
                    "-Quiet and -Simulate cannot be used together: -Quiet only answers whether the config is valid.").ToErrorRecord());
            base.BeginProcessing();
        }

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

            if (Simulate != null) RunSimulation(findings);
            else if (Quiet) WriteObject(!findings.Any(f => f.IsError));
            else foreach (var f in findings) WriteObject(f);
        }

        void RunSimulation(IReadOnlyList<ValidationFinding> findings)
        {
            var errors = findings.Where(f => f.IsError).ToList();
            if (errors.Count > 0)
            {
                WriteError(new HaCmdletException(HaErrorIds.ConfigInvalid, ErrorCategory.InvalidData,
                    $"The config has {errors.Count} error(s), so it cannot be simulated; run Test-HaClusterConfig without -Simulate to see them. First: {errors[0]}",
                    UsesPath ? (object)FullPath : InputObject).ToErrorRecord());
                return;
            }
            var config = UsesPath ? ConfigFile.Read(FullPath).Config : InputObject;
            IReadOnlyList<Policy.SimulatedStep> steps;
            try { steps = Policy.PolicySimulation.Run(config, Simulate!); }
            catch (System.FormatException e)
            {
                ThrowTerminatingError(new HaCmdletException(HaErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, e.Message, Simulate, terminating: true).ToErrorRecord());
                return;
            }
            foreach (var step in steps) WriteObject(HaSimulationStep.From(step));
        }
    }
}
