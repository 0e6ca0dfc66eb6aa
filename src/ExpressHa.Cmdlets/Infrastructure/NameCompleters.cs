using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using ExpressHa.Config;
using ExpressHa.Yaml;

namespace ExpressHa.Cmdlets
{
    /// <summary>Tab completion of node, group, resource and monitor names from the config the command works on: the file
    /// given with -Path, or the object given with -InputObject. Completes nothing for a name an Add- cmdlet creates.</summary>
    public abstract class ConfigNameCompleter : IArgumentCompleter
    {
        protected abstract IEnumerable<string> Names(ClusterConfig config);

        /// <summary>True for the -Name of a cmdlet that names a new object (Add-HaGroup -Name), which has nothing to complete.</summary>
        protected virtual bool NamesNewObject(string commandName, string parameterName)
            => parameterName.Equals("Name", StringComparison.OrdinalIgnoreCase) && commandName.StartsWith("Add-", StringComparison.OrdinalIgnoreCase);

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            if (NamesNewObject(commandName ?? "", parameterName ?? "")) return Enumerable.Empty<CompletionResult>();
            var config = ConfigOf(fakeBoundParameters);
            if (config == null) return Enumerable.Empty<CompletionResult>();
            var prefix = (wordToComplete ?? "").Trim('\'', '"');
            return Names(config).Where(n => !string.IsNullOrEmpty(n) && n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .Distinct(StringComparer.Ordinal).OrderBy(n => n, StringComparer.Ordinal)
                .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, n));
        }

        static ClusterConfig? ConfigOf(IDictionary? bound)
        {
            if (bound == null) return null;
            if (bound.Contains("InputObject") && Unwrap(bound["InputObject"]) is ClusterConfig c) return c;
            var path = bound.Contains("Path") ? Unwrap(bound["Path"]) as string : bound.Contains("FilePath") ? Unwrap(bound["FilePath"]) as string : null;
            if (string.IsNullOrWhiteSpace(path)) return null;
            try
            {
                var full = ProviderPath(path!);
                return full != null && File.Exists(full) ? ConfigYamlReader.ReadFile(full).Config : null;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is ConfigParseException || ex is ArgumentException || ex is NotSupportedException)
            {
                return null;
            }
        }

        static object? Unwrap(object? value) => value is PSObject pso ? pso.BaseObject : value;

        /// <summary>The file-system path of a -Path value as the cmdlet will resolve it: relative to the session's location
        /// (not the process's), with ~ and drives. Completion runs on the session's thread, so a nested command can ask it.</summary>
        static string? ProviderPath(string path)
        {
            try
            {
                using (var ps = PowerShell.Create(RunspaceMode.CurrentRunspace))
                {
                    ps.AddScript("$ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($args[0])").AddArgument(path);
                    var result = ps.Invoke();
                    return result.Count == 1 ? result[0]?.BaseObject as string : null;
                }
            }
            catch (Exception ex) when (ex is RuntimeException || ex is PSInvalidOperationException)
            {
                return System.IO.Path.IsPathRooted(path) ? path : null;
            }
        }
    }

    public sealed class NodeNameCompleter : ConfigNameCompleter
    {
        protected override IEnumerable<string> Names(ClusterConfig config) => config.Nodes.Select(n => n.Name);
    }

    public sealed class GroupNameCompleter : ConfigNameCompleter
    {
        protected override IEnumerable<string> Names(ClusterConfig config) => config.Groups.Select(g => g.Name);
    }

    public sealed class ResourceNameCompleter : ConfigNameCompleter
    {
        protected override IEnumerable<string> Names(ClusterConfig config) => config.Groups.SelectMany(g => g.Resources).Select(r => r.Name);
    }

    public sealed class MonitorNameCompleter : ConfigNameCompleter
    {
        protected override IEnumerable<string> Names(ClusterConfig config) => config.Monitors.Select(m => m.Name);
    }

    /// <summary>A monitor's recovery target: a resource, a group, or "local".</summary>
    public sealed class RecoveryTargetCompleter : ConfigNameCompleter
    {
        protected override IEnumerable<string> Names(ClusterConfig config)
            => config.Groups.SelectMany(g => g.Resources).Select(r => r.Name).Concat(config.Groups.Select(g => g.Name)).Concat(new[] { "local" });
    }
}
