using System.Linq;
using System.Management.Automation;
using ExpressHa.Schema;

namespace ExpressHa.Cmdlets
{
    /// <summary>Lists the resource and monitor types with their parameters and defaults, for people and for IaC generators.</summary>
    [Cmdlet(VerbsCommon.Get, "HaTypeSchema")]
    [OutputType(typeof(TypeSchema))]
    public sealed class GetHaTypeSchemaCommand : PSCmdlet
    {
        [Parameter(Position = 0)]
        [SupportsWildcards]
        public string[]? Name { get; set; }

        [Parameter] public SchemaKind? Kind { get; set; }

        protected override void ProcessRecord()
        {
            var all = SchemaRegistry.Resources.Concat(SchemaRegistry.Monitors).Where(t => Kind == null || t.Kind == Kind).ToList();
            if (Name == null || Name.Length == 0) { foreach (var t in all) WriteObject(t); return; }
            foreach (var pattern in Name)
            {
                var wp = new WildcardPattern(pattern, WildcardOptions.IgnoreCase);
                var hits = all.Where(t => wp.IsMatch(t.Name)).ToList();
                if (hits.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(pattern))
                    WriteError(new HaCmdletException(HaErrorIds.UnknownType, ErrorCategory.ObjectNotFound,
                        $"'{pattern}' is not a resource or monitor type; Get-HaTypeSchema without -Name lists them.", pattern).ToErrorRecord());
                foreach (var t in hits) WriteObject(t);
            }
        }
    }
}
