using System;
using System.IO;
using System.Management.Automation;
using System.Text;
using ExpressHa.Config;
using ExpressHa.Yaml;

namespace ExpressHa.Cmdlets
{
    /// <summary>Reads and writes config files for the cmdlets, turning failures into ErrorRecord-ready exceptions.</summary>
    internal static class ConfigFile
    {
        public static ConfigReadResult Read(string fullPath)
        {
            if (!File.Exists(fullPath))
                throw new HaCmdletException(HaErrorIds.ConfigFileNotFound, ErrorCategory.ObjectNotFound,
                    $"The config file '{fullPath}' does not exist; create it with New-HaCluster -Path or check the path.", fullPath);
            try
            {
                return ConfigYamlReader.ReadFile(fullPath);
            }
            catch (ConfigParseException ex)
            {
                throw new HaCmdletException(HaErrorIds.ConfigParseError, ErrorCategory.ParserError,
                    $"{ex.Message}. Fix the YAML at that position.", fullPath);
            }
            catch (IOException ex)
            {
                throw new HaCmdletException(HaErrorIds.ConfigFileNotFound, ErrorCategory.ReadError, $"Cannot read '{fullPath}': {ex.Message}", fullPath);
            }
        }

        /// <summary>Writes through a temporary file and a rename, so a reader never sees half a config.</summary>
        public static void Write(string fullPath, ClusterConfig config)
        {
            var text = ConfigYamlWriter.Write(config);
            try
            {
                var dir = Path.GetDirectoryName(fullPath);
                if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
                var temp = fullPath + ".tmp-" + Guid.NewGuid().ToString("N").Substring(0, 8);
                File.WriteAllText(temp, text, new UTF8Encoding(false));
                if (File.Exists(fullPath)) File.Replace(temp, fullPath, null);
                else File.Move(temp, fullPath);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new HaCmdletException(HaErrorIds.ConfigWriteFailed, ErrorCategory.WriteError, $"Cannot write '{fullPath}': {ex.Message}", fullPath);
            }
        }

        /// <summary>A deep copy through the YAML form, so a change can be tried before it is applied.</summary>
        public static ClusterConfig Clone(ClusterConfig config) => ConfigYamlReader.Read(ConfigYamlWriter.Write(config)).Config;
    }
}
