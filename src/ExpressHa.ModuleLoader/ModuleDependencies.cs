using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace ExpressHa.Cmdlets
{
    /// <summary>Makes the module's own assemblies (ExpressHa.Core and YamlDotNet, in the module's dependencies folder)
    /// resolvable when the module is imported. On PowerShell 7 they load into a private load context, so another
    /// module's YamlDotNet in the session cannot clash with ours; Windows PowerShell 5.1 has a single load context
    /// and gets them from the folder through AssemblyResolve.</summary>
    public sealed class ModuleDependencies : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        public const string FolderName = "dependencies";

        static readonly object Gate = new object();
        static bool _installed;

        internal static string Folder =>
            Path.Combine(Path.GetDirectoryName(typeof(ModuleDependencies).Assembly.Location)!, FolderName);

        static bool OnNetFramework =>
            RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase);

        public void OnImport()
        {
            lock (Gate)
            {
                if (_installed) return;
                if (OnNetFramework) AppDomain.CurrentDomain.AssemblyResolve += ResolveFromFolder;
                else PrivateLoadContext.Install(Folder);
                _installed = true;
            }
        }

        // The handlers stay for the life of the process: objects of the module may outlive Remove-Module, and a
        // re-import must find the same assemblies again.
        public void OnRemove(PSModuleInfo module) { }

        static Assembly? ResolveFromFolder(object? sender, ResolveEventArgs args)
        {
            var path = Path.Combine(Folder, new AssemblyName(args.Name).Name + ".dll");
            return File.Exists(path) ? Assembly.LoadFrom(path) : null;
        }
    }
}
