using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace ExpressHa.Cmdlets
{
    /// <summary>The load context that holds ExpressHa.Core and its dependencies on .NET (PowerShell 7). The cmdlets
    /// assembly sits in the default context; its reference to ExpressHa.Core is bridged here by the default context's
    /// Resolving event (the dependencies folder is not probed by default), and everything ExpressHa.Core references
    /// then resolves from the folder first, whatever versions other modules loaded in the default context.</summary>
    sealed class PrivateLoadContext : AssemblyLoadContext
    {
        const string Bridged = "ExpressHa.Core";
        static PrivateLoadContext? _instance;

        readonly string _folder;

        PrivateLoadContext(string folder) { _folder = folder; }

        internal static void Install(string folder)
        {
            _instance = new PrivateLoadContext(folder);
            Default.Resolving += (_, name) => name.Name == Bridged ? _instance.LoadFromAssemblyName(name) : null;
        }

        protected override Assembly? Load(AssemblyName name)
        {
            var path = Path.Combine(_folder, name.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }
}
