using System.Collections;
using ExpressHa.Config;

namespace ExpressHa.Cmdlets
{
    /// <summary>Applies -InterconnectRole @{ name = role } to the cluster's interconnects.</summary>
    internal static class InterconnectRoles
    {
        public static void Apply(ClusterSettings cluster, IDictionary roles, string parameter)
        {
            foreach (DictionaryEntry e in roles)
            {
                var name = e.Key?.ToString() ?? "";
                var role = RawValues.Plain(e.Value)?.ToString() ?? "";
                var ic = cluster.Interconnects.Find(i => i.Name == name)
                    ?? throw HaCmdletException.BadArgument(parameter, $"there is no interconnect '{name}'; the interconnects are {string.Join(", ", cluster.Interconnects.ConvertAll(i => i.Name))}");
                if (System.Array.IndexOf(Config.InterconnectRoles.All, role) < 0)
                    throw HaCmdletException.BadArgument(parameter, $"'{role}' is not a role for '{name}'; use heartbeat, mirror or heartbeat,mirror");
                ic.Role = role;
            }
        }
    }
}
