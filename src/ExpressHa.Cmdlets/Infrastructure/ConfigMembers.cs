using System.Management.Automation;
using ExpressHa.Config;
using ExpressHa.Yaml;

namespace ExpressHa.Cmdlets
{
    /// <summary>Code members that ExpressHa.Types.ps1xml adds to config objects. They live in the cmdlets assembly
    /// because scripts cannot name ExpressHa.Core's types on pwsh 7 (it loads in a private context).</summary>
    public static class ConfigMembers
    {
        public static string ToYaml(PSObject instance) => ConfigYamlWriter.Write((ClusterConfig)instance.BaseObject);
    }
}
