using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using ExpressHa.Schema;

namespace ExpressHa.Cmdlets
{
    /// <summary>Tab completion of -Type from the schema, with each type's description as the tooltip.</summary>
    public abstract class SchemaTypeCompleter : IArgumentCompleter
    {
        protected abstract IEnumerable<TypeSchema> Types { get; }

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var prefix = (wordToComplete ?? "").Trim('\'', '"');
            return Types.Where(t => t.Name.StartsWith(prefix, System.StringComparison.OrdinalIgnoreCase))
                .Select(t => new CompletionResult(t.Name, t.Name, CompletionResultType.ParameterValue, t.Description));
        }
    }

    public sealed class ResourceTypeCompleter : SchemaTypeCompleter
    {
        protected override IEnumerable<TypeSchema> Types => SchemaRegistry.Resources;
    }

    public sealed class MonitorTypeCompleter : SchemaTypeCompleter
    {
        protected override IEnumerable<TypeSchema> Types => SchemaRegistry.Monitors;
    }

    internal static class TypeCheck
    {
        /// <summary>The schema of a -Type argument, or a terminating error listing the known types.</summary>
        public static TypeSchema Resolve(string type, bool monitor)
        {
            var schema = monitor ? SchemaRegistry.FindMonitor(type) : SchemaRegistry.FindResource(type);
            if (schema != null) return schema;
            var names = (monitor ? SchemaRegistry.MonitorTypeNames : SchemaRegistry.ResourceTypeNames).ToList();
            var hint = Yaml.Suggest.Closest(type ?? "", names);
            throw new HaCmdletException(HaErrorIds.UnknownType, ErrorCategory.InvalidArgument,
                $"-Type: '{type}' is not a {(monitor ? "monitor" : "resource")} type; " + (hint != null ? $"did you mean '{hint}'? " : "") +
                $"Use one of: {string.Join(", ", names)}.", type, terminating: true);
        }
    }
}
