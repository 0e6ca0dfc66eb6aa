using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ExpressHa.Config;
using ExpressHa.Validation;

namespace ExpressHa.Cmdlets
{
    /// <summary>Base of the cmdlets that change a config. A change is first tried on a copy and validated; it is applied
    /// (and, with -Path, saved) only when it adds no error, so a rejected change leaves the config and the file as they were.</summary>
    public abstract class ConfigEditCmdlet : ConfigSourceCmdlet
    {
        /// <summary>Returns the changed config down the pipeline (for chaining Add-Ha* cmdlets).</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>What the change does, for -WhatIf and -Confirm: "Add node 'server1'".</summary>
        protected abstract string Action { get; }

        /// <summary>Makes the change; throws HaCmdletException when it cannot be made.</summary>
        protected abstract void Apply(ClusterConfig config);

        /// <summary>Paths of the objects the change wrote (after the change). On an object in memory only new errors under
        /// these paths stop the change, so a config can be built in any order; a file must stay as valid as it was.</summary>
        protected virtual IEnumerable<string> ChangedPaths(ClusterConfig after) => Enumerable.Empty<string>();

        protected override void ProcessRecord()
        {
            try
            {
                if (UsesPath) EditFile();
                else EditObject(InputObject);
            }
            catch (HaCmdletException ex)
            {
                Report(ex);
            }
        }

        void EditObject(ClusterConfig config)
        {
            var trial = ConfigFile.Clone(config);
            Apply(trial);
            var scopes = ChangedPaths(trial).ToList();
            var before = ConfigValidator.Validate(config);
            var after = ConfigValidator.Validate(trial);
            var added = NewErrors(before, after).Where(f => scopes.Any(s => Within(f.Path, s))).ToList();
            if (Rejected(added)) return;
            WriteNewWarnings(before, after.Where(f => scopes.Any(s => Within(f.Path, s))));
            if (!ShouldProcess($"cluster '{config.Name}'", Action)) return;
            Apply(config);
            if (PassThru) WriteObject(config);
        }

        void EditFile()
        {
            var path = FullPath;
            var read = ConfigFile.Read(path);
            var broken = read.Findings.Where(f => f.IsError).ToList();
            if (broken.Count > 0)
            {
                foreach (var f in broken) WriteError(Invalid(f, path));
                throw new HaCmdletException(HaErrorIds.ConfigInvalid, ErrorCategory.InvalidData,
                    $"'{path}' has {broken.Count} structural error(s); fix them first (Test-HaClusterConfig -Path lists them), as writing it now would drop those fields.", path, terminating: true);
            }
            var config = read.Config;
            var trial = ConfigFile.Clone(config);
            Apply(trial);
            var before = ConfigValidator.Validate(config);
            var after = ConfigValidator.Validate(trial);
            if (Rejected(NewErrors(before, after).ToList(), path)) return;
            WriteNewWarnings(before, after);
            if (!ShouldProcess(path, Action)) return;
            ConfigFile.Write(path, trial);
            if (PassThru) WriteObject(trial);
        }

        void WriteNewWarnings(IEnumerable<ValidationFinding> before, IEnumerable<ValidationFinding> after)
        {
            var known = new HashSet<string>(before.Select(Key));
            foreach (var w in after.Where(f => !f.IsError && !known.Contains(Key(f)))) WriteWarning(w.ToString());
        }

        bool Rejected(List<ValidationFinding> added, string? file = null)
        {
            foreach (var f in added) WriteError(Invalid(f, file));
            return added.Count > 0;
        }

        static ErrorRecord Invalid(ValidationFinding f, string? file)
        {
            var message = file == null ? f.ToString() : $"{f} (in {file})";
            var ex = new HaCmdletException(HaErrorIds.ConfigInvalid, ErrorCategory.InvalidData, message, f);
            var record = ex.ToErrorRecord();
            record.ErrorDetails = new ErrorDetails(message) { RecommendedAction = f.Fix };
            return record;
        }

        internal static IEnumerable<ValidationFinding> NewErrors(IEnumerable<ValidationFinding> before, IEnumerable<ValidationFinding> after)
        {
            var known = new HashSet<string>(before.Where(f => f.IsError).Select(Key));
            return after.Where(f => f.IsError && !known.Contains(Key(f)));
        }

        static string Key(ValidationFinding f) => f.Code + "|" + f.Path + "|" + f.Message;

        static bool Within(string path, string scope)
            => path == scope || path.StartsWith(scope + ".", System.StringComparison.Ordinal) || path.StartsWith(scope + "[", System.StringComparison.Ordinal);
    }
}
