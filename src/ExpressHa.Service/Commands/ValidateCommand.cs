using ExpressHa.Validation;
using ExpressHa.Yaml;

namespace ExpressHa.Service.Commands;

/// <summary>`validate --config FILE`: reads and validates a config, prints its findings and the cluster it describes.</summary>
public static class ValidateCommand
{
    public static int Run(CliOptions options, TextWriter stdout, TextWriter stderr)
    {
        var path = options.Get("config");
        if (path == null)
        {
            stderr.WriteLine("expresshad validate: --config FILE is required");
            return 2;
        }
        if (!File.Exists(path))
        {
            stderr.WriteLine($"expresshad validate: '{path}' does not exist");
            return 2;
        }
        ConfigReadResult read;
        try
        {
            read = ConfigYamlReader.ReadFile(path);
        }
        catch (ConfigParseException ex)
        {
            stderr.WriteLine($"error: {ex.Message}");
            return 1;
        }
        var findings = ConfigValidator.Validate(read, path);
        foreach (var f in findings)
            (f.IsError ? stderr : stdout).WriteLine($"{(f.IsError ? "error" : "warning")}: {f}");
        var errors = findings.Count(f => f.IsError);
        if (errors > 0)
        {
            stderr.WriteLine($"{path}: {errors} error(s); the config is not valid.");
            return 1;
        }
        ClusterSummary.Write(read.Config, stdout);
        stdout.WriteLine($"{path}: valid ({findings.Count} warning(s)).");
        return 0;
    }
}
