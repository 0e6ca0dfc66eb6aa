using System.Collections.Generic;
using System.Linq;
using ExpressHa.Config;
using ExpressHa.Net;
using ExpressHa.Schema;

namespace ExpressHa.Validation
{
    /// <summary>A resource's type and type-specific parameters, and the rules of the AWS resource types.</summary>
    internal static class ResourceRules
    {
        static readonly string[] VipExamples = { "10.1.0.20", "172.16.0.20", "192.168.0.20", "100.64.0.20" };

        public static void Check(ValidationContext ctx, GroupConfig group, List<string> servers, ResourceConfig res, string rpath)
        {
            var schema = CheckType(ctx, rpath + ".type", "resource", res.Type, SchemaRegistry.Resources);
            if (schema == null) return;
            var values = ParameterRules.Check(ctx, rpath, "resource", schema, res.Parameters, servers, $"group '{group.Name}'");
            switch (schema.Name)
            {
                case "awsvip": CheckAwsVip(ctx, rpath, values); break;
                case "awssip": CheckAwsSip(ctx, rpath, values); break;
                case "awsdns": CheckAwsDns(ctx, rpath, values); break;
                case "mirror":
                    if (group.Servers != null && group.Servers.Count > 2)
                        ctx.Error(FindingCodes.InvalidValue, rpath + ".type", $"mirror resource '{res.Name}' replicates between two servers; group '{group.Name}' has {group.Servers.Count}",
                            "keep a group with a mirror resource to exactly two servers");
                    break;
            }
        }

        /// <summary>Reports a missing or unknown type (with a did-you-mean and the list of types); returns the schema otherwise.</summary>
        public static TypeSchema? CheckType(ValidationContext ctx, string path, string kind, string? type, IReadOnlyList<TypeSchema> all)
        {
            var names = all.Select(t => t.Name).ToList();
            if (string.IsNullOrEmpty(type))
            {
                ctx.Error(FindingCodes.MissingField, path, $"the {kind} has no type", $"set type to one of: {string.Join(", ", names)}");
                return null;
            }
            var schema = all.FirstOrDefault(t => t.Name == type);
            if (schema != null) return schema;
            var hint = Yaml.Suggest.Closest(type!, names);
            ctx.Error(FindingCodes.UnknownType, path, $"unknown {kind} type '{type}'",
                (hint != null ? $"did you mean '{hint}'? " : "") + $"{kind} types: {string.Join(", ", names)}");
            return null;
        }

        static void CheckAwsVip(ValidationContext ctx, string rpath, Dictionary<string, object> values)
        {
            if (!(values.TryGetValue("ip", out var ipv) && ipv is string ip && Ipv4.TryParse(ip, out var addr))) return;
            if (!(values.TryGetValue("vpcCidr", out var cv) && cv is string cidrText && Ipv4Cidr.TryParse(cidrText, out var cidr))) return;
            if (!cidr.Contains(addr)) return;
            var example = VipExamples.FirstOrDefault(e => Ipv4.TryParse(e, out var x) && !cidr.Contains(x)) ?? "an address of another private range";
            ctx.Error(FindingCodes.VipInsideVpc, rpath + ".ip", $"{ip} is inside VPC CIDR {cidrText}",
                $"an AWS virtual IP must be outside it; choose an address outside every VPC CIDR, e.g. {example}");
        }

        static void CheckAwsSip(ValidationContext ctx, string rpath, Dictionary<string, object> values)
        {
            if (!(values.TryGetValue("ip", out var ipv) && ipv is string ip && Ipv4.TryParse(ip, out var addr))) return;
            if (!(values.TryGetValue("subnetCidr", out var cv) && cv is string cidrText && Ipv4Cidr.TryParse(cidrText, out var cidr))) return;
            if (cidr.Contains(addr)) return;
            var example = cidr.Prefix <= 28 ? $", e.g. {Ipv4.Format((cidr.Network & cidr.Mask) + 10)}" : "";
            ctx.Error(FindingCodes.InvalidValue, rpath + ".ip", $"{ip} is outside subnet CIDR {cidrText}",
                $"a secondary private IP must be inside the subnet of the nodes' ENIs; choose a free address in {cidrText}{example}");
        }

        static void CheckAwsDns(ValidationContext ctx, string rpath, Dictionary<string, object> values)
        {
            if (values.TryGetValue("recordName", out var rn) && rn is string name)
            {
                var path = rpath + ".recordName";
                var fixedName = name.ToLowerInvariant();
                if (!fixedName.EndsWith(".", System.StringComparison.Ordinal)) fixedName += ".";
                if (name != name.ToLowerInvariant())
                    ctx.Error(FindingCodes.InvalidDnsName, path, $"'{name}' has upper-case letters", $"write the record name in lower case, as Route 53 returns it: '{fixedName}'");
                if (!name.EndsWith(".", System.StringComparison.Ordinal))
                    ctx.Error(FindingCodes.InvalidDnsName, path, $"'{name}' has no trailing dot", $"write the fully qualified name with a trailing dot: '{fixedName}'");
                if (DnsProblem(fixedName) is string problem)
                    ctx.Error(FindingCodes.InvalidDnsName, path, $"'{name}' is not a valid DNS name: {problem}",
                        "use labels of letters, digits and '-' (1 to 63 characters each, not starting or ending with '-') separated by dots, like app.example.internal.");
            }
            if (values.ContainsKey("fixedIp") && values.ContainsKey("ip"))
                ctx.Error(FindingCodes.InvalidValue, rpath + ".fixedIp", "fixedIp and ip are both set",
                    "keep one: fixedIp registers one address whichever node is active, ip registers an address per node");
        }

        /// <summary>What is wrong with a lower-case name that ends with a dot, or null.</summary>
        internal static string? DnsProblem(string name)
        {
            var bare = name.Substring(0, name.Length - 1);
            if (bare.Length == 0) return "it is empty";
            if (bare.Length > 253) return "it is longer than 253 characters";
            var labels = bare.Split('.');
            for (int i = 0; i < labels.Length; i++)
            {
                var l = labels[i];
                if (l.Length == 0) return "it has an empty label (two dots in a row)";
                if (l.Length > 63) return $"label '{l}' is longer than 63 characters";
                if (l == "*" && i == 0) continue;
                if (l[0] == '-' || l[l.Length - 1] == '-') return $"label '{l}' starts or ends with '-'";
                foreach (var c in l)
                    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
                        return $"label '{l}' has the character '{c}'";
            }
            return null;
        }
    }
}
