using System.Management.Automation;
using ExpressHa.Config;

namespace ExpressHa.Cmdlets
{
    /// <summary>Reads a YAML config file into a cluster config object. Malformed YAML is reported with its line and column;
    /// fields the reader does not know are reported as errors (they would be lost on export) and the config is still returned.</summary>
    [Cmdlet(VerbsData.Import, "HaClusterConfig")]
    [OutputType(typeof(ClusterConfig))]
    public sealed class ImportHaClusterConfigCommand : PSCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName", "FilePath")]
        public string[] Path { get; set; } = new string[0];

        protected override void ProcessRecord()
        {
            foreach (var p in Path)
                foreach (var full in Resolve(p))
                    ImportOne(full);
        }

        System.Collections.Generic.IEnumerable<string> Resolve(string path)
        {
            if (!WildcardPattern.ContainsWildcardCharacters(path)) return new[] { GetUnresolvedProviderPathFromPSPath(path) };
            try { return GetResolvedProviderPathFromPSPath(path, out _); }
            catch (ItemNotFoundException)
            {
                WriteError(new HaCmdletException(HaErrorIds.ConfigFileNotFound, ErrorCategory.ObjectNotFound, $"No file matches '{path}'.", path).ToErrorRecord());
                return new string[0];
            }
        }

        void ImportOne(string full)
        {
            {
                try
                {
                    var read = ConfigFile.Read(full);
                    foreach (var f in read.Findings)
                    {
                        if (!f.IsError) continue;
                        var record = new HaCmdletException(HaErrorIds.ConfigInvalid, ErrorCategory.InvalidData, $"{f} (in {full})", f).ToErrorRecord();
                        record.ErrorDetails = new ErrorDetails($"{f} (in {full})") { RecommendedAction = f.Fix };
                        WriteError(record);
                    }
                    WriteObject(read.Config);
                }
                catch (HaCmdletException ex)
                {
                    WriteError(ex.ToErrorRecord());
                }
            }
        }
    }
}
