using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using ExpressHa.Config;
using ExpressHa.Schema;

namespace ExpressHa.Cmdlets
{
    /// <summary>Base of Add-/Set-HaResource and Add-/Set-HaMonitor: the object's type-specific parameters come as dynamic
    /// parameters named from the schema (-VpcId, -Eni), as -Property @{ vpcId = ... }, or both (a parameter given both ways
    /// is an error naming it).</summary>
    public abstract class TypedEditCmdlet : ConfigEditCmdlet, IDynamicParameters
    {
        /// <summary>Type-specific parameters by their YAML names, for scripts; the typed parameters are the same.</summary>
        [Parameter]
        [Alias("Parameters")]
        public Hashtable? Property { get; set; }

        /// <summary>The object's name (every cmdlet of this family takes it first).</summary>
        protected abstract string ObjectName { get; }

        protected abstract SchemaKind Kind { get; }

        /// <summary>The object's type as far as it is known while the command line binds; null offers the parameters of
        /// every type of the kind (checked against the object's real type when the change is applied).</summary>
        protected abstract string? TypeWhileBinding();

        /// <summary>Add-: the schema's required parameters are mandatory, unless -Property is given (it may hold them).</summary>
        protected virtual bool AddsObject => false;

        TypeParameters? _typed;

        public object? GetDynamicParameters()
        {
            // Get-Command and Get-Help ask with nothing bound: they list the static parameters only.
            if (string.IsNullOrEmpty(ObjectName) && !AddsObject) return null;
            var type = TypeWhileBinding();
            var all = Kind == SchemaKind.Monitor ? SchemaRegistry.Monitors : SchemaRegistry.Resources;
            var schema = type == null ? null : all.FirstOrDefault(t => t.Name == type);
            if (type != null && schema == null) return null;
            if (schema == null && AddsObject) return null;
            var specs = schema?.Parameters ?? all.SelectMany(t => t.Parameters);
            _typed = TypeParameters.For(GetType(), specs, mandatory: AddsObject && Property == null);
            return _typed.Parameters;
        }

        /// <summary>-Property and the typed parameters as one map of schema name to value, for <see cref="PropertyBag"/>.</summary>
        protected IDictionary? GivenParameters(TypeSchema schema)
        {
            var given = _typed?.Given().ToList();
            if (given == null || given.Count == 0) return Property;
            var merged = new Hashtable(StringComparer.Ordinal);
            if (Property != null)
                foreach (DictionaryEntry e in Property) merged[Convert.ToString(RawValues.Plain(e.Key), System.Globalization.CultureInfo.InvariantCulture) ?? ""] = e.Value;
            foreach (var (name, psName, value) in given)
            {
                if (schema.Find(name) == null)
                    throw HaCmdletException.BadArgument(psName,
                        $"{schema.Name} {KindWord} '{ObjectName}' has no parameter {name}; its parameters are: " +
                        (schema.Parameters.Count == 0 ? "none" : string.Join(", ", schema.Parameters.Select(p => p.Name))) + ".");
                var twice = merged.Keys.Cast<string>().FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
                if (twice != null)
                    throw HaCmdletException.BadArgument(psName,
                        $"{name} is given twice, as -{psName} and as the -Property key '{twice}'; give it once.");
                merged[name] = value;
            }
            return merged;
        }

        /// <summary>Set-: the config named on the command line (-InputObject $c or -Path), to learn the object's type while
        /// binding; null when it comes down the pipeline or cannot be read (the edit itself reports why).</summary>
        protected ClusterConfig? ConfigWhileBinding()
        {
            if (InputObject != null) return InputObject;
            if (string.IsNullOrEmpty(Path)) return null;
            try { return ConfigFile.Read(FullPath).Config; }
            catch (Exception) { return null; }
        }

        /// <summary>Set-: a -Type hint must name the object's real type (a Set- never changes the type).</summary>
        protected void CheckTypeHint(string? hint, string actual)
        {
            if (hint != null && hint != actual)
                throw HaCmdletException.BadArgument("Type",
                    $"{KindWord} '{ObjectName}' is of type {actual}, not {hint}; use -Type {actual} or leave -Type out (Set- never changes the type).");
        }

        string KindWord => Kind == SchemaKind.Monitor ? "monitor" : "resource";
    }
}
