using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using ExpressHa.Schema;

namespace ExpressHa.Cmdlets
{
    /// <summary>A type's schema parameters as PowerShell parameters: vpcId becomes -VpcId, typed from its kind, with the
    /// description as its help message. A schema name that a cmdlet parameter, one of its aliases or a common parameter
    /// already uses gets <see cref="CollisionPrefix"/> in front (a schema parameter "path" becomes -ParamPath).</summary>
    public sealed class TypeParameters
    {
        public const string CollisionPrefix = "Param";

        static readonly string[] CommonAliases = { "vb", "db", "ea", "wa", "infa", "proga", "ev", "wv", "iv", "ov", "ob", "pv", "wi", "cf" };

        readonly Dictionary<string, string> _schemaNames = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        TypeParameters(RuntimeDefinedParameterDictionary parameters) { Parameters = parameters; }

        /// <summary>What GetDynamicParameters returns.</summary>
        public RuntimeDefinedParameterDictionary Parameters { get; }

        /// <summary>The values given on the command line, keyed by schema name (vpcId), with the PowerShell name each came as.</summary>
        public IEnumerable<(string SchemaName, string PowerShellName, object? Value)> Given()
            => Parameters.Values.Where(p => p.IsSet).Select(p => (_schemaNames[p.Name], p.Name, (object?)p.Value));

        /// <summary>The parameters for these specs (several specs of one name, from different types, become one parameter,
        /// typed object when their kinds differ). Required specs are mandatory when <paramref name="mandatory"/>.</summary>
        public static TypeParameters For(Type cmdletType, IEnumerable<ParameterSpec> specs, bool mandatory)
        {
            var reserved = ReservedNames(cmdletType);
            var result = new TypeParameters(new RuntimeDefinedParameterDictionary());
            foreach (var same in specs.GroupBy(s => s.Name, StringComparer.Ordinal))
            {
                var all = same.ToList();
                var name = PowerShellName(same.Key, reserved);
                var types = all.Select(ClrType).Distinct().ToList();
                var attributes = new Collection<Attribute>
                {
                    new ParameterAttribute { Mandatory = mandatory && all.Count == 1 && all[0].Required, HelpMessage = HelpMessage(all[0]) },
                };
                var allowed = all.Count == 1 && all[0].Kind == ParameterKind.String ? all[0].AllowedValues : null;
                if (allowed != null) attributes.Add(new ValidateSetAttribute(allowed));
                result.Parameters.Add(name, new RuntimeDefinedParameter(name, types.Count == 1 ? types[0] : typeof(object), attributes));
                result._schemaNames[name] = same.Key;
            }
            return result;
        }

        /// <summary>PascalCase of the schema name, prefixed while it collides.</summary>
        public static string PowerShellName(string schemaName, ICollection<string> reserved)
        {
            var name = schemaName.Length == 0 ? schemaName : char.ToUpperInvariant(schemaName[0]) + schemaName.Substring(1);
            while (reserved.Contains(name)) name = CollisionPrefix + name;
            return name;
        }

        /// <summary>The names a cmdlet's own parameters take (names and aliases) and the common parameters'.</summary>
        public static HashSet<string> ReservedNames(Type cmdletType)
        {
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var p in cmdletType.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (!p.GetCustomAttributes(typeof(ParameterAttribute), true).Any()) continue;
                names.Add(p.Name);
                foreach (AliasAttribute a in p.GetCustomAttributes(typeof(AliasAttribute), true))
                    foreach (var alias in a.AliasNames) names.Add(alias);
            }
            names.UnionWith(Cmdlet.CommonParameters);
            names.UnionWith(Cmdlet.OptionalCommonParameters);
            names.UnionWith(CommonAliases);
            return names;
        }

        public static Type ClrType(ParameterSpec spec) => spec.Kind switch
        {
            ParameterKind.Int => typeof(long),
            ParameterKind.Bool => typeof(bool),
            ParameterKind.StringList => typeof(string[]),
            ParameterKind.StringMap => typeof(Hashtable),
            // One value for every node, or a hashtable of node name to value.
            ParameterKind.PerNode => typeof(object),
            _ => typeof(string),
        };

        static string HelpMessage(ParameterSpec spec) => spec.Kind == ParameterKind.PerNode
            ? spec.Description + " One value for every node, or @{ server1 = ...; server2 = ... }."
            : spec.Description;
    }
}
